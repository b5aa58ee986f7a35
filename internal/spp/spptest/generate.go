package spptest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/plume-services/plume/internal/spp"
)

// Organisation is a typology and the structures under it, as the export names them.
type Organisation struct {
	Typologie  string
	Structures []string
}

// Organisations are the administrations the generator writes about.
var Organisations = []Organisation{
	{"Caisse d'Allocations Familiales (CAF)", []string{"Caf de la Gironde", "Caf du Rhône", "Caf du Nord"}},
	{"Caisse Primaire d'Assurance Maladie (CPAM)", []string{"CPAM du Loiret", "CPAM de la Moselle", "CPAM de Paris"}},
	{"France Travail", []string{"France Travail Occitanie", "France Travail Bretagne"}},
	{"Direction générale des Finances publiques (DGFiP)", []string{"SIP de Lyon 3e", "SIP de Nantes"}},
	{"Agence Nationale des Titres Sécurisés (ANTS)", []string{"ANTS"}},
	{"Préfecture", []string{"Préfecture de la Moselle", "Préfecture du Rhône"}},
}

type topic struct {
	titles   []string
	openings []string
	details  []string
}

var topics = []topic{
	{
		titles:   []string{"Retard de versement de la prime d'activité", "Dossier d'aide au logement bloqué", "Trop-perçu réclamé sans explication"},
		openings: []string{"Bonjour,&nbsp;je suis allocataire depuis %d ans", "Bonjour, cela fait %d semaines que j'attends", "Madame, Monsieur,\r\nDepuis %d mois"},
		details:  []string{"ma prime d'activité n'a pas été versée ce mois-ci alors que ma déclaration trimestrielle est faite.", "mon dossier d'APL est «\u00a0en cours de traitement\u00a0» et personne ne peut me dire pourquoi.", "on me demande de rembourser un trop-perçu sans m'expliquer le calcul."},
	},
	{
		titles:   []string{"Remboursement de soins en attente", "Carte Vitale jamais reçue", "Arrêt maladie non indemnisé"},
		openings: []string{"Bonjour, j'ai envoyé ma feuille de soins il y a %d semaines", "Bonjour,\r\nJ'ai fait ma demande il y a %d mois", "Cela fait %d semaines que"},
		details:  []string{"et je n'ai toujours pas été remboursé de ma consultation chez le spécialiste.", "et ma nouvelle carte Vitale n'est jamais arrivée malgré deux relances.", "mes indemnités journalières ne sont pas versées alors que l'employeur a envoyé l'attestation."},
	},
	{
		titles:   []string{"Rendez-vous annulé sans prévenir", "Inscription comme demandeur d'emploi compliquée", "Très bon accueil de mon conseiller"},
		openings: []string{"Bonjour, je me suis déplacé %d fois", "Bonjour,&nbsp;depuis %d semaines", "Je tiens à remercier l'agence, après %d rendez-vous"},
		details:  []string{"et mon rendez-vous a été annulé sans que personne ne me prévienne.", "je n'arrive pas à finaliser mon inscription en ligne, le site affiche une erreur.", "mon conseiller a été à l'écoute et m'a aidé à construire mon projet de formation."},
	},
	{
		titles:   []string{"Prélèvement à la source erroné", "Réclamation sur la taxe foncière", "Accueil au service des impôts"},
		openings: []string{"Bonjour, depuis %d mois", "Madame, Monsieur,\r\nJ'ai déposé une réclamation il y a %d semaines", "Bonjour, après %d appels"},
		details:  []string{"mon taux de prélèvement ne correspond pas à mes revenus et je n'arrive pas à le modifier.", "je n'ai aucune réponse concernant l'erreur de surface sur ma taxe foncière.", "j'ai enfin pu obtenir un rendez-vous et l'agent a résolu mon problème rapidement."},
	},
	{
		titles:   []string{"Demande de passeport en attente", "Permis de conduire toujours pas reçu", "Certificat d'immatriculation bloqué"},
		openings: []string{"Bonjour, ma demande a été faite il y a %d semaines", "Bonjour,&nbsp;cela fait %d mois", "Depuis %d semaines"},
		details:  []string{"et le statut de mon passeport n'évolue plus alors que je pars bientôt.", "mon permis est «\u00a0en cours de fabrication\u00a0» sans aucune date annoncée.", "ma demande de carte grise est bloquée à l'étape de vérification."},
	},
	{
		titles:   []string{"Titre de séjour : aucun rendez-vous disponible", "Renouvellement de récépissé", "Naturalisation : dossier sans nouvelles"},
		openings: []string{"Bonjour, j'essaie depuis %d semaines", "Bonjour,\r\nMon récépissé expire dans %d jours", "Madame, Monsieur, depuis %d mois"},
		details:  []string{"de prendre un rendez-vous en ligne pour mon titre de séjour, sans aucun créneau disponible.", "et je n'ai aucune réponse pour son renouvellement, je risque de perdre mon emploi.", "mon dossier de naturalisation n'a donné lieu à aucun courrier."},
	},
}

var feelings = []string{"Négatif", "Négatif", "Neutre", "Positif"}

var closings = []string{
	"Merci de votre aide.", "Cordialement.", "Je compte sur vous pour régler la situation.",
	"Merci d'avance pour votre retour.\r\n", "Bonne journée&nbsp;!",
}

var replies = []string{
	"Bonjour,\r\nNous vous remercions pour votre message. Votre dossier a été transmis au service compétent.&nbsp;Cordialement.",
	"Madame, Monsieur,\r\nNous regrettons la gêne occasionnée. Un conseiller reprendra contact avec vous prochainement.",
}

// Generator writes deterministic, realistic export records; successive calls to Next continue the same stream.
type Generator struct {
	rng      *rand.Rand
	next     int
	day      time.Time
	inDay    int
	PerDay   int     // records per publication date, 12 by default
	Answered float64 // share of records that already carry a published reply
}

// NewGenerator starts a stream of records from seed, the first published on 2023-01-02.
func NewGenerator(seed uint64) *Generator {
	return &Generator{
		rng:      rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15+1)),
		next:     100000,
		day:      time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC),
		PerDay:   12,
		Answered: 0.2,
	}
}

// Next returns the next n records, published after every record returned before.
func (g *Generator) Next(n int) []spp.Record {
	out := make([]spp.Record, 0, n)
	for range n {
		if g.inDay >= g.PerDay {
			g.day = g.day.AddDate(0, 0, 1)
			g.inDay = 0
		}
		g.inDay++
		g.next += 1 + g.rng.IntN(3)
		ti := g.rng.IntN(len(topics))
		t := topics[ti]
		org := Organisations[ti]
		structure := org.Structures[g.rng.IntN(len(org.Structures))]
		written := g.day.AddDate(0, 0, -g.rng.IntN(5))
		desc := fmt.Sprintf(t.openings[g.rng.IntN(len(t.openings))], 2+g.rng.IntN(9)) + " " +
			t.details[g.rng.IntN(len(t.details))] + "\r\n" + closings[g.rng.IntN(len(closings))]
		r := spp.Record{
			IDExperience:       strconv.Itoa(g.next),
			Titre:              t.titles[g.rng.IntN(len(t.titles))],
			Description:        desc,
			RessentiUsager:     feelings[g.rng.IntN(len(feelings))],
			IntituleStructure1: structure,
			IntituleTypologie1: org.Typologie,
			DateDePublication:  g.day.Format(time.DateOnly),
			EcritLe:            written.Format(time.DateOnly),
			PseudonymeUsager:   pseudonyms[g.rng.IntN(len(pseudonyms))] + strconv.Itoa(g.rng.IntN(100)),
		}
		if strings.Contains(structure, "Préfecture") {
			r.IntituleStructure2 = "Service des étrangers"
		}
		if g.rng.Float64() < g.Answered {
			r.ReponseStructure1 = replies[g.rng.IntN(len(replies))]
			r.StatutReponseStructure1 = "Publiée"
		}
		out = append(out, r)
	}
	return out
}

var pseudonyms = []string{"Usager", "Camille", "Dominique", "Anonyme", "Claude", "Sacha"}
