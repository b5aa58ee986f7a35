// Forging route, kept to prove it stays closed (TestForgingRoutes): this program must not build, or be flagged.
package main

import (
	"context"

	"github.com/plume-services/plume/internal/embed"
)

var citizen = "Élodie Ndiaye 06 12 34 56 78"

func main() {
	var e embed.Embedder
	_, _ = e.Embed(context.Background(), []string{citizen})
}
