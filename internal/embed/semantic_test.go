package embed_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/plume-services/plume/internal/embed"
	"github.com/plume-services/plume/internal/pii"
)

// topicCorpus writes n short texts on three topics, each with its own vocabulary, plus words shared by all: a
// word's contexts are the words of its topic, which is what the word vectors must learn.
func topicCorpus(n int) []string {
	topics := [][]string{
		{"naissance", "accouchement", "maternité", "bébé", "nourrisson", "congé", "paternité", "sage-femme", "crèche", "allaitement", "prénatal", "déclaration"},
		{"voiture", "immatriculation", "véhicule", "conduire", "permis", "garage", "contrôle", "technique", "cession", "occasion", "moteur", "plaque"},
		{"dettes", "créancier", "surendettement", "commission", "remboursement", "échéancier", "huissier", "saisie", "recouvrement", "banque", "crédit", "impayés"},
	}
	shared := []string{"demande", "dossier", "délai", "formulaire", "justificatif", "service", "mois", "droits"}
	rng := rand.New(rand.NewPCG(7, 7))
	out := make([]string, n)
	for i := range out {
		words := topics[i%len(topics)]
		var b strings.Builder
		for range 30 {
			if rng.IntN(4) == 0 {
				b.WriteString(shared[rng.IntN(len(shared))])
			} else {
				b.WriteString(words[rng.IntN(len(words))])
			}
			b.WriteByte(' ')
		}
		// Filler words seen in a single topic text each, so that the vocabulary is large enough to factorise.
		fmt.Fprintf(&b, "dossier%[1]d dossier%[1]d", i%97)
		out[i] = b.String()
	}
	return out
}

func buildSemantic(t *testing.T, texts []string, dim int) *embed.Semantic {
	t.Helper()
	b := embed.NewSemanticBuilder()
	for _, s := range texts {
		b.Add(s)
	}
	s := b.Build(dim)
	if s == nil {
		t.Fatal("no model learned")
	}
	return s
}

func TestSemanticLearnsTopics(t *testing.T) {
	s := buildSemantic(t, topicCorpus(600), 16)
	if s.Dim() != 16 || s.Words() < 40 {
		t.Fatalf("dim %d, %d words", s.Dim(), s.Words())
	}
	tests := []struct{ word, near, far string }{
		{"accouchement", "nais", "immatricul"},
		{"voitures", "vehicul", "creanci"}, // inflected like a citizen writes it
		{"dette", "surendet", "matern"},
	}
	for _, tt := range tests {
		got := s.Nearest(tt.word, 11) // the other words of its topic
		if !slices.Contains(got, tt.near) || slices.Contains(got, tt.far) {
			t.Errorf("Nearest(%q) = %v, want %q among them and not %q", tt.word, got, tt.near, tt.far)
		}
	}
}

func TestSemanticDeterministicAndStored(t *testing.T) {
	texts := topicCorpus(300)
	a, _ := buildSemantic(t, texts, 16).MarshalBinary()
	b, _ := buildSemantic(t, texts, 16).MarshalBinary()
	if !bytes.Equal(a, b) {
		t.Fatal("two builds on the same texts differ")
	}
	s, err := embed.UnmarshalSemantic(a)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.MarshalBinary()
	if !bytes.Equal(a, again) {
		t.Fatal("marshal(unmarshal(b)) != b")
	}
	for _, bad := range [][]byte{nil, []byte("PSEM0xxxxxxxx"), a[:len(a)-3], append(slices.Clone(a), 0)} {
		if _, err := embed.UnmarshalSemantic(bad); err == nil {
			t.Errorf("%d corrupted bytes accepted", len(bad))
		}
	}
}

func TestSemanticTooSmallCorpus(t *testing.T) {
	b := embed.NewSemanticBuilder()
	b.Add("Demande de passeport")
	b.Add("Demande de passeport")
	if s := b.Build(128); s != nil {
		t.Fatalf("model of %d words learned from two texts", s.Words())
	}
}

func TestLoadCorpusModel(t *testing.T) {
	idfb := embed.NewIDFBuilder()
	idfb.Add("demande de passeport")
	idf, _ := idfb.Build().MarshalBinary()
	sem, _ := buildSemantic(t, topicCorpus(300), 16).MarshalBinary()
	if _, s, err := embed.LoadCorpusModel(48, idf, sem); err != nil || s == nil {
		t.Fatalf("48 dimensions: %v", err)
	}
	if _, s, err := embed.LoadCorpusModel(48, idf, nil); err != nil || s != nil {
		t.Fatalf("no word vectors: %v", err)
	}
	if _, _, err := embed.LoadCorpusModel(384, idf, sem); err == nil {
		t.Error("16-dimension word vectors accepted for 384-dimension vectors")
	}
	if _, _, err := embed.LoadCorpusModel(48, idf[:10], sem); err == nil {
		t.Error("truncated IDF table accepted")
	}
}

// With word vectors, two texts about one situation in different words are closer than two texts sharing only
// administrative words; without them, they are not.
func TestLocalSemanticPart(t *testing.T) {
	texts := topicCorpus(600)
	idfb := embed.NewIDFBuilder()
	for _, s := range texts {
		idfb.Add(s)
	}
	const dim = 48
	lexical := embed.NewLocal(dim).WithIDF(idfb.Build())
	both := lexical.WithSemantic(buildSemantic(t, texts, embed.SemanticDim(dim)))
	in := []pii.Redacted{
		pii.Public("congé après l'accouchement"),
		pii.Public("naissance du nourrisson, maternité"),
		pii.Public("accouchement : dossier de surendettement auprès du créancier"),
	}
	for _, tt := range []struct {
		name    string
		l       *embed.Local
		related bool
	}{{"lexical", lexical, false}, {"semantic", both, true}} {
		v, err := tt.l.Embed(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if n := cosine(v[0], v[0]); math.Abs(n-1) > 1e-4 {
			t.Errorf("%s: norm² %f", tt.name, n)
		}
		same, other := cosine(v[0], v[1]), cosine(v[0], v[2])
		if (same > other) != tt.related {
			t.Errorf("%s: cos(same situation) %.3f, cos(shared word only) %.3f", tt.name, same, other)
		}
	}
}
