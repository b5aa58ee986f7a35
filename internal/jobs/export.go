package jobs

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// ExportPublisher appends each reply as one JSON line to a file, for administrations that paste replies into
// Services Publics+ by hand; a review already in the file is not written again.
type ExportPublisher struct {
	path string
	mu   sync.Mutex // serialises this process's writers; flock serialises processes
}

// exportLine is one line of the file.
type exportLine struct {
	Reply
	ExportedAt time.Time `json:"exported_at"`
}

// NewExportPublisher returns a publisher appending to path (PUBLISH_EXPORT_PATH), creating it if needed.
func NewExportPublisher(path string) (*ExportPublisher, error) {
	if path == "" {
		return nil, errors.New("publication : PUBLISH_EXPORT_PATH est vide")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("publication : dossier de l'export : %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("publication : fichier d'export : %w", err)
	}
	return &ExportPublisher{path: path}, f.Close()
}

// Publish appends r and syncs the file to disk before acknowledging; the acknowledgement names the line.
func (p *ExportPublisher) Publish(ctx context.Context, r Reply) (Ack, error) {
	if err := ctx.Err(); err != nil {
		return Ack{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f, err := os.OpenFile(p.path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o640)
	if err != nil {
		return Ack{}, fmt.Errorf("publication : fichier d'export : %w", err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return Ack{}, fmt.Errorf("publication : verrou du fichier d'export : %w", err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck // released on close anyway
	line, found, err := findReview(f, r.ReviewID)
	if err != nil {
		return Ack{}, err
	}
	if found {
		return Ack{Receipt: p.path + ":" + strconv.Itoa(line) + " (déjà exporté)", At: time.Now()}, nil
	}
	b, err := json.Marshal(exportLine{Reply: r, ExportedAt: time.Now().UTC()})
	if err != nil {
		return Ack{}, fmt.Errorf("publication : %w", err)
	}
	if torn, err := endsTorn(f); err != nil {
		return Ack{}, err
	} else if torn {
		b = append([]byte{'\n'}, b...) // close the line a crash left open, so this one stays valid
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return Ack{}, fmt.Errorf("publication : écriture de l'export : %w", err)
	}
	if err := f.Sync(); err != nil {
		return Ack{}, fmt.Errorf("publication : écriture de l'export : %w", err)
	}
	return Ack{Receipt: p.path + ":" + strconv.Itoa(line), At: time.Now()}, nil
}

// findReview scans the file for a line about reviewID; it returns the line number it found, or the number the
// next line will have. A torn last line (a crash mid-write) is ignored: the reply is then written again.
func findReview(f *os.File, reviewID int64) (int, bool, error) {
	if _, err := f.Seek(0, 0); err != nil {
		return 0, false, fmt.Errorf("publication : lecture de l'export : %w", err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		var l struct {
			ReviewID int64 `json:"review_id"`
		}
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.ReviewID == reviewID {
			return n, true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, false, fmt.Errorf("publication : lecture de l'export : %w", err)
	}
	return n + 1, false, nil
}

// endsTorn reports whether the file's last line lacks its newline.
func endsTorn(f *os.File) (bool, error) {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return false, err
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, st.Size()-1); err != nil {
		return false, fmt.Errorf("publication : lecture de l'export : %w", err)
	}
	return b[0] != '\n', nil
}
