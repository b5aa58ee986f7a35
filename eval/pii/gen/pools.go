package main

// The two splits draw from disjoint pools of first names, surnames, streets and communes, and some names of
// each pool are absent from the filter's lexicons on purpose.

func devPools() *pools {
	return &pools{
		first: []string{"Camille", "Nicolas", "Sophie", "Karim", "Aïcha", "Mamadou", "Jean-Marc", "Marie-Claire",
			"Youssef", "Fatoumata", "Kevin", "Chloé", "Élodie", "Stéphane", "Nadia", "Ousmane", "João", "Ana", "Minh",
			"Hervé", "Laëtitia", "Rachid", "Awa", "Bernadette", "Grégory", "Inès", "Sébastien", "Leïla", "Moussa",
			"Coralie", "Tuan", "Pauline", "Abdelkader", "Yannick", "Ibrahima", "Céline", "Mehmet", "Anissa", "Soizic",
			"Kelyan", "Lisandro", "Oumou", "Florent", "Christiane"},
		last: []string{"Martin", "Dubois", "Lefèvre", "N'Diaye", "Diallo", "Nguyen", "Da Silva", "Le Goff", "Benali",
			"Petit", "Rousseau", "Traoré", "Ferreira", "Fontaine", "Morel", "Haddad", "Koné", "Pham", "Garnier",
			"Ben Salah", "Blanc", "Roux", "Yilmaz", "Coulibaly", "Lemaire", "Mercier", "Kaya", "Rodrigues", "Boyer",
			"Ndiaye-Sarr", "Hoarau", "Kowalski", "El Amrani", "Gomes", "Chevalier", "Bouvier", "Quillévéré", "Zaoui",
			"Brossolette", "Oukil", "Vasseur", "Bertin"},
		streets: []string{"des Lilas", "Victor Hugo", "de la République", "Jean Jaurès", "du Général Leclerc",
			"des Acacias", "Pasteur", "de la Gare", "du Moulin", "Émile Zola", "des Peupliers", "Saint-Exupéry",
			"Marcel Cachin", "des Frères Lumière"},
		streetTypes: []string{"rue", "rue", "rue", "avenue", "boulevard", "bd", "bd.", "allée", "impasse", "chemin", "place", "quai", "route", "av", "pl."},
		communes: []string{"Lyon", "Bordeaux", "Saint-Denis", "Villeurbanne", "Roubaix", "Aubervilliers", "Vénissieux",
			"Le Havre", "Mulhouse", "Perpignan", "Limoges", "Aix-en-Provence", "La Rochelle", "Lyon 3e"},
		domains: []string{"gmail.com", "orange.fr", "hotmail.fr", "free.fr", "laposte.net"},
	}
}

func testPools() *pools {
	return &pools{
		first: []string{"Laura", "Thomas", "Isabelle", "Mehdi", "Khadija", "Aminata", "Jean-Luc", "Anne-Sophie",
			"Samir", "Mariama", "Dylan", "Manon", "Émilie", "Frédéric", "Samira", "Seydou", "Manuel", "Beatriz", "Hoa",
			"Gérard", "Sandrine", "Farid", "Fatou", "Monique", "Ludovic", "Yasmine", "Cédric", "Nour", "Boubacar",
			"Aurélie", "Quang", "Mathilde", "Abdallah", "Rose", "Thierry", "Cheikh", "Vanessa", "Ayşe", "Maïlys",
			"Gwenn", "Ilona", "Keyvan", "Teodor"},
		last: []string{"Bernard", "Moreau", "Lefebvre", "Diop", "Sow", "Tran", "Dos Santos", "Le Bihan", "Mansouri",
			"Petitjean", "Girard", "Camara", "Pereira", "Meunier", "Lambert", "Khelifi", "Keita", "Vu", "Bonnet",
			"Ben Youssef", "Roche", "Leroy", "Demir", "Sissoko", "Perrin", "Faure", "Aydin", "Carvalho", "Guérin",
			"Diakité-Fofana", "Payet", "Nowak", "Lopes", "Marchand", "Brunet", "Quéffelec", "Zerbini", "Abalain",
			"Tchakounté", "Rakotoarisoa", "Van Damme"},
		streets: []string{"de la Paix", "Gambetta", "des Tilleuls", "du Maréchal Foch", "Jules Ferry", "des Écoles",
			"de Verdun", "Voltaire", "du 8 Mai 1945", "de l'Église", "des Roses", "Paul Bert", "Anatole France",
			"Aristide Briand"},
		streetTypes: []string{"rue", "rue", "rue", "av.", "avenue", "boulevard", "allée", "impasse", "chemin", "rte", "cours", "square"},
		communes: []string{"Toulouse", "Montreuil", "Argenteuil", "Tourcoing", "Nanterre", "Brest", "Besançon",
			"Saint-Pierre-des-Corps", "Boulogne-sur-Mer", "Créteil", "Pau", "Le Mans", "Mantes-la-Jolie", "Paris 15e"},
		domains: []string{"yahoo.fr", "outlook.fr", "sfr.fr", "wanadoo.fr", "icloud.com", "gmail.com"},
	}
}
