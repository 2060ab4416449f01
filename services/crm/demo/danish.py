"""Words and places the demo municipality is made of: Slagelse (kommunekode 330) and its towns.

Only data: the generator combines these into company names, people, addresses and texts.
"""

from __future__ import annotations

from dataclasses import dataclass

MUNICIPALITY_CODE = 330
MUNICIPALITY_NAME = "Slagelse"

# (postcode, town, weight): where the municipality's companies are.
POSTCODES = (
    ("4200", "Slagelse", 52),
    ("4220", "Korsør", 19),
    ("4230", "Skælskør", 10),
    ("4241", "Vemmelev", 4),
    ("4242", "Boeslunde", 3),
    ("4243", "Rude", 2),
    ("4244", "Agersø", 0.4),
    ("4245", "Omø", 0.3),
    ("4250", "Fuglebjerg", 4),
    ("4261", "Dalmose", 3),
    ("4262", "Sandved", 2),
)

# Neighbouring municipalities: where some candidates live (kommunekoder).
NEIGHBOUR_MUNICIPALITIES = (340, 326, 329, 370, 316, 320)

VILLAGES = ("Stillinge", "Hashøj", "Sørbymagle", "Havrebjerg", "Halsskov", "Tårnborg", "Hejninge", "Antvorskov",
            "Bildsø", "Eggeslevmagle", "Svenstrup", "Kirke Stillinge", "Flakkebjerg", "Hyllested", "Næsby",
            "Hemmeshøj", "Forlev", "Gerlev", "Ottestrup", "Vedbysønder")

STREETS = ("Hovedgaden", "Jernbanegade", "Nygade", "Bredegade", "Slotsgade", "Industrivej", "Håndværkervej",
           "Sdr. Stationsvej", "Ndr. Ringgade", "Casinotorvet", "Løvegade", "Rosengade", "Fisketorvet",
           "Skovsøgade", "Sorøvej", "Næstvedvej", "Korsørvej", "Ringstedgade", "Strandvejen", "Havnegade",
           "Algade", "Vestergade", "Østergade", "Teglværksvej", "Mølledamsvej", "Smedegade", "Kalundborgvej",
           "Banevolden", "Rådhuspladsen", "Elmedalsvej", "Sydhavnsvej", "Herrestræde", "Grønningen",
           "Erhvervsparken", "Stormarken", "Energivej", "Transportvej", "Blomstervænget", "Gl. Holstedvej")

SURNAMES = ("Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
            "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Christiansen",
            "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen", "Jakobsen", "Mikkelsen", "Olesen",
            "Frederiksen", "Laursen", "Henriksen", "Lund", "Holm", "Schmidt", "Eriksen", "Kristiansen",
            "Clausen", "Simonsen", "Svendsen", "Andreasen", "Iversen", "Østergaard", "Jeppesen", "Vestergaard",
            "Nissen", "Lauridsen", "Kjær", "Jespersen", "Mogensen", "Skov", "Carlsen", "Dahl", "Bech", "Friis",
            "Bruun", "Juhl", "Krogh", "Winther", "Hald", "Mathiesen", "Dam", "Berg", "Bak", "Bang")

FIRST_NAMES = ("Mette", "Anne", "Kirsten", "Hanne", "Helle", "Susanne", "Lene", "Marianne", "Camilla", "Louise",
               "Charlotte", "Pia", "Tina", "Gitte", "Maria", "Sofie", "Ida", "Julie", "Emma", "Line", "Trine",
               "Peter", "Jens", "Lars", "Michael", "Henrik", "Thomas", "Søren", "Jan", "Niels", "Christian",
               "Martin", "Anders", "Morten", "Jesper", "Mads", "Rasmus", "Kim", "Hans", "Per", "Ole", "Frederik",
               "Emil", "Bo", "Torben", "Brian", "Kasper", "Jonas", "Ahmad", "Fatima", "Olena", "Mohammed",
               "Aisha", "Piotr", "Agnieszka", "Dorthe", "Bente", "Karina", "Allan", "Claus")

TITLES = ("Direktør", "Indehaver", "HR-chef", "Personalechef", "Driftsleder", "Butikschef", "Værkfører",
          "Produktionschef", "Bogholder", "Kontorchef", "Afdelingsleder", "Køkkenchef", "Lagerchef",
          "Institutionsleder", "Plejecenterleder", "Rekrutteringskonsulent")

EMAIL_DOMAINS_SUFFIX = ("dk",)


@dataclass(frozen=True)
class Industry:
    code: str  # DB07 (Danmarks Branchekode 2007), six digits
    name: str
    trades: tuple[str, ...]  # what goes into a company's name
    sector: str
    weight: float  # how common in the municipality
    size: str  # "small", "medium" or "large": the employee distribution to draw from
    jobs: tuple[str, ...]  # titles of the positions such a company orders


INDUSTRIES = (
    Industry("011100", "Dyrkning af korn", ("Landbrug", "Planteavl", "Gods"), "privat", 5, "small",
             ("Landbrugsmedhjælper", "Traktorfører")),
    Industry("014100", "Malkekvægbrug", ("Mælkeproduktion", "Kvægbrug"), "privat", 2, "small",
             ("Staldmedhjælper", "Fodermester")),
    Industry("101300", "Forarbejdning af kød", ("Slagteri", "Pølsemageri", "Kødvarer"), "privat", 1, "large",
             ("Slagteriarbejder", "Pakkeriarbejder", "Produktionsmedarbejder")),
    Industry("107100", "Bagerier", ("Bageri", "Konditori", "Brød"), "privat", 3, "small",
             ("Bager", "Bagerlærling", "Butiksassistent i bageri")),
    Industry("251100", "Fremstilling af metalkonstruktioner", ("Stål", "Smedie", "Stålindustri"), "privat", 3,
             "medium", ("Smed", "Svejser", "Klejnsmed")),
    Industry("282900", "Fremstilling af maskiner", ("Maskinfabrik", "Maskinteknik", "Hydraulik"), "privat", 2,
             "medium", ("Maskinarbejder", "CNC-operatør", "Montør")),
    Industry("412000", "Opførelse af bygninger", ("Byggefirma", "Entreprise", "Byg"), "privat", 5, "medium",
             ("Murer", "Bygningsarbejder", "Murerlærling")),
    Industry("432100", "El-installation", ("El-service", "El", "Elektro"), "privat", 4, "small",
             ("Elektriker", "Elektrikerlærling")),
    Industry("432200", "VVS- og blikkenslagerforretninger", ("VVS", "VVS & Blik", "Vand og Varme"), "privat", 4,
             "small", ("VVS-montør", "VVS-lærling")),
    Industry("433200", "Tømrer- og bygningssnedkervirksomhed", ("Tømrer", "Tømrer- og Snedkerfirma", "Snedkeri"),
             "privat", 6, "small", ("Tømrer", "Tømrerlærling", "Snedker")),
    Industry("433400", "Maler- og glarmestervirksomhed", ("Malerfirma", "Maler", "Glarmester"), "privat", 3,
             "small", ("Maler", "Malerlærling")),
    Industry("452010", "Almindelig autoreparation", ("Auto", "Autoværksted", "Bilservice", "Motor"), "privat", 5,
             "small", ("Automekaniker", "Klargører", "Mekanikerlærling")),
    Industry("471100", "Supermarkeder og købmænd", ("SuperBrugsen", "Dagli'Brugsen", "Købmand", "Minimarked"),
             "privat", 4, "medium", ("Butiksmedarbejder", "Kassemedarbejder", "Butikselev")),
    Industry("475210", "Byggemarkeder og trælast", ("Trælast", "Byggecenter", "Tømmerhandel"), "privat", 1,
             "medium", ("Lagermedarbejder", "Salgsassistent")),
    Industry("477110", "Tøjforretninger", ("Mode", "Tøj", "Boutique"), "privat", 3, "small",
             ("Salgsassistent", "Butikselev")),
    Industry("494100", "Vejgodstransport", ("Transport", "Vognmandsforretning", "Fragt"), "privat", 4, "medium",
             ("Chauffør C/E", "Lastbilchauffør", "Chaufførmedhjælper")),
    Industry("521000", "Oplagring og lagerdrift", ("Logistik", "Lager", "Distribution"), "privat", 2, "large",
             ("Lagermedarbejder", "Truckfører", "Pakkeriarbejder")),
    Industry("552000", "Ferieboliger og kroer", ("Kro", "Hotel", "Feriecenter"), "privat", 2, "small",
             ("Receptionist", "Stuepige", "Tjener")),
    Industry("561010", "Restauranter", ("Restaurant", "Café", "Pizzeria", "Grill"), "privat", 6, "small",
             ("Kok", "Tjener", "Opvasker", "Køkkenmedhjælper")),
    Industry("620100", "Computerprogrammering", ("IT", "Data", "Software"), "privat", 2, "small",
             ("IT-supporter", "Udvikler")),
    Industry("692000", "Bogføring og revision", ("Revision", "Regnskab", "Bogføring"), "privat", 2, "small",
             ("Bogholder", "Kontorelev")),
    Industry("681000", "Køb og salg af egen fast ejendom", ("Ejendomme", "Holding", "Invest"), "privat", 4,
             "tiny", ("Ejendomsservicemedarbejder",)),
    Industry("812100", "Almindelig rengøring", ("Rengøring", "Service", "Facility"), "privat", 4, "medium",
             ("Rengøringsassistent", "Servicemedarbejder")),
    Industry("813000", "Landskabspleje", ("Anlægsgartner", "Have og Park", "Grønne Områder"), "privat", 3,
             "small", ("Anlægsgartner", "Gartnermedhjælper")),
    Industry("862100", "Almen lægepraksis", ("Lægehuset", "Lægerne"), "privat", 2, "small",
             ("Lægesekretær", "Sygeplejerske")),
    Industry("960210", "Frisørsaloner", ("Frisør", "Salon", "Hårdesign"), "privat", 4, "small",
             ("Frisør", "Frisørelev")),
    Industry("871000", "Plejehjem", ("Plejecenter",), "kommunal", 1.2, "large",
             ("Social- og sundhedshjælper", "Social- og sundhedsassistent", "Køkkenmedhjælper")),
    Industry("889130", "Daginstitutioner", ("Børnehus", "Daginstitution", "Vuggestue"), "kommunal", 1.5, "medium",
             ("Pædagogmedhjælper", "Pædagog")),
    Industry("852010", "Grundskoler", ("Skole", "Skolen"), "kommunal", 0.8, "large",
             ("Pædagogmedhjælper", "Serviceleder", "Rengøringsassistent")),
    Industry("841100", "Offentlig forvaltning", ("Materielgården", "Vej og Park", "Genbrugsplads"), "kommunal",
             0.5, "large", ("Vejarbejder", "Gartner", "Genbrugspladsmedarbejder")),
    Industry("861000", "Hospitaler", ("Sygehus", "Psykiatrien"), "regional", 0.2, "large",
             ("Portør", "Sygehusserviceassistent", "Lægesekretær")),
    Industry("842200", "Forsvar", ("Kaserne",), "statslig", 0.1, "large", ("Logistikmedarbejder", "Kok")),
    Industry("853200", "Erhvervsfaglige uddannelser", ("Erhvervsskole", "Gymnasium", "Professionshøjskole"),
             "statslig", 0.3, "large", ("Pedel", "Kantinemedarbejder")),
    Industry("931200", "Sportsklubber", ("Boldklub", "Idrætsforening", "Roklub", "Håndboldklub"), "forening", 2.5,
             "small", ("Bane- og anlægsmedarbejder", "Cafeteriamedarbejder")),
    Industry("949900", "Andre foreninger", ("Genbrugsbutik", "Frivilligcenter", "Forsamlingshus"), "forening", 1.5,
             "small", ("Butiksmedhjælper", "Pedelmedhjælper")),
)

# Employees (FTE) by size profile: (low, high, weight).
SIZE_BANDS = {
    "tiny": ((0, 0, 60), (1, 2, 40)),
    "small": ((1, 4, 58), (5, 9, 25), (10, 19, 12), (20, 49, 5)),
    "medium": ((1, 4, 25), (5, 9, 25), (10, 19, 25), (20, 49, 18), (50, 99, 6), (100, 249, 1)),
    "large": ((10, 19, 10), (20, 49, 30), (50, 99, 30), (100, 249, 22), (250, 1200, 8)),
}

RESTAURANT_WORDS = ("Havnen", "Torvet", "Mimosa", "Bella Vista", "Lido", "Oasen", "Bøgen", "Kronen", "Anker",
                    "Solsikken", "Mamma Mia", "Napoli", "Fyrtårnet", "Bryggen", "Sorte Svane")
BRAND_WORDS = ("Nord", "Syd", "Vest", "Sjælland", "Storebælt", "Bælt", "Nova", "Prima", "Danica", "Trekant",
               "Kyst", "Fjord", "Skov", "Agro", "Tek", "Linea")
COMPANY_FORMS = (("ApS", 50), ("A/S", 10), ("I/S", 5), ("", 35))

ACTIVITY_SUMMARIES = {
    "rekruttering": ("Drøftet rekrutteringsbehov til {job}. Aftalt at sende kandidater.",
                     "Virksomheden søger {job}; jobordre oprettes.",
                     "Opfølgning på stillingsopslag som {job}."),
    "virksomhedspraktik": ("Aftalt praktikforløb for borger i 4 uger.",
                           "Drøftet mulige praktikpladser i afdelingen.",
                           "Opfølgning på igangværende virksomhedspraktik: går godt."),
    "loentilskud": ("Drøftet løntilskudsstilling; rimelighedskrav gennemgået.",
                    "Opfølgning på løntilskud: borger trives og lærer hurtigt."),
    "fastholdelse": ("Samtale om fastholdelse af sygemeldt medarbejder.",
                     "Drøftet delvis raskmelding og hjælpemidler."),
    "fleksjob": ("Opfølgning på fleksjob: timetal drøftet.", "Drøftet mulighed for at øge timetallet i fleksjobbet.",
                 "Nyt fleksjob drøftet; arbejdsevne og skånehensyn gennemgået."),
    "igu": ("Informeret om IGU-ordningen og bonus efter 6 og 24 måneder.", "Opfølgning på IGU-forløb med skoleperiode."),
    "opkvalificering": ("Drøftet opkvalificering af medarbejdere (AMU).", "Aftalt kursusforløb før ansættelse."),
    "partnerskab": ("Drøftet partnerskabsaftale og Verdensmål.", "Årligt statusmøde om partnerskabet."),
    "kampagne": ("Besøg i forbindelse med den årlige besøgskampagne.",
                 "Kampagnebesøg: præsenteret Virksomhedsservice og hotline."),
    "andet": ("Generel snak om virksomhedens situation.", "Henvendelse om regler for ansættelse."),
}

PLACEMENT_STOP_REASONS = ("sygdom", "manglende fremmøde", "ordinær beskæftigelse andetsteds", "flyttet kommune",
                          "private årsager", "overgang til andet tilbud", "samarbejdsproblemer")
IGU_STOP_REASONS = (("voksenlærlingeplads", "uddannelse", 3), ("ordinær beskæftigelse", "ordinaer_ansaettelse", 5),
                    ("opstart af egen virksomhed", "stoppet", 1), ("flyttet kommune", "stoppet", 3),
                    ("private årsager", "stoppet", 4))

ORDER_DESCRIPTIONS = ("Vi søger en stabil og mødestabil medarbejder. Oplæring gives.",
                      "Gerne erfaring, men ikke et krav. Kørekort B er en fordel.",
                      "Travlt i sæsonen; mulighed for fastansættelse.",
                      "Dansk eller engelsk i tale. Arbejdstid i dagtimerne.",
                      "Fysisk arbejde; sikkerhedssko udleveres.")
