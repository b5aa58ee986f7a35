package pii

import "strings"

// set builds a lookup table from space-separated folded words.
func set(words ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		for _, f := range strings.Fields(w) {
			m[f] = true
		}
	}
	return m
}

// cue is what a word just before a number says about it.
type cue uint8

const (
	cueNone cue = iota
	cueSecu
	cueIBAN
	cueCard
	cueFiscal
	cueSiret
	cueAlloc
	cueFT
	cueDossier
	cuePlate
	cuePassport
	cueCNI
	cueSejour
	cuePhone
	cuePermis
	cueNumber // « numéro », « n° »: a number of something unsaid
)

// numberCues maps a folded word to the kind of number it introduces.
var numberCues = map[string]cue{
	"secu": cueSecu, "securite": cueSecu, "sociale": cueSecu, "nir": cueSecu, "insee": cueSecu, "vitale": cueSecu,
	"ss": cueSecu, "assure": cueSecu, "assuree": cueSecu, "ssn": cueSecu, "secus": cueSecu,
	"iban": cueIBAN, "rib": cueIBAN, "bancaires": cueIBAN, "compte": cueIBAN,
	"cb": cueCard, "bancaire": cueCard, "bleue": cueCard, "visa": cueCard, "mastercard": cueCard, "carte": cueCard,
	"fiscal": cueFiscal, "teledeclarant": cueFiscal, "fiscale": cueFiscal, "spi": cueFiscal, "fiscaux": cueFiscal, "contribuable": cueFiscal,
	"siret": cueSiret, "siren": cueSiret,
	"allocataire": cueAlloc, "alloc": cueAlloc, "caf": cueAlloc, "msa": cueAlloc, "cnaf": cueAlloc, "allocation": cueAlloc,
	"travail": cueFT, "emploi": cueFT, "identifiant": cueFT, "ft": cueFT, "pe": cueFT,
	"dossier": cueDossier, "demande": cueDossier, "predemande": cueDossier, "reference": cueDossier, "ref": cueDossier,
	"ticket": cueDossier, "reclamation": cueDossier, "requete": cueDossier, "avis": cueDossier, "suivi": cueDossier,
	"dossiers": cueDossier, "ants": cueDossier, "recours": cueDossier, "saisine": cueDossier, "courrier": cueDossier,
	"immatriculation": cuePlate, "immat": cuePlate, "plaque": cuePlate, "vehicule": cuePlate, "voiture": cuePlate,
	"grise": cuePlate, "immatricule": cuePlate, "immatriculee": cuePlate, "siv": cuePlate,
	"passeport": cuePassport, "passport": cuePassport, "pasaporte": cuePassport, "passaporto": cuePassport,
	"passaporte": cuePassport, "paszport": cuePassport, "reisepass": cuePassport, "cnie": cueCNI,
	"cni": cueCNI, "identite": cueCNI, "cin": cueCNI, "nie": cueCNI, "dni": cueCNI, "cidadao": cueCNI, "seria": cueCNI,
	"resident": cueSejour, "residente": cueSejour,
	"sejour": cueSejour, "agdref": cueSejour, "etranger": cueSejour, "recepisse": cueSejour, "titre": cueSejour,
	"permis": cuePermis, "conduire": cuePermis, "serie": cueCNI, "identity": cueCNI, "id": cueCNI,
	"adherent": cueDossier, "cotisant": cueDossier, "pajemploi": cueDossier, "cesu": cueDossier, "anef": cueDossier,
	"colis": cueDossier, "recommande": cueDossier, "recommandee": cueDossier, "contravention": cueDossier,
	"amende": cueDossier, "fps": cueDossier, "sinistre": cueDossier, "contrat": cueDossier, "client": cueDossier,
	"abonne": cueDossier, "matricule": cueDossier, "affaire": cueDossier, "rg": cueDossier, "plainte": cueDossier,
	"convocation": cueDossier, "pacage": cueDossier, "adeli": cueDossier, "rpps": cueDossier, "finess": cueDossier,
	"reservation": cueDossier, "commande": cueDossier, "ine": cueDossier, "ofpra": cueDossier, "ofii": cueDossier,
	"neph": cuePermis, "asile": cueSejour, "aps": cueSejour,
	"rappelle": cuePhone, "rappellez": cuePhone, "recontacter": cuePhone, "recontactez": cuePhone, "contactez": cuePhone,
	"joignez": cuePhone, "sms": cuePhone,
	"joindre": cuePhone, "rappeler": cuePhone, "rappelez": cuePhone, "appeler": cuePhone, "appelez": cuePhone,
	"joignable": cuePhone, "whatsapp": cuePhone, "gsm": cuePhone, "contacter": cuePhone, "tel": cuePhone, "telephone": cuePhone, "portable": cuePhone, "mobile": cuePhone, "fixe": cuePhone, "tél": cuePhone,
}

// months are French month names and their abbreviations, folded.
var months = map[string]int{
	"janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
	"mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "sep": 9,
	"octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}

// streetTypes introduce a street name; ambiguous ones (also ordinary words) need a number or a capital after.
var streetTypes = set(`rue avenue av bd boulevard bld blvd allee allees chemin impasse imp quai route rte
	chaussee faubourg fbg sentier ruelle venelle esplanade promenade parvis rond lieudit hameau lotissement
	ch che`)

var streetTypesAmbiguous = set(`place pl cours square sq residence res cite voie passage mail clos domaine
	villa montee cote traverse zone za zi zac lot square quartier hlm batiment bat`)

// addressCues announce an address even without a street number: "j'habite rue des Lilas".
var addressCues = set(`habite habitons habitent domicile domicilie domiciliee demeurant demeure reside residant
	residante adresse demenage demenagee demenagees vis vit vivons vivent`)

// postcodeStops are words that follow a five-digit number that is not a postal code.
var postcodeStops = set(`euros euro eur e k ke keur habitants personnes km m m2 metres kg ans jours mois fois
	heures dossiers demandes allocataires usagers points pts exemplaires boites`)

// communeParticles may sit inside a commune name: "Saint-Pierre-des-Corps", "Boulogne-sur-Mer".
var communeParticles = set(`sur sous en les les le la de du des d l aux et lez`)

// nameParticles may sit inside a personal name: "Jean de La Fontaine", "Nguyen Van Minh", "Ben Ali".
var nameParticles = set(`de du des d le la van von der den da dos das di del della ben bin ibn el al ould abd
	ter mac mc bou ait thi`)

// titles introduce a person's name and stay outside its span.
var titles = set(`m mr mme mmes mlle melle monsieur madame mademoiselle messieurs mesdames dr docteur docteure pr
	professeur professeure me maitre mrs miss`)

// relations and roles, after a possessive or an article, introduce a name: "mon fils Lucas", "la conseillère
// Sophie".
var relations = set(`fils fille mari femme epouse epoux conjoint conjointe compagnon compagne concubin concubine
	pere mere frere soeur enfant enfants neveu niece oncle tante cousin cousine petit-fils petite-fille
	voisin voisine ami amie collegue bebe papa maman filleul filleule gendre bru fiance fiancee belle-mere
	beau-pere belle-fille beau-fils grand-mere grand-pere belle-soeur beau-frere demi-frere demi-soeur
	tuteur tutrice curateur curatrice proprietaire locataire bailleur aine cadet cadette filles freres soeurs
	parents neveux nieces cousins cousines jumeaux jumelles jumeau jumelle petits-enfants petites-filles
	beaux-parents colocataire coloc copain copine`)

// relationAdjectives stand between a relation and a name: « ma fille aînée, Ximena ».
var relationAdjectives = set(`ainee aine cadet cadette benjamin benjamine petit petite grand grande jeune dernier
	derniere premier premiere second seconde deuxieme troisieme handicape handicapee mineur mineure majeur majeure`)

var roles = set(`conseiller conseillere agent agente assistante assistant interlocuteur interlocutrice gestionnaire
	referent referente responsable directeur directrice medecin employe employee technicien technicienne
	guichetier guichetiere hotesse instructeur instructrice operateur operatrice chef cheffe superviseur
	superviseuse juriste mandataire avocat avocate notaire infirmier infirmiere educateur educatrice
	controleur controleuse inspecteur inspectrice charge chargee secretaire accueillante standardiste
	personne dame monsieur jeune homme mr mme collaborateur collaboratrice maire prefet prefete adjoint adjointe
	depute deputee senateur senatrice ministre president presidente commissaire delegue deleguee
	gendarme gendarmes policier policiere facteur factrice postier postiere brigadier juge defenseur defenseure
	mediateur mediatrice procureur procureure conciliateur conciliatrice greffier greffiere adjudant adjudant-chef
	capitaine lieutenant commandant brigadier-chef marechal-des-logis gardien gardienne`)

var possessives = set(`mon ma mes notre nos son sa ses votre vos leur leurs`)

var articles = set(`le la l les un une cette ce cet votre notre mon ma par avec de du des a au`)

// signoffs end a message; the name-like words after them are a signature.
var signoffs = set(`cordialement salutations respectueusement amicalement sincerement remerciements merci
	signe signee bien vous`)

// institutions are words after which a name names a place, not a person: "lycée Victor Hugo".
var institutions = set(`lycee ecole college hopital gare rue avenue boulevard bd place centre stade salle musee
	residence clinique maison bibliotheque mediatheque fondation institut universite campus groupe scolaire
	allee quai square pont parc cite impasse chemin route espace pole creche gymnase piscine theatre
	cinema hotel aeroport metro station arret tram cours prix promotion association fac faculte ehpad
	foyer chu chr ch caserne mairie agence boutique magasin cabinet pharmacie bureau batiment avenue
	pavillon centres ecoles immeuble tour quartier antenne antennes cellule mission plateforme caisse permanence
	guichet delegation direction relais secretariat`)

// stopwords are French function words and everyday words that never start a name, even capitalised.
var stopwords = set(`le la les l un une des du de d et ou a au aux en dans par pour sur avec sans mais donc car ni
	je j tu il elle on nous vous ils elles me m te t se s ce c cet cette ces mon ma mes ton ta tes son sa ses notre
	nos votre vos leur leurs qui que qu quoi dont est suis es sont ai as ont avait etait ete fait pas plus tres bien
	tout tous toute toutes merci bonjour bonsoir cordialement oui non si depuis encore deja toujours jamais rien
	aussi alors puis apres avant comme quand chez vers contre entre sous selon lors mois ans an jour jours euros
	hello salut coucou svp stp slt bjr cdt mr ok okay y ya moi toi lui eux ca cela ceci voici voila meme autre
	autres aucun aucune chaque plusieurs certains certaines enfin sinon ainsi pourtant cependant toutefois
	lorsque puisque parce bref hier demain aujourd hui ici la-bas maintenant ensuite donc ne n personne
	madame monsieur mademoiselle messieurs mesdames objet re fw tr ps nb pj cc cf etc dear
	vraiment enorme super nul nulle honte scandale scandaleux inadmissible inacceptable incroyable
	impossible attente attendre delai delais retard probleme problemes service services accueil
	pourquoi comment combien ou quel quelle quels quelles ceux celles celui celle`)

// nonNames are capitalised words that are institutions, places, months or days: never a person alone.
var nonNames = set(`bravo grazie gracias danke obrigado obrigada dziekuje spasibo shukran multumesc dekuji hvala kiitos
	bedankt arigato ciao hola adios inchallah hamdoulah mashallah famille mersi mesi esker eskerrik ziua
	благодаря спасибо дякую mulțumesc multumesc köszönöm koszonom tesekkurler teşekkürler
	caf cpam msa urssaf ants anah ars cnav carsat dgfip sip sie mdph cnaf pole emploi france
	travail services service public publique publics mairie prefecture tresor impots impot ameli vitale securite
	sociale assurance maladie retraite allocations allocation familiales caisse agence centre direction ministere
	etat republique region departement conseil tribunal justice police gendarmerie poste banque credit societe
	generale orange sfr free bouygues edf engie sncf ratp apl rsa aah paje cmu css puma ald crous cpf dsn
	janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre lundi mardi mercredi
	jeudi vendredi samedi dimanche january february september october november december monday tuesday wednesday
	thursday friday saturday sunday paris lyon marseille toulouse nice nantes strasbourg montpellier bordeaux
	lille rennes reims toulon grenoble dijon angers nimes villeurbanne clermont ferrand aix provence brest
	tours amiens limoges perpignan metz besancon orleans rouen mulhouse caen nancy argenteuil montreuil
	roubaix tourcoing avignon nanterre creteil poitiers versailles pau calais cannes antibes ajaccio bastia
	gironde rhone nord seine loire garonne marne oise somme aisne gard var herault isere savoie vendee
	bretagne normandie alsace lorraine corse guadeloupe martinique guyane reunion mayotte lourdes valence
	vienne lens sens dole auch foix albi agen cahors rodez tarbes bayonne biarritz dax saint sainte st ste
	google gmail yahoo hotmail outlook facebook internet web site espace compte connect franceconnect
	cerfa formulaire article code loi decret euro euros dieu covid chorus sirene insee ants antai ants
	europe afrique algerie maroc tunisie senegal mali portugal espagne italie allemagne belgique suisse
	chine vietnam turquie roumanie pologne cameroun congo haiti comores madagascar ukraine russie
	etats unis angleterre bonjour merci cordialement objet madame monsieur mademoiselle
	francais francaise francaises europeen europeenne nationale national departemental departementale
	municipal municipale municipaux communal communale regional regionale administration administratif
	cesu cesu+ pass passeport permis carte titre visa dossier prime activite bourse aide aides pension
	mutuelle complementaire smic rib iban nir cni ok sms mail email courriel pdf qr numero tel marianne renov
	prenom prenoms prud`)

// commonWords are French words that are also names: alone, or at the start of a sentence, or in text written
// all in capitals, they are ordinary words and need a context to be taken as names.
var commonWords = set(`petit petite blanc blanche rose roux rousse brun brune noir bon bonne bonnet boucher
	boulanger marchand meunier berger fontaine chevalier moulin roy roi lion loup renard lapin mouton poisson coq
	pigeon page duc comte baron prince marquis pape moine barbier charpentier cordier potier jardin bois champ
	clement juste aime aimee constant prudent vaillant gentil joly joli bel beau grand gros long court fort carre
	rond droit vert garde porte poste chene roche rocher pierre sable mer marin marine vallee mont riviere lac
	croix chapelle temple marais maire juge avocat notaire sergent soldat capitaine major chasseur pecheur
	fermier laine vigne olivier laurier lilas jasmin violette iris hortense marguerite capucine bruyere sapin pin
	charme claire france florence aurore ange grace olive prudence patience constance esperance victoire gloire
	fidele parfait modeste innocent desire honore bienvenu merveille divine noel avril mai juin clio zoe megane
	mercedes colombe perle reine prune jade cerise melodie oceane ambre emeraude saphir cristal etoile lune
	soleil ciel paradis printemps ete automne hiver dimanche leger sage savant docteur 
	 lamour bonheur riche pauvre paris lyon
	nancy tours orange laval marechal vacher gay gai 
	rossignol merle corbeau moineau faucon loiseau oiseau chat chien cheval vache boeuf taureau belier
	chevre biche cerf sanglier ours oursin abeille papillon fleur arbre foret prairie pre 
	 bailli prieur abbe eveque chanoine clerc vicaire dieu saint sainte ange angel 
	baudet brebis agneau lievre perdrix caille grive corneille hibou chouette cygne canard oie poule
	 ami amie vassal
	sergent cavalier archer guerrier meunier tonnelier sabatier cordonnier tailleur couturier lavandier
	jardinier forestier tisserand tissier tisseur verrier orfevre horloger serrurier chaudronnier
	 macon peintre vitrier couvreur plombier carrier mineur marin matelot pilote cocher
	mallet maillet marteau clou vis ecrou lame sabre epee lance fleche arc
	poirier pommier cerisier prunier noyer chataignier figuier amandier pecher abricot
	 normand breton picard gascon lorrain savoyard allemand anglais
	 leflamand flamand suisse espagnol portugais italien
	dauphin orme frene hetre saule tilleul bouleau peuplier tremble aulne houx genet fougere
	mousse lierre rosier muguet tulipe lys lis pensee souci jonquille narcisse dahlia anemone
	chanel dior cartier ricard pernod peugeot renault citroen michelin bic total vinci bouygues
	 auchan carrefour casino lidl aldi monoprix franprix intermarche darty fnac boulanger
	conforama but decathlon ikea merlin castorama brico amazon`)

// relationWords lets "Cordialement" or "Merci" introduce a signature.
var greetingNext = set(`cordialement salutations respectueusement amicalement sincerement remerciements bisous
	bise bises cdt cdlt bizou bisou`)

// frenchExtra are words people write that a dictionary of French does not hold: SMS spellings, abbreviations,
// loan words of administrative life. They are not names.
var frenchExtra = set(`jai jsuis jsui chui jme jte jvais jvx jveux jpeux jsais jcomprends jattends jamais cest cetait sest
	nest ya yavait pcq pck pq pk pourkoi koi kan ke ki bcp tjr tjrs tjs tt ts dsl msg slt bjr bsr cc cdt cdlt svp stp
	mdr ptdr lol pb pbm rdv rdvs mtn auj ajd dmd dmde asap ok okay oki mail mails email emails sms internet site web
	appli application covid cdi cdd interim smic rsa apl aah caf cpam msa urssaf ants anef mdph dgfip pdf jpeg scan
	scanner login password mdp identifiant franceconnect ameli doctolib whatsapp facebook google gmail hotmail
	wesh ouf hello hi bye thanks please sorry nope yes no the and of for to in on is it you your my we our
	ptn putain merde bordel grave trop chelou relou ouais nan bah ben bon euh hein ah oh eh bref voila voilou
	quoi sinon genre style truc machin chose cv ca va ni mm mme mlle mr mrs dr pr me
	pajemploi agdref ofpra ofii anef ants antai cnda cada huda prefecture sous-prefecture carsat cnav agirc arrco
	ircantec cipav ursaff dreets direccte drfip ddfip sip sie pcs cerfa cesu netentreprise impots ameli msa
	mutualite harmonie mgen maif macif matmut axa allianz groupama doctolib parcoursup pronote ecoledirecte
	cartao cidadao carta identita documento nacional identidad passaporto reisepass personalausweis
	dispo dispos aprem exam exams appart apparts proprio proprios resto restos ado ados perso num dac`)

// exonyms are the French names of towns abroad that GeoNames lists under their own: « Alger » for Algiers.
var exonyms = set(`alger beyrouth lisbonne londres moscou varsovie bucarest pekin le-caire damas bagdad teheran
	istanbul ankara athenes rome milan turin naples venise florence geneve bale anvers bruges gand mayence
	cologne munich francfort vienne prague budapest belgrade sofia kiev kyiv minsk riga vilnius tallinn
	copenhague stockholm edimbourg douvres la-haye tanger fes meknes oujda constantine oran annaba
	sfax sousse djerba tripoli le-cap johannesbourg nouakchott conakry ouagadougou niamey yaounde douala
	kinshasa brazzaville libreville antananarivo tananarive port-louis saint-denis-de-la-reunion
	hanoi ho-chi-minh-ville saigon canton shanghai tokyo seoul bombay calcutta delhi new-delhi karachi
	la-nouvelle-orleans new-york mexico la-havane port-au-prince saint-domingue bogota lima quito
	santiago-du-chili buenos-aires sao-paulo rio-de-janeiro montevideo caracas`)
