package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/plume-services/plume/internal/auth"
	"github.com/plume-services/plume/internal/store"
)

func init() {
	register(&command{
		name:    "users",
		args:    "add|list|disable",
		summary: "gère les comptes locaux : création (mot de passe généré ou lu sur l'entrée standard), liste, désactivation",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			email := fs.String("email", "", "adresse électronique du compte")
			name := fs.String("name", "", "nom affiché (add)")
			role := fs.String("role", "", "rôle (add) : agent, superviseur, conseiller, evaluateur ou admin")
			org := fs.String("org", "", "identifiant (slug) de l'organisation (add ; facultatif pour admin)")
			password := fs.String("password", "", "mot de passe (add ; déconseillé : il reste dans l'historique du shell)")
			passwordStdin := fs.Bool("password-stdin", false, "lit le mot de passe sur la première ligne de l'entrée standard (add)")
			return func(ctx context.Context, a *app) error {
				sub, err := subcommand(fs, a, "add", "list", "disable")
				if err != nil {
					return err
				}
				svc, closeStore, err := a.authService(ctx)
				if err != nil {
					return err
				}
				defer closeStore()
				switch sub {
				case "add":
					return usersAdd(ctx, a, svc, auth.NewUser{Email: *email, Name: *name, Role: auth.Role(*role), OrganisationSlug: *org, Password: *password}, *passwordStdin)
				case "list":
					return usersList(ctx, a, svc)
				default:
					if *email == "" {
						return usagef("--email est obligatoire")
					}
					u, err := findUser(ctx, svc, *email)
					if err != nil {
						return err
					}
					if err := svc.DisableUser(ctx, u.ID); err != nil {
						return err
					}
					fmt.Fprintf(a.stdout, "compte %s désactivé ; ses sessions sont fermées et ses jetons d'API refusés\n", u.Email)
					return nil
				}
			}
		},
	})
	register(&command{
		name:    "tokens",
		args:    "create|list|revoke",
		summary: "gère les jetons d'API d'un compte : création (affiché une seule fois), liste, révocation",
		setup: func(fs *flag.FlagSet) func(context.Context, *app) error {
			email := fs.String("email", "", "adresse électronique du propriétaire du jeton")
			name := fs.String("name", "", "nom du jeton, pour le reconnaître (create)")
			scopes := fs.String("scopes", "", "portées séparées par des virgules (create), parmi : "+actionList())
			id := fs.Int64("id", 0, "numéro du jeton à révoquer (revoke ; voir tokens list)")
			return func(ctx context.Context, a *app) error {
				sub, err := subcommand(fs, a, "create", "list", "revoke")
				if err != nil {
					return err
				}
				if *email == "" {
					return usagef("--email est obligatoire")
				}
				svc, closeStore, err := a.authService(ctx)
				if err != nil {
					return err
				}
				defer closeStore()
				u, err := findUser(ctx, svc, *email)
				if err != nil {
					return err
				}
				switch sub {
				case "create":
					raw, t, err := svc.CreateToken(ctx, u.ID, *name, strings.Split(*scopes, ","))
					if err != nil {
						return err
					}
					fmt.Fprintf(a.stderr, "jeton n° %d « %s » créé pour %s (portées : %s) ; il ne sera plus affiché :\n", t.ID, t.Name, u.Email, strings.Join(t.Scopes, ", "))
					fmt.Fprintln(a.stdout, raw)
					return nil
				case "list":
					ts, err := svc.ListTokens(ctx, u.ID)
					if err != nil {
						return err
					}
					if len(ts) == 0 {
						fmt.Fprintf(a.stdout, "aucun jeton pour %s\n", u.Email)
						return nil
					}
					w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(w, "N°\tNOM\tPORTÉES\tCRÉÉ LE\tDERNIÈRE UTILISATION\tÉTAT")
					for _, t := range ts {
						state := "actif"
						if t.RevokedAt != nil {
							state = "révoqué le " + day(*t.RevokedAt)
						}
						last := "jamais"
						if t.LastUsedAt != nil {
							last = day(*t.LastUsedAt)
						}
						fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, strings.Join(t.Scopes, ","), day(t.CreatedAt), last, state)
					}
					return w.Flush()
				default:
					if *id <= 0 {
						return usagef("--id est obligatoire (voir « plume tokens list --email %s »)", u.Email)
					}
					if err := svc.RevokeToken(ctx, u.ID, *id); err != nil {
						if errors.Is(err, auth.ErrNoToken) {
							return fmt.Errorf("aucun jeton n° %d pour %s", *id, u.Email)
						}
						return err
					}
					fmt.Fprintf(a.stdout, "jeton n° %d de %s révoqué\n", *id, u.Email)
					return nil
				}
			}
		},
	})
}

// subcommand parses the flags that follow the action word ("users add --email …": the first parse stopped at
// "add") and returns the action.
func subcommand(fs *flag.FlagSet, a *app, actions ...string) (string, error) {
	if len(a.args) == 0 {
		return "", usagef("action manquante : %s", strings.Join(actions, ", "))
	}
	sub := a.args[0]
	if !slices.Contains(actions, sub) {
		return "", usagef("action %q inconnue : %s attendu", sub, strings.Join(actions, ", "))
	}
	if err := fs.Parse(a.args[1:]); err != nil {
		return "", usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return "", usagef("argument inattendu %q", fs.Arg(0))
	}
	return sub, nil
}

func (a *app) authService(ctx context.Context) (*auth.Service, func(), error) {
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	return auth.New(st, auth.Options{}), st.Close, nil
}

func findUser(ctx context.Context, svc *auth.Service, email string) (auth.User, error) {
	u, err := svc.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return auth.User{}, fmt.Errorf("aucun compte pour %s (voir « plume users list »)", email)
	}
	return u, err
}

func usersAdd(ctx context.Context, a *app, svc *auth.Service, nu auth.NewUser, fromStdin bool) error {
	generated := false
	switch {
	case fromStdin && nu.Password != "":
		return usagef("--password et --password-stdin s'excluent")
	case fromStdin:
		line, err := bufio.NewReader(a.stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("lecture du mot de passe sur l'entrée standard : %w", err)
		}
		nu.Password = strings.TrimRight(line, "\r\n")
	case nu.Password == "":
		b := make([]byte, 15)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		nu.Password, generated = base64.RawURLEncoding.EncodeToString(b), true
	}
	u, err := svc.AddUser(ctx, nu)
	var fe auth.FieldErrors
	if errors.As(err, &fe) {
		return fmt.Errorf("compte non créé : %s", fieldList(fe))
	}
	if err != nil {
		return err
	}
	org := "aucune organisation"
	if u.OrganisationSlug != "" {
		org = u.OrganisationName + " (" + u.OrganisationSlug + ")"
	}
	fmt.Fprintf(a.stdout, "compte n° %d créé : %s, %s, %s\n", u.ID, u.Email, u.Role.Label(), org)
	if generated {
		fmt.Fprintf(a.stdout, "mot de passe (affiché une seule fois) : %s\n", nu.Password)
	}
	return nil
}

// fieldList names each bad field in the flag's terms.
func fieldList(fe auth.FieldErrors) string {
	flags := map[string]string{"email": "--email", "name": "--name", "password": "--password", "role": "--role", "organisation": "--org"}
	var parts []string
	for _, k := range []string{"email", "name", "password", "role", "organisation"} {
		if msg, ok := fe[k]; ok {
			parts = append(parts, flags[k]+" : "+msg)
		}
	}
	return strings.Join(parts, " ; ")
}

func usersList(ctx context.Context, a *app, svc *auth.Service) error {
	as, err := svc.Accounts(ctx)
	if err != nil {
		return err
	}
	if len(as) == 0 {
		fmt.Fprintln(a.stdout, "aucun compte ; « plume users add » en crée un")
		return nil
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "N°\tADRESSE\tNOM\tRÔLE\tORGANISATION\tCONNEXION\tÉTAT")
	now := time.Now()
	for _, ac := range as {
		state := "actif"
		switch {
		case ac.DisabledAt != nil:
			state = "désactivé le " + day(*ac.DisabledAt)
		case ac.LockedUntil != nil && ac.LockedUntil.After(now):
			state = "verrouillé jusqu'à " + ac.LockedUntil.Local().Format("15:04")
		}
		method := "mot de passe"
		if ac.OIDCIssuer != "" {
			method = "OIDC"
		}
		org := ac.OrganisationSlug
		if org == "" {
			org = "—"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", strconv.FormatInt(ac.ID, 10), ac.Email, ac.Name, ac.Role, org, method, state)
	}
	return w.Flush()
}

func day(t time.Time) string { return t.Local().Format("02/01/2006") }

func actionList() string {
	names := make([]string, len(auth.Actions))
	for i, act := range auth.Actions {
		names[i] = string(act)
	}
	return strings.Join(names, ", ")
}
