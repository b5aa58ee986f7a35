package pii

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestTaggerNames: with the embedded tagger, the persons of texts where no rule looks (given names in a text
// written in capitals, a name nobody's list holds introduced by « moi » before a phone number) are masked with the
// rules' ones, and places, offices and institutions named after people stay. Cases invented for this test.
func TestTaggerNames(t *testing.T) {
	t.Parallel()
	f := NewFilter(time.Second).WithTagger(EmbeddedTagger(), DefaultTaggerThreshold)
	find := func(t *testing.T, text string) []Span {
		t.Helper()
		spans, err := f.Find(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		return spans
	}
	for _, tt := range []struct{ name, text, value string }{
		{"first names in a text in capitals", "J'AI TROIS ENFANTS NÉS EN FRANCE, TIGRAN ET ARMINE, ET MA FEMME EST LÀ", "TIGRAN"},
		{"second first name in a text in capitals", "J'AI TROIS ENFANTS NÉS EN FRANCE, TIGRAN ET ARMINE, ET MA FEMME EST LÀ", "ARMINE"},
		{"unknown name after moi", "Mon dossier a été refusé 3 fois. moi Ravinala, 06 39 04 71 22", "Ravinala"},
		{"unknown surname after a first name", "J'ai été reçue par Ophélie Karadzic à l'accueil, très gentille.", "Ophélie Karadzic"},
		{"surname first in capitals", "KARADZIC Ophélie, 12 ans de cotisations perdues.", "KARADZIC Ophélie"},
		{"names in lower case", "la dame de l'accueil ophélie a été super avec ma mère josiane", "josiane"},
		{"ordinary word in a name's place", "Ma voisine Madame Boulanger m'a aidée à remplir le formulaire.", "Boulanger"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			i := strings.Index(tt.text, tt.value)
			spans := find(t, tt.text)
			for _, s := range spans {
				if s.Label == LabelPerson && s.Start <= i && s.End >= i+len(tt.value) {
					return
				}
			}
			t.Errorf("in %q want PERSON %q, got %v", tt.text, tt.value, spans)
		})
	}
	for _, tt := range []struct{ text, keep string }{
		{"Le lycée Paul-Éluard et la rue Gambetta sont fermés, la mairie de Montreuil aussi.", "Paul-Éluard"},
		{"Le lycée Paul-Éluard et la rue Gambetta sont fermés, la mairie de Montreuil aussi.", "Gambetta"},
		{"Je remercie l'équipe de la CPAM de la Haute-Garonne, agence de Toulouse Rangueil.", "Toulouse Rangueil"},
		{"Pour le lycée Victor-Duruy et l'hôpital Bichat, les horaires ont changé à Nanterre.", "Victor-Duruy"},
		{"La préfecture de Bobigny et la sous-préfecture du Raincy ne répondent pas.", "Raincy"},
		{"Bonjour, mon prénom c'est Espérance, je viens du Burundi.", "Burundi"},
		{"La Rose des vents, le centre social, nous aide beaucoup.", "Rose des vents"},
		{"MES REVENUS N'ONT PAS CHANGÉ DEPUIS 2019 ET LA CAF BAISSE MON AIDE.", "CHANGÉ"},
	} {
		t.Run(tt.keep, func(t *testing.T) {
			i := strings.Index(tt.text, tt.keep)
			for _, s := range find(t, tt.text) {
				if s.Start < i+len(tt.keep) && i < s.End {
					t.Errorf("in %q, %q must stay but %s %q is masked", tt.text, tt.keep, s.Label, tt.text[s.Start:s.End])
				}
			}
		})
	}
}

// TestEmbeddedTagger: the embedded model loads, holds weights and context words, and writes back to the same
// bytes.
func TestEmbeddedTagger(t *testing.T) {
	m, err := LoadTagger(taggerGZ)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.w) != 1<<m.bits || len(m.words) == 0 {
		t.Fatalf("model of %d weights (2^%d wanted) and %d context words", len(m.w), m.bits, len(m.words))
	}
	nonzero := 0
	for _, x := range m.w {
		if x != 0 {
			nonzero++
		}
	}
	if nonzero < 100 {
		t.Errorf("%d weights set: the model learnt nothing", nonzero)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, taggerGZ) {
		t.Errorf("the embedded model written back differs: %d bytes, embedded %d", len(b), len(taggerGZ))
	}
	if _, err := LoadTagger([]byte("not a model")); !errors.Is(err, ErrTaggerModel) {
		t.Errorf("LoadTagger(garbage) = %v, want ErrTaggerModel", err)
	}
}

// TestTrainTaggerDeterministic: training twice on the same invented texts gives the same bytes, the texts'
// person words are labelled, and the model scores a person's word of a new text above a town's name.
func TestTrainTaggerDeterministic(t *testing.T) {
	texts := []struct{ text, person string }{
		{"Bonjour, je suis Nadège Fortuné et mon dossier est bloqué.", "Nadège Fortuné"},
		{"Merci à Yanis Delcourt pour son aide au guichet.", "Yanis Delcourt"},
		{"Mon fils Basile Ortega attend sa carte depuis mai.", "Basile Ortega"},
		{"Reçu par Mme Olinda Sauvageot, très aimable.", "Olinda Sauvageot"},
		{"Cordialement,\nRenaud Lacombe-Viala", "Renaud Lacombe-Viala"},
		{"La mairie de Rennes ne répond jamais au téléphone.", ""},
		{"Le dossier est parti à la CAF de Lille en mars.", ""},
		{"Je remercie Maëlys Corbière qui a tout réglé.", "Maëlys Corbière"},
	}
	var ex []TaggerExample
	persons := 0
	for _, tt := range texts {
		e := TaggerExample{Text: tt.text}
		if tt.person != "" {
			i := bytes.Index([]byte(tt.text), []byte(tt.person))
			e.Persons = [][2]int{{i, i + len(tt.person)}}
			persons += len(bytes.Fields([]byte(bytes.ReplaceAll([]byte(tt.person), []byte("-"), []byte(" ")))))
		}
		ex = append(ex, e)
	}
	rules := NewFilter(0).WithTagger(nil, 0)
	train := func() []byte {
		s, err := NewTaggerSet(context.Background(), rules, ex)
		if err != nil {
			t.Fatal(err)
		}
		if _, p := s.Len(); p != persons {
			t.Errorf("%d person words labelled, want %d", p, persons)
		}
		b, err := TrainTagger([]*TaggerSet{s}, TaggerOptions{Bits: 12, MinDF: 2}).MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := train(), train()
	if !bytes.Equal(a, b) {
		t.Fatalf("two trainings on the same texts differ (%d and %d bytes)", len(a), len(b))
	}
	m, err := LoadTagger(a)
	if err != nil {
		t.Fatal(err)
	}
	score := func(text, word string) float64 {
		s, err := NewTaggerSet(context.Background(), rules, []TaggerExample{{Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index([]byte(text), []byte(word))
		for _, r := range s.rows {
			if r.start == i {
				return m.score(r.features(m))
			}
		}
		t.Fatalf("%q is no candidate word of %q", word, text)
		return 0
	}
	text := "Merci à Solène Barthélémy pour le dossier envoyé à la CAF de Quimper."
	if p, q := score(text, "Barthélémy"), score(text, "Quimper"); p <= q {
		t.Errorf("score of a surname %.3f, of a town %.3f: want the surname higher", p, q)
	}
}
