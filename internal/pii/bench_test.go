package pii

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time the process has used (user and system, every thread: the scan and its garbage
// collection).
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds cpu-MB/s, the throughput per second of CPU the process used: on the shared development machine,
// where the load average runs far above its 2 cores, wall-clock MB/s measures the queue for a core, not the filter.
func reportCPU(b *testing.B, bytes int64, since time.Duration) {
	if used := cpuTime(b) - since; used > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/used.Seconds()/1e6, "cpu-MB/s")
	}
}

// benchTexts are review-sized texts, a mix of plain complaints and texts full of identifiers.
var benchTexts = []string{
	`Bonjour, je suis allocataire depuis 2019 et je n'ai toujours pas reçu ma prime d'activité de mars. J'ai appelé
le 3230 plusieurs fois, on m'a dit que le dossier était en cours de traitement. Cela fait maintenant trois mois que
j'attends, avec deux enfants à charge et un loyer de 750 € à payer. La conseillère de l'agence de Villeurbanne a été
très aimable mais ne pouvait rien faire. Je trouve inadmissible qu'on ne puisse pas avoir de réponse claire. Merci de
faire le nécessaire rapidement.`,
	`Madame, Monsieur,
Je me permets de vous écrire au sujet de mon dossier n° 2024-RSA-118734. Je m'appelle Aminata Koné, née le
14/07/1988, numéro allocataire 4521873, et j'habite au 27 avenue Jean Jaurès, 93200 Saint-Denis. Mon numéro de
sécurité sociale est 2 88 07 75 112 034 81. Vous pouvez me joindre au 06 45 78 12 90 ou par mail à
aminata.kone88@gmail.com. Mon IBAN a changé : FR76 3000 4012 3400 0101 2345 678. Merci à M. Dubois pour son aide.
Cordialement,
Aminata KONÉ`,
	`SLT jai tjr pas mon remboursement de la cpam alors que jai envoyer la feuille de soin le 12/02 !! mon num de secu
c 1 79 03 13 055 112 37 et mon tel 0698765432, rappeler moi svp c urgent, la dame au telephone ma raccroché au nez.
3646 injoignable. merci`,
	`Très satisfait de l'accueil à la sous-préfecture pour le renouvellement de mon titre de séjour. Rendez-vous tenu
à l'heure le 3 avril à 9h15, dossier complet, agent efficace. Seul bémol : le site de l'ANTS a planté deux fois.
Cerfa 15186*03 rempli en ligne. Je recommande.`,
}

// BenchmarkRedact measures review-sized texts through Redact (detection and placeholders).
func BenchmarkRedact(b *testing.B) {
	f := NewFilter(0)
	benchReviews(b, func(ctx context.Context, t string) error { _, err := f.Redact(ctx, t); return err })
}

// BenchmarkFind measures review-sized texts through Find (detection alone; target ≥ 10 MB/s).
func BenchmarkFind(b *testing.B) {
	f := NewFilter(0)
	benchReviews(b, func(ctx context.Context, t string) error { _, err := f.Find(ctx, t); return err })
}

// benchReviews runs one pass of the filter over every review-sized bench text per iteration, reporting bytes,
// allocations and CPU throughput.
func benchReviews(b *testing.B, pass func(context.Context, string) error) {
	ctx := context.Background()
	total := 0
	for _, t := range benchTexts {
		total += len(t)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	defer reportCPU(b, int64(total), cpuTime(b))
	for b.Loop() {
		for _, t := range benchTexts {
			if err := pass(ctx, t); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// repeatTo repeats s (joined by sep) up to n bytes.
func repeatTo(s, sep string, n int) string {
	var b strings.Builder
	b.Grow(n + len(s))
	for b.Len() < n {
		b.WriteString(s)
		b.WriteString(sep)
	}
	return b.String()[:n]
}

// BenchmarkFind1MB measures throughput on one 1 MB text made of reviews (target: ≥ 10 MB/s, as on review-sized
// texts).
func BenchmarkFind1MB(b *testing.B) {
	text := repeatTo(strings.Join(benchTexts, "\n\n"), "\n\n", 1<<20)
	f := NewFilter(0)
	b.SetBytes(int64(len(text)))
	defer reportCPU(b, int64(len(text)), cpuTime(b))
	for b.Loop() {
		if _, err := f.Find(context.Background(), text); err != nil {
			b.Fatal(err)
		}
	}
}

// worstCases are 3.5 MB bodies shaped against the filter's loops: one line without a break, a run of
// separators and digits, at-signs, titles and commas, names and particles.
var worstCases = map[string]func(n int) string{
	"reviews-one-line": func(n int) string {
		return repeatTo(strings.ReplaceAll(strings.Join(benchTexts, " "), "\n", " "), " ", n)
	},
	"digits":      func(n int) string { return repeatTo("1", " ", n) },
	"digits-dots": func(n int) string { return repeatTo("12.3", " ", n) },
	"at-signs":    func(n int) string { return repeatTo("a.b@c", "@", n) },
	"titles":      func(n int) string { return repeatTo("Mme Dupont,", " ", n) },
	// Names among contacts on one line: every name asks whether its line is a signature's.
	"names-contacts": func(n int) string { return repeatTo("Mme Dupont, tel 06 12 34 56 78, dossier 2024-118734.", " ", n) },
	"particles":      func(n int) string { return repeatTo("de", " ", n) },
	"capitals":       func(n int) string { return repeatTo("Jean", " ", n) },
	"letters-digits": func(n int) string {
		return repeatTo("AB12", "-", n)
	},
	"punctuation": func(n int) string { return repeatTo("!?,.", "", n) },
}

// BenchmarkWorstCase3500KB measures the time of one 3.5 MB body of each shape: the API's limit is 4 MB, and
// the scan must stay linear whatever the body.
func BenchmarkWorstCase3500KB(b *testing.B) {
	const n = 3500 << 10
	for name, gen := range worstCases {
		text := gen(n)
		b.Run(name, func(b *testing.B) {
			f := NewFilter(0)
			b.SetBytes(int64(len(text)))
			defer reportCPU(b, int64(len(text)), cpuTime(b))
			for b.Loop() {
				if _, err := f.Find(context.Background(), text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTimeout3500KB measures how soon a scan of each 3.5 MB shape gives up once its filter's timeout
// (PII_TIMEOUT, here 50 ms) has passed: ms-past-deadline is the wall time from the deadline to the error, the
// longest stretch of the scan between two looks at the clock (plus, on a loaded machine, the wait for a core).
func BenchmarkTimeout3500KB(b *testing.B) {
	const n, timeout = 3500 << 10, 50 * time.Millisecond
	for name, gen := range worstCases {
		text := gen(n)
		b.Run(name, func(b *testing.B) {
			f := NewFilter(timeout)
			var past time.Duration
			for b.Loop() {
				start := time.Now()
				_, err := f.Find(context.Background(), text)
				if err == nil {
					continue // done within the timeout: nothing to stop
				}
				if !errors.Is(err, context.DeadlineExceeded) {
					b.Fatal(err)
				}
				past += max(time.Since(start)-timeout, 0)
			}
			b.ReportMetric(float64(past.Milliseconds())/float64(b.N), "ms-past-deadline")
		})
	}
}

// BenchmarkLexiconLoad measures what the first filter of a process pays: decompressing the embedded word lists
// and indexing them with the small word sets; heap-MB is the memory the lexicon holds once loaded.
func BenchmarkLexiconLoad(b *testing.B) {
	b.ReportAllocs()
	var l *lexicon
	for b.Loop() {
		l = loadLexicon()
		for name, n := range map[string]int{"known": l.known.Len(), "french": l.french.Len(),
			"english": l.english.Len(), "places": l.places.Len()} {
			if n == 0 {
				b.Fatalf("lexicon %s is empty", name)
			}
		}
	}
	b.StopTimer()
	var before, after runtime.MemStats
	l = nil
	runtime.GC()
	runtime.ReadMemStats(&before)
	l = loadLexicon()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(l)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "heap-MB")
}

// BenchmarkTaggerLoad measures what the first filter with the name tagger pays: decompressing the embedded model.
func BenchmarkTaggerLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		m, err := LoadTagger(taggerGZ)
		if err != nil || len(m.w) == 0 {
			b.Fatalf("LoadTagger: %v", err)
		}
	}
}

// BenchmarkFindTagger is BenchmarkFind with the embedded name tagger after the rules.
func BenchmarkFindTagger(b *testing.B) {
	f := NewFilter(0).WithTagger(EmbeddedTagger(), DefaultTaggerThreshold)
	benchReviews(b, func(ctx context.Context, text string) error {
		_, err := f.Find(ctx, text)
		return err
	})
}
