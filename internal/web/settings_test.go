package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/store/storetest"
	"github.com/plume-services/plume/internal/web"
)

func TestPromptSettingsBySupervisorOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.NewDB(t)
	org, err := st.EnsureOrganisation(ctx, "caf-gironde", "CAF de la Gironde", "caf")
	if err != nil {
		t.Fatal(err)
	}
	as := auth.New(st, auth.Options{})
	srv, err := web.New(web.Deps{Config: testConfig(t), Store: st, Auth: as})
	if err != nil {
		t.Fatal(err)
	}
	session := func(role auth.Role, email string) *http.Cookie {
		u, err := as.AddUser(ctx, auth.NewUser{Email: email, Name: "Test", Password: "un mot de passe assez long", Role: role, OrganisationSlug: org.Slug})
		if err != nil {
			t.Fatal(err)
		}
		se, err := as.NewSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return &http.Cookie{Name: "plume_session", Value: se.Token}
	}
	sup, agent := session(auth.RoleSupervisor, "sup@caf.test"), session(auth.RoleAgent, "agent@caf.test")
	get := func(ck *http.Cookie) (int, string) {
		req := httptest.NewRequest("GET", "/parametres", nil)
		req.AddCookie(ck)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, _ := get(agent); code != http.StatusForbidden {
		t.Errorf("agent GET /parametres = %d, want 403", code)
	}
	code, page := get(sup)
	if code != http.StatusOK {
		t.Fatalf("supervisor GET /parametres = %d", code)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(csrf) == 0 {
		t.Fatal("no CSRF token in the form")
	}
	post := func(form url.Values) int {
		req := httptest.NewRequest("POST", "/parametres", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(sup)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := post(url.Values{"tone": {"sobre"}}); code != http.StatusForbidden {
		t.Errorf("POST without CSRF = %d, want 403", code)
	}
	form := url.Values{"csrf": {csrf[len(csrf)-1][1]}, "tone": {"chaleureux"}, "signature": {"L'équipe de la CAF"}, "forbidden": {"un délai garanti\n\nun montant précis\n"}}
	if code := post(form); code != http.StatusSeeOther {
		t.Fatalf("POST = %d, want 303", code)
	}
	ps, err := st.OrganisationPromptSettings(ctx, org.ID)
	if err != nil || ps.Tone != "chaleureux" || len(ps.Forbidden) != 2 {
		t.Errorf("stored settings %+v, %v", ps, err)
	}
	form.Set("tone", strings.Repeat("x", 201))
	if code := post(form); code != http.StatusUnprocessableEntity {
		t.Errorf("POST with a 201-character tone = %d, want 422", code)
	}
	entries, err := as.AuditLog(ctx, auth.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || e.Action == "prompts.edit"
	}
	if !found {
		t.Error("settings change not audited")
	}
}
