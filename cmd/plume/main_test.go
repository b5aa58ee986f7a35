package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestRunReportsBadInputInOneLine(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantCode int
		wantErr  string
	}{
		{"bad address", []string{"serve"}, map[string]string{"PLUME_ADDR": "nonsense"}, 1, `PLUME_ADDR="nonsense" invalide`},
		{"unreachable database", []string{"migrate"}, map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:1/x?connect_timeout=2"}, 1, "base de données injoignable (127.0.0.1:1/x)"},
		{"bad integer", []string{"migrate"}, map[string]string{"LLM_CONCURRENCY": "zero"}, 1, "LLM_CONCURRENCY"},
		{"secret not echoed", []string{"migrate"}, map[string]string{"PLUME_SESSION_SECRET": "short-secret"}, 1, "PLUME_SESSION_SECRET"},
		{"unknown command", []string{"frobnicate"}, nil, 2, "commande inconnue"},
		{"unknown flag", []string{"serve", "--nope"}, nil, 2, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, env(tt.env), strings.NewReader(""), &out, &errb)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantCode, errb.String())
			}
			if !strings.Contains(errb.String(), tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", errb.String(), tt.wantErr)
			}
			if tt.wantCode == 1 && strings.Count(strings.TrimSpace(errb.String()), "\n") > 1 {
				t.Errorf("stderr has several lines, want one:\n%s", errb.String())
			}
			if strings.Contains(errb.String(), "short-secret") || strings.Contains(errb.String(), "goroutine") {
				t.Errorf("stderr leaks a secret or a stack trace:\n%s", errb.String())
			}
		})
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"help"}, env(nil), nil, &out, &errb); code != 0 {
		t.Fatalf("help exited %d", code)
	}
	for name, c := range commands {
		if c.summary == "" {
			t.Errorf("command %s has no summary", name)
		}
		if !strings.Contains(out.String(), name) {
			t.Errorf("help does not list %s", name)
		}
		var sub bytes.Buffer
		if code := run(context.Background(), []string{name, "-h"}, env(nil), nil, &sub, &sub); code != 0 || !strings.Contains(sub.String(), "Usage : plume "+name) {
			t.Errorf("plume %s -h = %d %q", name, code, sub.String())
		}
	}
}
