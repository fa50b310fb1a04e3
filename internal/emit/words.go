package emit

// The word lists rows are drawn from. Changing them changes every seed's
// output, so add to them only with a reason.

type person struct{ name, mail string }

var firstNames = []person{
	{"Ada", "ada"}, {"Alan", "alan"}, {"Grace", "grace"}, {"Linus", "linus"},
	{"Margaret", "margaret"}, {"Ken", "ken"}, {"Barbara", "barbara"}, {"Dennis", "dennis"},
	{"Frances", "frances"}, {"Edsger", "edsger"}, {"Radia", "radia"}, {"Donald", "donald"},
	{"Hedy", "hedy"}, {"John", "john"}, {"Katherine", "katherine"}, {"Tim", "tim"},
	{"Sophie", "sophie"}, {"Guido", "guido"}, {"Anita", "anita"}, {"Rob", "rob"},
	{"José", "jose"}, {"Zoë", "zoe"}, {"Łukasz", "lukasz"}, {"Søren", "soren"},
	{"Aiko", "aiko"}, {"Chidi", "chidi"}, {"Priya", "priya"}, {"Mateo", "mateo"},
	{"Fatima", "fatima"}, {"Noah", "noah"}, {"Ingrid", "ingrid"}, {"Kwame", "kwame"},
}

var lastNames = []person{
	{"Lovelace", "lovelace"}, {"Turing", "turing"}, {"Hopper", "hopper"}, {"Torvalds", "torvalds"},
	{"Hamilton", "hamilton"}, {"Thompson", "thompson"}, {"Liskov", "liskov"}, {"Ritchie", "ritchie"},
	{"Allen", "allen"}, {"Dijkstra", "dijkstra"}, {"Perlman", "perlman"}, {"Knuth", "knuth"},
	{"Lamarr", "lamarr"}, {"McCarthy", "mccarthy"}, {"Johnson", "johnson"}, {"Berners-Lee", "bernerslee"},
	{"Wilson", "wilson"}, {"van Rossum", "vanrossum"}, {"Borg", "borg"}, {"Pike", "pike"},
	{"García", "garcia"}, {"Müller", "muller"}, {"Nowak", "nowak"}, {"Kierkegaard", "kierkegaard"},
	{"Tanaka", "tanaka"}, {"Okafor", "okafor"}, {"Patel", "patel"}, {"Rossi", "rossi"},
	{"Haddad", "haddad"}, {"Smith", "smith"}, {"Larsen", "larsen"}, {"Mensah", "mensah"},
}

var companies = []string{
	"Acme Corp", "Globex", "Initech", "Umbrella Health", "Hooli", "Stark Industries",
	"Wayne Enterprises", "Cyberdyne Systems", "Soylent Foods", "Tyrell Corp",
	"Wonka Industries", "Vandelay Imports", "Gringotts Bank", "Oscorp", "Aperture Labs",
	"Massive Dynamic",
}

var mailDomains = []string{"example.com", "example.org", "example.net", "mail.test"}

type product struct {
	name  string
	cents int64
}

var products = []product{
	{"USB-C cable", 1299}, {"Desk lamp", 3450}, {"Mechanical keyboard", 8999},
	{"Wireless mouse", 2499}, {"27in monitor", 27900}, {"Laptop stand", 3999},
	{"Noise-cancelling headphones", 19900}, {"Webcam", 6950}, {"Office chair", 24900},
	{"Standing desk", 45000}, {"Notebook (A5)", 499}, {"Fountain pen", 2750},
	{"Coffee beans 1kg", 2199}, {"Ceramic mug", 899}, {"Water bottle", 1599},
	{"Backpack", 7900}, {"Phone charger", 1999}, {"HDMI adapter", 1450},
	{"External SSD 1TB", 10900}, {"Microphone", 12900}, {"Desk mat", 1899},
	{"Cable ties (50)", 349}, {"Whiteboard", 5999}, {"Plant pot", 1199},
}

type ticker struct {
	symbol string
	cents  int64 // price on the first day
}

var tickers = []ticker{
	{"AAPL", 18500}, {"MSFT", 37500}, {"GOOG", 14000}, {"AMZN", 15200},
	{"NVDA", 49500}, {"TSLA", 24800}, {"IBM", 16300}, {"ORCL", 10500},
}
