package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func getenv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(getenv(nil))
	if err != nil {
		t.Fatal(err)
	}
	// Only the defaults this test pins are compared; the others have tests of their own.
	want := Config{DatabaseURL: DefaultDatabaseURL, Addr: "127.0.0.1:8080", EmbedDim: 384, LLMBaseURL: "",
		PIITimeout: 2 * time.Second, LogLevel: slog.LevelInfo, BodyLimit: 4 << 20}
	got := Config{DatabaseURL: c.DatabaseURL, Addr: c.Addr, EmbedDim: c.EmbedDim, LLMBaseURL: c.LLMBaseURL,
		PIITimeout: c.PIITimeout, LogLevel: c.LogLevel, BodyLimit: c.BodyLimit}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	tests := []struct {
		env     map[string]string
		wantVar string
	}{
		{map[string]string{"PLUME_ADDR": "nonsense"}, "PLUME_ADDR"},
		{map[string]string{"PLUME_ADDR": "127.0.0.1:99999"}, "PLUME_ADDR"},
		{map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		{map[string]string{"LLM_BASE_URL": "ftp://model"}, "LLM_BASE_URL"},
		{map[string]string{"LLM_BASE_URL": "http://127.0.0.1:8000/v1"}, "LLM_MODEL"},
		{map[string]string{"EMBED_BASE_URL": "http://127.0.0.1:8000/v1"}, "EMBED_MODEL"},
		{map[string]string{"EMBED_DIM": "3"}, "EMBED_DIM"},
		{map[string]string{"LLM_TIMEOUT": "-1s"}, "LLM_TIMEOUT"},
		{map[string]string{"PLUME_SECURE_COOKIES": "peut-être"}, "PLUME_SECURE_COOKIES"},
		{map[string]string{"PLUME_LOG_LEVEL": "bavard"}, "PLUME_LOG_LEVEL"},
		{map[string]string{"PLUME_LOG_FORMAT": "xml"}, "PLUME_LOG_FORMAT"},
		{map[string]string{"PLUME_SESSION_SECRET": "trop-court"}, "PLUME_SESSION_SECRET"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.env), func(t *testing.T) {
			_, err := Load(getenv(tt.env))
			var ce *Error
			if !errors.As(err, &ce) || ce.Var != tt.wantVar {
				t.Fatalf("Load(%v) = %v, want an error naming %s", tt.env, err, tt.wantVar)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans several lines: %q", err)
			}
			if tt.wantVar == "PLUME_SESSION_SECRET" && strings.Contains(err.Error(), "trop-court") {
				t.Errorf("error repeats the secret: %q", err)
			}
		})
	}
}

func TestLogValueHidesSecrets(t *testing.T) {
	c, err := Load(getenv(map[string]string{
		"DATABASE_URL": "postgres://plume:motdepasse@db:5432/plume", "LLM_BASE_URL": "http://m/v1", "LLM_MODEL": "m",
		"LLM_API_KEY": "sk-secret", "EMBED_API_KEY": "emb-secret", "JUDGE_API_KEY": "judge-secret", "PLUME_SESSION_SECRET": strings.Repeat("s", 40),
	}))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("config", "config", c)
	for _, secret := range []string{"motdepasse", "sk-secret", "emb-secret", "judge-secret", strings.Repeat("s", 40)} {
		if strings.Contains(b.String(), secret) {
			t.Errorf("log line leaks %q: %s", secret, b.String())
		}
	}
}

// TestReadmeDocumentsEveryVariable parses the configuration table of README.md and compares it with the
// variables Load reads: a variable read but undocumented, or documented but never read, fails.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	section := false
	name := regexp.MustCompile("`([A-Z][A-Z0-9_]+)`")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "## ") {
			section = strings.HasPrefix(line, "## Configuration")
			continue
		}
		if !section || !strings.HasPrefix(line, "| `") {
			continue
		}
		first := strings.Split(line, "|")[1]
		for _, m := range name.FindAllStringSubmatch(first, -1) {
			documented[m[1]] = true
		}
	}
	if len(documented) < 10 {
		t.Fatalf("only %d variables found in README's configuration table: was it renamed?", len(documented))
	}
	read := map[string]bool{}
	if _, err := Load(func(k string) string { read[k] = true; return "" }); err != nil {
		t.Fatal(err)
	}
	for v := range read {
		if !documented[v] {
			t.Errorf("%s is read by config.Load but missing from README's configuration table", v)
		}
	}
	for v := range documented {
		if !read[v] {
			t.Errorf("%s is documented in README but never read by config.Load", v)
		}
	}
}
