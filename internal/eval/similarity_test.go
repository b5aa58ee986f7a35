package eval

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestChrF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		hyp, ref  string
		want      float64
		tolerance float64
	}{
		{"identical", "ab", "ab", 100, 1e-12},
		{"white space ignored", "a b", "ab", 100, 1e-12},
		// n=1: P=R=2/3; n=2: P=R=1/2; n=3: P=R=0; n>3: none. avg P=R=7/18, F2=7/18.
		{"one char differs", "abc", "abd", 100 * 7.0 / 18, 1e-12},
		// n=1: P=1 R=1/2; n=2: P=1 R=1/3. avg P=1, R=5/12; F2 = 5·(5/12)/(4+5/12) = 25/53.
		{"hypothesis shorter", "ab", "abab", 100 * 25.0 / 53, 1e-12},
		{"nothing shared", "abc", "xyz", 0, 1e-12},
		{"empty hypothesis", "", "abc", 0, 1e-12},
		// The value sacrebleu 2 gives (documented in the Hugging Face chrF metric card).
		{"sacrebleu reference value", "The relationship between Obama and Netanyahu is not exactly friendly.",
			"The ties between Obama and Netanyahu are not particularly friendly.", 61.576379378113785, 1e-9},
		{"accents are characters", "é", "e", 0, 1e-12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ChrF(tt.hyp, tt.ref); math.Abs(got-tt.want) > tt.tolerance {
				t.Errorf("ChrF(%q, %q) = %.12f, want %.12f", tt.hyp, tt.ref, got, tt.want)
			}
		})
	}
}

func TestRougeL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		hyp, ref string
		want     float64
	}{
		{"identical", "Bonjour madame", "bonjour Madame", 1},
		// LCS "le chat sur le tapis" = 5 of 6 words on both sides.
		{"one word differs", "le chat est sur le tapis", "le chat dort sur le tapis", 5.0 / 6},
		// LCS 2: P = 2/4, R = 2/2, F = 2·0.5·1/1.5.
		{"hypothesis longer", "a b c d", "a c", 2.0 / 3},
		// Accented words stay whole: "démarche" ≠ "demarche".
		{"accents kept", "la démarche", "la demarche", 0.5},
		{"order matters", "c b a", "a b c", 1.0 / 3},
		{"punctuation ignored", "Merci, à bientôt !", "merci à bientôt", 1},
		{"empty", "", "merci", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RougeL(tt.hyp, tt.ref); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("RougeL(%q, %q) = %.12f, want %.12f", tt.hyp, tt.ref, got, tt.want)
			}
		})
	}
}

func TestPairedBootstrap(t *testing.T) {
	t.Parallel()
	t.Run("constant differences", func(t *testing.T) {
		iv := PairedBootstrap([]float64{0.2, 0.2, 0.2, 0.2}, BootstrapResamples, BootstrapSeed)
		type interval struct {
			Mean, Low, High float64
			Significant     bool
		}
		got := interval{iv.Mean, iv.Low, iv.High, iv.Significant()}
		if diff := cmp.Diff(interval{0.2, 0.2, 0.2, true}, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
			t.Errorf("constant differences (-want +got):\n%s", diff)
		}
	})
	t.Run("half zeros half ones", func(t *testing.T) {
		// Mean 0.5, standard error sqrt(0.25/100) = 0.05: the 95 % interval is about 0.5 ± 1.96·0.05.
		d := make([]float64, 100)
		for i := range d {
			d[i] = float64(i % 2)
		}
		iv := PairedBootstrap(d, BootstrapResamples, BootstrapSeed)
		if math.Abs(iv.Mean-0.5) > 1e-12 {
			t.Errorf("mean %v, want 0.5", iv.Mean)
		}
		if math.Abs(iv.Low-0.402) > 0.015 || math.Abs(iv.High-0.598) > 0.015 {
			t.Errorf("interval [%.3f, %.3f], want about [0.402, 0.598]", iv.Low, iv.High)
		}
		if !iv.Significant() {
			t.Error("0.5 ± 0.1 must be significant")
		}
	})
	t.Run("noise around zero", func(t *testing.T) {
		d := []float64{1, -1, 0.5, -0.5, 0.2, -0.3, 0.1, 0, -0.1, 0.1}
		iv := PairedBootstrap(d, BootstrapResamples, BootstrapSeed)
		if iv.Significant() || iv.Low >= 0 || iv.High <= 0 {
			t.Errorf("got %+v, want an interval around 0", iv)
		}
	})
	t.Run("reproducible", func(t *testing.T) {
		d := []float64{0.3, -0.1, 0.7, 0.2, 0.05, -0.4, 0.9}
		a := PairedBootstrap(d, BootstrapResamples, BootstrapSeed)
		b := PairedBootstrap(d, BootstrapResamples, BootstrapSeed)
		if a != b {
			t.Errorf("same seed, different intervals: %+v vs %+v", a, b)
		}
	})
	t.Run("empty", func(t *testing.T) {
		iv := PairedBootstrap(nil, BootstrapResamples, BootstrapSeed)
		if iv.N != 0 || iv.Significant() || iv.Mean != 0 {
			t.Errorf("got %+v", iv)
		}
	})
}
