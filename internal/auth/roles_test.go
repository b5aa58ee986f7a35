package auth

import "testing"

func TestRoleActionMatrix(t *testing.T) {
	// The expected matrix, written out independently of the permissions table: a change to who may do what
	// must change this test too.
	const (
		y = true
		n = false
	)
	want := map[Action]map[Role]bool{
		//                  agent                superviseur             conseiller          evaluateur           admin
		ActReadReviews:   {RoleAgent: y, RoleSupervisor: y, RoleAdviser: n, RoleEvaluator: n, RoleAdmin: y},
		ActEditDrafts:    {RoleAgent: y, RoleSupervisor: y, RoleAdviser: n, RoleEvaluator: n, RoleAdmin: y},
		ActApprove:       {RoleAgent: y, RoleSupervisor: y, RoleAdviser: n, RoleEvaluator: n, RoleAdmin: y},
		ActViewStats:     {RoleAgent: n, RoleSupervisor: y, RoleAdviser: n, RoleEvaluator: n, RoleAdmin: y},
		ActEditPrompts:   {RoleAgent: n, RoleSupervisor: y, RoleAdviser: n, RoleEvaluator: n, RoleAdmin: y},
		ActUseAssistant:  {RoleAgent: y, RoleSupervisor: y, RoleAdviser: y, RoleEvaluator: n, RoleAdmin: y},
		ActRunEval:       {RoleAgent: n, RoleSupervisor: n, RoleAdviser: n, RoleEvaluator: y, RoleAdmin: y},
		ActViewClearText: {RoleAgent: y, RoleSupervisor: y, RoleAdviser: n, RoleEvaluator: n, RoleAdmin: y},
		ActExport:        {RoleAgent: n, RoleSupervisor: y, RoleAdviser: n, RoleEvaluator: n, RoleAdmin: y},
		ActManageUsers:   {RoleAgent: n, RoleSupervisor: n, RoleAdviser: n, RoleEvaluator: n, RoleAdmin: y},
		ActManageTokens:  {RoleAgent: n, RoleSupervisor: y, RoleAdviser: n, RoleEvaluator: n, RoleAdmin: y},
	}
	if len(want) != len(Actions) {
		t.Fatalf("expected matrix has %d actions, Actions has %d: add the new action to this test", len(want), len(Actions))
	}
	for _, a := range Actions {
		row, ok := want[a]
		if !ok {
			t.Errorf("action %s missing from the expected matrix", a)
			continue
		}
		if len(row) != len(Roles) {
			t.Errorf("action %s: expected row has %d roles, want %d", a, len(row), len(Roles))
		}
		for _, r := range Roles {
			t.Run(string(r)+"/"+string(a), func(t *testing.T) {
				u := User{ID: 1, OrganisationID: 7, Role: r}
				if got := u.Can(a); got != row[r] {
					t.Errorf("%s.Can(%s) = %v, want %v", r, a, got, row[r])
				}
			})
		}
	}
	// Users with no role or a role Plume does not know may do nothing.
	for _, r := range []Role{"", "root", "Admin"} {
		for _, a := range Actions {
			if (User{ID: 1, OrganisationID: 7, Role: r}).Can(a) {
				t.Errorf("role %q may %s", r, a)
			}
		}
	}
	if (User{Role: RoleAdmin}).Can("reviews:delete") {
		t.Error("admin may do an action that does not exist")
	}
}

func TestSeesOrganisation(t *testing.T) {
	const own, other = 7, 8
	tests := []struct {
		role     Role
		orgID    int64 // the user's organisation
		own      bool
		other    bool
		noneOrg0 bool // asking about organisation 0
	}{
		{RoleAgent, own, true, false, false},
		{RoleSupervisor, own, true, false, false},
		{RoleAdviser, own, true, false, false},
		{RoleEvaluator, own, false, false, false},
		{RoleAdmin, 0, true, true, true},
		{RoleAdmin, own, true, true, true},
		{"", own, false, false, false},
		{RoleAgent, 0, false, false, false}, // an agent without organisation (impossible in the schema) sees nothing
	}
	for _, tt := range tests {
		u := User{ID: 1, OrganisationID: tt.orgID, Role: tt.role}
		if got := u.SeesOrganisation(own); got != tt.own {
			t.Errorf("%q (org %d) sees own %d = %v, want %v", tt.role, tt.orgID, own, got, tt.own)
		}
		if got := u.SeesOrganisation(other); got != tt.other {
			t.Errorf("%q (org %d) sees other %d = %v, want %v", tt.role, tt.orgID, other, got, tt.other)
		}
		if got := u.SeesOrganisation(0); got != tt.noneOrg0 {
			t.Errorf("%q (org %d) sees org 0 = %v, want %v", tt.role, tt.orgID, got, tt.noneOrg0)
		}
	}
}
