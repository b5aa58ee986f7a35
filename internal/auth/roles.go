package auth

import "slices"

// Role is what a user is in Plume; it decides, through the table below, every action they may take.
type Role string

// The roles of issue 7, spelled as stored in the database and shown in the interface.
const (
	RoleAgent      Role = "agent"       // answers their organisation's reviews
	RoleSupervisor Role = "superviseur" // an agent who also watches statistics and tunes prompts
	RoleAdviser    Role = "conseiller"  // France services adviser: the assistant only
	RoleEvaluator  Role = "evaluateur"  // runs evaluations; never sees citizen data in clear
	RoleAdmin      Role = "admin"       // operates the platform, across organisations
)

// Roles lists every role, least to most privileged, for forms and validation.
var Roles = []Role{RoleAdviser, RoleEvaluator, RoleAgent, RoleSupervisor, RoleAdmin}

// Valid reports whether r is one of the roles Plume knows.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case RoleAgent:
		return "Agent"
	case RoleSupervisor:
		return "Superviseur"
	case RoleAdviser:
		return "Conseiller France services"
	case RoleEvaluator:
		return "Évaluateur"
	case RoleAdmin:
		return "Administrateur"
	}
	return string(r)
}

// Action is something a user may be allowed to do; its value doubles as an API token scope.
type Action string

// Every action the web UI and the API check. Object scoping (which organisation's reviews) is separate:
// see User.SeesOrganisation.
const (
	ActReadReviews   Action = "reviews:read"    // list and open reviews and their drafts
	ActEditDrafts    Action = "drafts:edit"     // generate, regenerate and edit draft replies
	ActApprove       Action = "replies:approve" // approve and publish a reply
	ActViewStats     Action = "stats:view"      // organisation statistics
	ActEditPrompts   Action = "prompts:edit"    // prompt settings of the organisation
	ActUseAssistant  Action = "assistant:use"   // the procedure assistant (public sources only)
	ActRunEval       Action = "eval:run"        // evaluation runs and their reports (redacted data only)
	ActViewClearText Action = "cleartext:view"  // a citizen's text before redaction (always audited)
	ActExport        Action = "export"          // exports, including one citizen's data on request
	ActManageUsers   Action = "users:manage"    // create, disable and change accounts
	ActManageTokens  Action = "tokens:manage"   // create and revoke one's own API tokens
)

// Actions lists every action, in a stable order, for matrices and scope validation.
var Actions = []Action{
	ActReadReviews, ActEditDrafts, ActApprove, ActViewStats, ActEditPrompts, ActUseAssistant,
	ActRunEval, ActViewClearText, ActExport, ActManageUsers, ActManageTokens,
}

// permissions is THE role→action table; nothing else in Plume decides what a role may do.
//
//	action            agent  superviseur  conseiller  evaluateur  admin
//	reviews:read        x        x                                  x
//	drafts:edit         x        x                                  x
//	replies:approve     x        x                                  x
//	stats:view                   x                                  x
//	prompts:edit                 x                                  x
//	assistant:use       x        x            x                     x
//	eval:run                                              x         x
//	cleartext:view      x        x                                  x
//	export                       x                                  x
//	users:manage                                                    x
//	tokens:manage                x                                  x
//
// Why: an agent must read the citizen's words to answer them, so clear text goes with answering; the assistant
// only uses published procedure texts, so every role that helps the public has it; an evaluator works on
// redacted sets and sees no organisation (SeesOrganisation); exports and integration tokens stay with
// supervisors, who answer for their organisation; the administrator may do everything, and every clear-text
// view is audited.
var permissions = map[Role][]Action{
	RoleAgent:      {ActReadReviews, ActEditDrafts, ActApprove, ActUseAssistant, ActViewClearText},
	RoleSupervisor: {ActReadReviews, ActEditDrafts, ActApprove, ActViewStats, ActEditPrompts, ActUseAssistant, ActViewClearText, ActExport, ActManageTokens},
	RoleAdviser:    {ActUseAssistant},
	RoleEvaluator:  {ActRunEval},
	RoleAdmin:      Actions,
}

// Valid reports whether a is one of the actions Plume knows.
func (a Action) Valid() bool { return slices.Contains(Actions, a) }

// User is an authenticated person as the rest of Plume sees them.
type User struct {
	ID               int64
	OrganisationID   int64 // 0 only for an administrator attached to no organisation
	OrganisationSlug string
	OrganisationName string
	Email            string
	Name             string
	Role             Role
	// Network is the France services network the user works in: the organisation's slug when the
	// organisation is of kind "france-services", empty otherwise.
	Network string
}

// Can reports whether the user's role allows the action; it is the only authorisation question by action.
func (u User) Can(a Action) bool {
	return slices.Contains(permissions[u.Role], a)
}

// SeesOrganisation reports whether the user may see data of the organisation: an administrator sees all,
// an evaluator none in clear, everyone else only their own.
func (u User) SeesOrganisation(orgID int64) bool {
	switch u.Role {
	case RoleAdmin:
		return true
	case RoleEvaluator:
		return false
	}
	return u.Role.Valid() && orgID != 0 && orgID == u.OrganisationID
}
