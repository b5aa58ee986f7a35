package pii

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func findAll(t *testing.T, text string) []Span {
	t.Helper()
	spans, err := NewFilter(time.Second).Find(context.Background(), text)
	if err != nil {
		t.Fatalf("Find(%q): %v", text, err)
	}
	return spans
}

// TestFinds lists, per class, texts and the exact value that must be found with its label.
func TestFinds(t *testing.T) {
	tests := []struct {
		text, value, label string
	}{
		{"Mon numéro de sécurité sociale : 1 84 12 76 451 089 46, merci.", "1 84 12 76 451 089 46", LabelNIR},
		{"NIR 184127645108946 pour info", "184127645108946", LabelNIR},
		{"né en Corse, numéro 2 90 05 2A 004 123 52", "2 90 05 2A 004 123 52", LabelNIR},
		{"mon num de sécu c'est le 1 85 05 78 006 084 99 (clé peut-être fausse)", "1 85 05 78 006 084 99", LabelNIR},
		{"IBAN : FR76 3000 6000 0112 3456 7890 189 merci", "FR76 3000 6000 0112 3456 7890 189", LabelIBAN},
		{"virement sur FR7630006000011234567890189.", "FR7630006000011234567890189", LabelIBAN},
		{"mon RIB 30006 00001 12345678901 89", "30006 00001 12345678901 89", LabelIBAN},
		{"ma carte 4970 1012 3456 7893 a été débitée", "4970 1012 3456 7893", LabelCard},
		{"carte 4970101234567893 exp 08/27 cvv 123 !", "4970101234567893 exp 08/27 cvv 123", LabelCard},
		{"mon numéro fiscal est 0123456789211", "0123456789211", LabelTaxID},
		{"numéro fiscal : 3012345678167", "3012345678167", LabelTaxID},
		{"SIRET 732 829 320 00074 de mon entreprise", "732 829 320 00074", LabelCaseID},
		{"appelez-moi au 06 12 34 56 78 svp", "06 12 34 56 78", LabelPhone},
		{"tel 06.12.34.56.78", "06.12.34.56.78", LabelPhone},
		{"tel 06-12-34-56-78", "06-12-34-56-78", LabelPhone},
		{"tél. 0612345678", "0612345678", LabelPhone},
		{"joignable au +33 (0)6 12 34 56 78", "+33 (0)6 12 34 56 78", LabelPhone},
		{"joignable au +33 6 12 34 56 78", "+33 6 12 34 56 78", LabelPhone},
		{"numéro 06\u00a012\u00a034\u00a056\u00a078 (insécables)", "06\u00a012\u00a034\u00a056\u00a078", LabelPhone},
		{"numéro 06\u202f12\u202f34\u202f56\u202f78", "06\u202f12\u202f34\u202f56\u202f78", LabelPhone},
		{"mon numéro 06 12 34\n56 78 coupé", "06 12 34\n56 78", LabelPhone},
		{"mon frère au Maroc +212 6 12 34 56 78", "+212 6 12 34 56 78", LabelPhone},
		{"écrivez à jean-pierre.dupont@orange.fr merci", "jean-pierre.dupont@orange.fr", LabelEmail},
		{"J'habite au 12 rue des Lilas, 69003 Lyon depuis 2019.", "12 rue des Lilas, 69003 Lyon", LabelAddress},
		{"adresse : 3 bis avenue du Général de Gaulle 94000 Créteil", "3 bis avenue du Général de Gaulle 94000 Créteil", LabelAddress},
		{"j'habite 45 bd Victor Hugo", "45 bd Victor Hugo", LabelAddress},
		{"je vis à 33000 Bordeaux depuis peu", "33000 Bordeaux", LabelPostcodeCity},
		{"domicile : Saint-Denis (93200)", "Saint-Denis (93200)", LabelPostcodeCity},
		{"mon fils né le 3 mars 2015 n'a pas de place", "3 mars 2015", LabelBirthdate},
		{"date de naissance : 12/03/1985", "12/03/1985", LabelBirthdate},
		{"je suis née le 1er janvier 1970 à Oran", "1er janvier 1970", LabelBirthdate},
		{"numéro allocataire 1234567 depuis", "1234567", LabelCaseID},
		{"mon identifiant France Travail est 1234567A", "1234567A", LabelCaseID},
		{"dossier n° 2024-IDF-004512 toujours bloqué", "2024-IDF-004512", LabelCaseID},
		{"numéro de pré-demande ANTS : 8AB3C4D5E6", "8AB3C4D5E6", LabelCaseID},
		{"ma voiture immatriculée AB-123-CD est en fourrière", "AB-123-CD", LabelPlate},
		{"plaque 1234 AB 56 ancienne", "1234 AB 56", LabelPlate},
		{"passeport 12AB34567 expiré", "12AB34567", LabelIDDoc},
		{"carte d'identité n° X4RTBPFW4", "X4RTBPFW4", LabelIDDoc},
		{"titre de séjour numéro 7503123456 expiré", "7503123456", LabelIDDoc},
		{"Bonjour, je suis Mme Élodie Ndiaye-Sarr et j'attends.", "Élodie Ndiaye-Sarr", LabelPerson},
		{"Merci à M. DUPONT pour son aide", "DUPONT", LabelPerson},
		{"Merci à Mme Petit pour son aide", "Petit", LabelPerson},
		{"Je m'appelle Fatoumata Diallo.", "Fatoumata Diallo", LabelPerson},
		{"je m'appelle fatou diallo et je suis perdue", "fatou diallo", LabelPerson},
		{"mon fils Lucas a 12 ans", "Lucas", LabelPerson},
		{"la conseillère Sophie a été très aimable", "Sophie", LabelPerson},
		{"Rien ne marche.\nCordialement,\nAmadou Traoré", "Amadou Traoré", LabelPerson},
		{"Merci beaucoup Sandrine !", "Sandrine", LabelPerson},
		{"Je remercie Nguyen Van Minh", "Nguyen Van Minh", LabelPerson},
		{"Madame Le Goff m'a reçue", "Le Goff", LabelPerson},
		{"Mr Mohamed Ben Ali a tout réglé", "Mohamed Ben Ali", LabelPerson},
		{"MERCI A MME FATOU N'DIAYE POUR SON ACCUEIL", "FATOU N'DIAYE", LabelPerson},
		{"Le dossier de Kevin Martin est bloqué", "Kevin Martin", LabelPerson},
	}
	for _, tt := range tests {
		t.Run(tt.label+"/"+tt.value, func(t *testing.T) {
			spans := findAll(t, tt.text)
			for _, s := range spans {
				if tt.text[s.Start:s.End] == tt.value && s.Label == tt.label {
					return
				}
			}
			var got []string
			for _, s := range spans {
				got = append(got, fmt.Sprintf("%s %q", s.Label, tt.text[s.Start:s.End]))
			}
			t.Errorf("in %q want %s %q, got %v", tt.text, tt.label, tt.value, got)
		})
	}
}

// TestLeavesPublicData checks texts that hold no personal data: nothing may be masked.
func TestLeavesPublicData(t *testing.T) {
	texts := []string{
		"J'ai reçu 450,20 € le 15/04/2024, puis 1 250 € en mai 2023.",
		"Selon l'article L. 262-2 du code de l'action sociale, le RSA est dû.",
		"Appelez le 3949, le 3646 ou le 39 49, ou encore le 3230.",
		"La CAF de la Gironde et la CPAM du Rhône ne répondent pas.",
		"J'ai rempli le Cerfa n° 12485*03 en 2022, sans réponse.",
		"Rendez-vous le 12 mars 2024 à 14h30 à l'agence France Travail de Lyon.",
		"Le taux est passé de 20 % à 35 % depuis 2021.",
		"Mon dossier est au lycée Victor Hugo, près de la gare Saint-Jean.",
		"Le petit martin-pêcheur est rose et blanc.",
		"Pierre qui roule n'amasse pas mousse.",
		"Bonjour Madame, Monsieur, je vous remercie.",
		"Monsieur le Maire a répondu à ma demande du 12/03/2024.",
		"Ma demande de 12000 euros d'aide date de janvier.",
		"France Travail, Pôle emploi et la MSA de Bourgogne.",
		"Ma Clio a été contrôlée à Marseille.",
	}
	for _, text := range texts {
		if spans := findAll(t, text); len(spans) > 0 {
			var got []string
			for _, s := range spans {
				got = append(got, fmt.Sprintf("%s %q", s.Label, text[s.Start:s.End]))
			}
			t.Errorf("%q: masked %v", text, got)
		}
	}
}

func TestChecksums(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) bool
		in   string
		want bool
	}{
		{"nir", nirKeyOK, "184127645108946", true},
		{"nir wrong key", nirKeyOK, "184127645108947", false},
		{"nir 2A", nirKeyOK, "290052A00412352", true},
		{"nir 2B", nirKeyOK, "190052B00412332", nirCheckRef("190052B00412332")},
		{"iban", ibanOK, "FR7630006000011234567890189", true},
		{"iban wrong", ibanOK, "FR7630006000011234567890188", false},
		{"iban DE", ibanOK, "DE89370400440532013000", true},
		{"rib", ribOK, "30006000011234567890189", true},
		{"luhn card", luhnOK, "4970101234567893", true},
		{"luhn wrong", luhnOK, "4970101234567894", false},
		{"siret", luhnOK, "73282932000074", true},
		{"tax", taxIDOK, "0123456789211", true},
		{"tax wrong", taxIDOK, "0123456789212", false},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("%s(%s) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
}

// nirCheckRef recomputes a Corsican NIR key the long way, independently of nirNumber.
func nirCheckRef(s string) bool {
	r := strings.NewReplacer("2A", "19", "2B", "18").Replace(s[:13])
	var n int64
	for _, c := range r {
		n = n*10 + int64(c-'0')
	}
	k := int64(s[13]-'0')*10 + int64(s[14]-'0')
	return 97-n%97 == k
}

func TestRedactPlaceholders(t *testing.T) {
	f := NewFilter(time.Second)
	text := "Mme Claire Fontaine (06 12 34 56 78) puis Mme Claire Fontaine au 0612345678 et M. Diallo."
	r, err := f.Redact(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	want := "Mme [PERSONNE_1] ([TELEPHONE_1]) puis Mme [PERSONNE_1] au [TELEPHONE_1] et M. [PERSONNE_2]."
	if r.Text.String() != want {
		t.Fatalf("got  %q\nwant %q", r.Text.String(), want)
	}
	if r.Mapping.Len() != 3 {
		t.Errorf("mapping has %d entries, want 3", r.Mapping.Len())
	}
	// A second text of the same review continues the numbering and reuses known values.
	r2, err := f.RedactWith(context.Background(), r.Mapping, "Objet : Mme Claire Fontaine et M. Benali")
	if err != nil {
		t.Fatal(err)
	}
	if got := r2.Text.String(); got != "Objet : Mme [PERSONNE_1] et M. [PERSONNE_3]" {
		t.Errorf("second text: %q", got)
	}
}

func TestRestore(t *testing.T) {
	f := NewFilter(time.Second)
	text := "Mme Awa Koné, IBAN FR76 3000 6000 0112 3456 7890 189, tel 06 12 34 56 78, NIR 1 84 12 76 451 089 46."
	r, err := f.Redact(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	draft := "Bonjour [PERSONNE_1], nous avons noté votre IBAN [IBAN_1], votre numéro [TELEPHONE_1] et votre NIR [NIR_1]. " +
		"[PERSONNE_2] vous rappellera. Cordialement, [Personne_1] PERSONNE_1 [CARTE_1]"
	got := r.Mapping.Restore(draft)
	want := "Bonjour Awa Koné, nous avons noté votre IBAN FR76 •••• 189, votre numéro 06 12 34 56 78 et votre NIR •••• 946. " +
		"[PERSONNE_2] vous rappellera. Cordialement, [Personne_1] PERSONNE_1 [CARTE_1]"
	if got.Text != want {
		t.Errorf("got  %q\nwant %q", got.Text, want)
	}
	wantFlags := []Flag{
		{"[PERSONNE_2]", strings.Index(draft, "[PERSONNE_2]"), strings.Index(draft, "[PERSONNE_2]") + 12, FlagUnknown},
		{"[Personne_1]", strings.Index(draft, "[Personne_1]"), strings.Index(draft, "[Personne_1]") + 12, FlagAltered},
		{"PERSONNE_1", strings.Index(draft, " PERSONNE_1") + 1, strings.Index(draft, " PERSONNE_1") + 11, FlagAltered},
		{"[CARTE_1]", strings.Index(draft, "[CARTE_1]"), strings.Index(draft, "[CARTE_1]") + 9, FlagUnknown},
	}
	if fmt.Sprint(got.Flags) != fmt.Sprint(wantFlags) {
		t.Errorf("flags %v, want %v", got.Flags, wantFlags)
	}
}

func TestMappingJSONAndLogs(t *testing.T) {
	f := NewFilter(time.Second)
	r, err := f.Redact(context.Background(), "Je suis Mme Irène Lefebvre, tel 07 11 22 33 44.")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(r.Mapping)
	if err != nil {
		t.Fatal(err)
	}
	var m Mapping
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if got := m.Restore("[PERSONNE_1] [TELEPHONE_1]").Text; got != "Irène Lefebvre 07 11 22 33 44" {
		t.Errorf("restored from JSON: %q", got)
	}
	// Numbering continues after a round trip.
	r2, err := f.RedactWith(context.Background(), &m, "et M. Chen")
	if err != nil {
		t.Fatal(err)
	}
	if r2.Text.String() != "et M. [PERSONNE_2]" {
		t.Errorf("after round trip: %q", r2.Text.String())
	}
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "mapping", &m, "result", r2)
	for _, s := range []string{fmt.Sprint(&m), fmt.Sprintf("%v %+v %#v", r2, r2, &m), logs.String()} {
		for _, v := range []string{"Irène", "Lefebvre", "07 11", "Chen"} {
			if strings.Contains(s, v) {
				t.Errorf("%q leaked into %q", v, s)
			}
		}
	}
	if err := json.Unmarshal([]byte(`{"entries":[{"placeholder":"[PERSONNE_1]","label":"NIR","value":"x"}]}`), &m); err == nil {
		t.Error("a placeholder of the wrong class was accepted")
	}
}

func TestFailClosed(t *testing.T) {
	long := strings.Repeat("Mme Fatou Diallo, 06 12 34 56 78, 12 rue des Lilas 69003 Lyon. ", 2000)
	t.Run("timeout", func(t *testing.T) {
		r, err := NewFilter(time.Nanosecond).Redact(context.Background(), long)
		if !errors.Is(err, ErrFilter) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want a deadline error", err)
		}
		if !r.Text.IsZero() || r.Spans != nil || r.Mapping != nil {
			t.Errorf("a result came back with the error: %+v", r)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r, err := NewFilter(0).Redact(ctx, "Mme Diallo")
		if !errors.Is(err, context.Canceled) || !r.Text.IsZero() {
			t.Fatalf("err = %v, text %q", err, r.Text)
		}
	})
	t.Run("panic", func(t *testing.T) {
		scanHook = func(string) { panic("boom") }
		defer func() { scanHook = nil }()
		m := NewMapping()
		r, err := NewFilter(0).RedactWith(context.Background(), m, "Mme Diallo")
		if !errors.Is(err, ErrFilter) || !r.Text.IsZero() || m.Len() != 0 {
			t.Fatalf("err = %v, text %q, mapping %d", err, r.Text, m.Len())
		}
		if strings.Contains(err.Error(), "Diallo") {
			t.Errorf("the error shows the text: %v", err)
		}
	})
}

func TestConcurrentUse(t *testing.T) {
	f := NewFilter(time.Second)
	m := NewMapping()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			text := fmt.Sprintf("Mme Fatou Diallo, dossier n° 2024-%05d", i)
			if _, err := f.RedactWith(context.Background(), m, text); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if m.Len() != 9 {
		t.Errorf("shared mapping has %d entries, want 9 (one name, eight case numbers)", m.Len())
	}
}

func TestLabels(t *testing.T) {
	want := "PERSON NIR IBAN CARD TAX_ID PHONE EMAIL ADDRESS POSTCODE_CITY BIRTHDATE CASE_ID PLATE ID_DOC"
	if got := strings.Join(Labels(), " "); got != want {
		t.Errorf("Labels() = %s", got)
	}
}
