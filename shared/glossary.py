"""The one glossary of Danish terms of art.

Enum values are the contract's (Danish, ASCII, lower case); labels are what users read.
Code refers to these members, never to scattered strings.
"""

from __future__ import annotations

from enum import StrEnum


class Sector(StrEnum):
    privat = "privat"
    kommunal = "kommunal"
    regional = "regional"
    statslig = "statslig"
    forening = "forening"


SECTOR_LABELS = {
    Sector.privat: "Privat",
    Sector.kommunal: "Kommunal",
    Sector.regional: "Regional",
    Sector.statslig: "Statslig",
    Sector.forening: "Forening",
}

PUBLIC_SECTORS = (Sector.kommunal, Sector.regional, Sector.statslig)


class Scheme(StrEnum):
    ordinaer = "ordinaer"
    virksomhedspraktik = "virksomhedspraktik"
    loentilskud = "loentilskud"
    igu = "igu"
    fleksjob = "fleksjob"
    voksenlaerling = "voksenlaerling"
    jobrotation = "jobrotation"
    nytteindsats = "nytteindsats"
    skaanejob = "skaanejob"


SCHEME_LABELS = {
    Scheme.ordinaer: "Ordinær ansættelse",
    Scheme.virksomhedspraktik: "Virksomhedspraktik",
    Scheme.loentilskud: "Løntilskud",
    Scheme.igu: "IGU (integrationsgrunduddannelse)",
    Scheme.fleksjob: "Fleksjob",
    Scheme.voksenlaerling: "Voksenlærling",
    Scheme.jobrotation: "Jobrotation",
    Scheme.nytteindsats: "Nytteindsats",
    Scheme.skaanejob: "Skånejob",
}

# Words that, before a colon at the start of an order's title, name the scheme rather than the
# work ("Praktikplads: Tømrerlærling", "Vikar (jobrotation): Køkkenmedhjælper"); matching reads
# the job title after them.
SCHEME_TITLE_WORDS = frozenset({
    "løntilskud", "virksomhedspraktik", "praktik", "praktikplads", "fleksjob", "igu", "igu-elev",
    "integrationsgrunduddannelse", "voksenlærling", "voksenlærlingeplads", "jobrotation", "vikar",
    "jobrotationsvikar", "skånejob", "nytteindsats", "ordinær", "ansættelse",
})

# Every scheme but an ordinary hire is "company-directed" (virksomhedsrettet) in the KPIs.
COMPANY_DIRECTED_SCHEMES = tuple(s for s in Scheme if s is not Scheme.ordinaer)
# Schemes that count towards the ratio rule (rimelighedskrav, BEK § 65).
RATIO_RULE_SCHEMES = (Scheme.virksomhedspraktik, Scheme.loentilskud, Scheme.nytteindsats)


class TargetGroup(StrEnum):
    a_dagpenge = "a_dagpenge"
    kontanthjaelp_jobparat = "kontanthjaelp_jobparat"
    kontanthjaelp_aktivitetsparat = "kontanthjaelp_aktivitetsparat"
    uddannelseshjaelp = "uddannelseshjaelp"
    integration = "integration"
    sygedagpenge = "sygedagpenge"
    jobafklaring = "jobafklaring"
    ressourceforloeb = "ressourceforloeb"
    ledighedsydelse = "ledighedsydelse"
    selvforsoergende = "selvforsoergende"


class Channel(StrEnum):
    besoeg = "besoeg"
    telefon = "telefon"
    email = "email"
    moede = "moede"
    video = "video"
    arrangement = "arrangement"


CHANNEL_LABELS = {
    Channel.besoeg: "Besøg",
    Channel.telefon: "Telefon",
    Channel.email: "E-mail",
    Channel.moede: "Møde",
    Channel.video: "Video",
    Channel.arrangement: "Arrangement",
}


class Purpose(StrEnum):
    rekruttering = "rekruttering"
    opkvalificering = "opkvalificering"
    fastholdelse = "fastholdelse"
    virksomhedspraktik = "virksomhedspraktik"
    loentilskud = "loentilskud"
    igu = "igu"
    fleksjob = "fleksjob"
    partnerskab = "partnerskab"
    kampagne = "kampagne"
    andet = "andet"


class ReceivedVia(StrEnum):
    portal = "portal"
    hotline = "hotline"
    email = "email"
    konsulent = "konsulent"


class OrderStatus(StrEnum):
    modtaget = "modtaget"
    i_gang = "i_gang"
    besat = "besat"
    delvist_besat = "delvist_besat"
    annulleret = "annulleret"
    udloebet = "udloebet"


ORDER_STATUS_LABELS = {
    OrderStatus.modtaget: "Modtaget",
    OrderStatus.i_gang: "I gang",
    OrderStatus.besat: "Besat",
    OrderStatus.delvist_besat: "Delvist besat",
    OrderStatus.annulleret: "Annulleret",
    OrderStatus.udloebet: "Udløbet",
}


class ProposalStatus(StrEnum):
    foreslaaet = "foreslaaet"
    afvist = "afvist"
    ansat = "ansat"


class Outcome(StrEnum):
    igang = "igang"
    gennemfoert = "gennemfoert"
    ordinaer_ansaettelse = "ordinaer_ansaettelse"
    uddannelse = "uddannelse"
    stoppet = "stoppet"


class Role(StrEnum):
    konsulent = "konsulent"
    leder = "leder"
    virksomhed = "virksomhed"
    admin = "admin"


ROLE_LABELS = {
    Role.konsulent: "Konsulent",
    Role.leder: "Leder",
    Role.virksomhed: "Virksomhedsbruger",
    Role.admin: "Administrator",
}


class CampaignTargetStatus(StrEnum):
    planlagt = "planlagt"
    kontaktet = "kontaktet"
    besoegt = "besoegt"
    afslaaet = "afslaaet"


class ConsentMethod(StrEnum):
    portal = "portal"
    skriftlig = "skriftlig"
    mundtlig = "mundtlig"
    email = "email"
    import_ = "import"


# Verdensmål: the UN Sustainable Development Goals, by their official Danish names.
VERDENSMAAL = {
    1: "Afskaf fattigdom",
    2: "Stop sult",
    3: "Sundhed og trivsel",
    4: "Kvalitetsuddannelse",
    5: "Ligestilling mellem kønnene",
    6: "Rent vand og sanitet",
    7: "Bæredygtig energi",
    8: "Anstændige jobs og økonomisk vækst",
    9: "Industri, innovation og infrastruktur",
    10: "Mindre ulighed",
    11: "Bæredygtige byer og lokalsamfund",
    12: "Ansvarligt forbrug og produktion",
    13: "Klimaindsats",
    14: "Livet i havet",
    15: "Livet på land",
    16: "Fred, retfærdighed og stærke institutioner",
    17: "Partnerskaber for handling",
}

# The goals' official colours, for pages that show them.
VERDENSMAAL_COLOURS = {
    1: "#E5243B", 2: "#DDA63A", 3: "#4C9F38", 4: "#C5192D", 5: "#FF3A21", 6: "#26BDE2",
    7: "#FCC30B", 8: "#A21942", 9: "#FD6925", 10: "#DD1367", 11: "#FD9D24", 12: "#BF8B2E",
    13: "#3F7E44", 14: "#0A97D9", 15: "#56C02B", 16: "#00689D", 17: "#19486A",
}

OUTCOME_LABELS = {
    Outcome.igang: "I gang",
    Outcome.gennemfoert: "Gennemført",
    Outcome.ordinaer_ansaettelse: "Ordinær ansættelse",
    Outcome.uddannelse: "Uddannelse",
    Outcome.stoppet: "Stoppet",
}

CAMPAIGN_TARGET_LABELS = {
    CampaignTargetStatus.planlagt: "Planlagt",
    CampaignTargetStatus.kontaktet: "Kontaktet",
    CampaignTargetStatus.besoegt: "Besøgt",
    CampaignTargetStatus.afslaaet: "Afslået",
}

TARGET_GROUP_LABELS = {
    TargetGroup.a_dagpenge: "A-dagpenge",
    TargetGroup.kontanthjaelp_jobparat: "Kontanthjælp, jobparat",
    TargetGroup.kontanthjaelp_aktivitetsparat: "Kontanthjælp, aktivitetsparat",
    TargetGroup.uddannelseshjaelp: "Uddannelseshjælp",
    TargetGroup.integration: "Integrationsprogram",
    TargetGroup.sygedagpenge: "Sygedagpenge",
    TargetGroup.jobafklaring: "Jobafklaringsforløb",
    TargetGroup.ressourceforloeb: "Ressourceforløb",
    TargetGroup.ledighedsydelse: "Ledighedsydelse",
    TargetGroup.selvforsoergende: "Selvforsørgende",
}

PURPOSE_LABELS = {
    Purpose.rekruttering: "Rekruttering",
    Purpose.opkvalificering: "Opkvalificering",
    Purpose.fastholdelse: "Fastholdelse",
    Purpose.virksomhedspraktik: "Virksomhedspraktik",
    Purpose.loentilskud: "Løntilskud",
    Purpose.igu: "IGU",
    Purpose.fleksjob: "Fleksjob",
    Purpose.partnerskab: "Partnerskab",
    Purpose.kampagne: "Kampagne",
    Purpose.andet: "Andet",
}


class PartnershipStatus(StrEnum):
    """Derived from an agreement's dates on a given day; never stored."""

    kommende = "kommende"
    aktiv = "aktiv"
    udloebet = "udloebet"


PARTNERSHIP_STATUS_LABELS = {
    PartnershipStatus.kommende: "Kommende",
    PartnershipStatus.aktiv: "Aktiv",
    PartnershipStatus.udloebet: "Udløbet",
}


class CampaignKind(StrEnum):
    besoegskampagne = "besoegskampagne"
    telefonkampagne = "telefonkampagne"
    rekrutteringskampagne = "rekrutteringskampagne"
    temakampagne = "temakampagne"
    arrangement = "arrangement"


CAMPAIGN_KIND_LABELS = {
    CampaignKind.besoegskampagne: "Besøgskampagne",
    CampaignKind.telefonkampagne: "Telefonkampagne",
    CampaignKind.rekrutteringskampagne: "Rekrutteringskampagne",
    CampaignKind.temakampagne: "Temakampagne",
    CampaignKind.arrangement: "Arrangement",
}


class CampaignSegmentKind(StrEnum):
    all = "all"  # every company with at least one employee
    partners = "partners"  # companies with an agreement active on the campaign's start day
    industry = "industry"  # DB07 industry code prefix
    sector = "sector"


# A target in one of these states needs no more follow-up.
FINAL_CAMPAIGN_TARGET_STATUSES = (CampaignTargetStatus.besoegt, CampaignTargetStatus.afslaaet)


class FollowUpKind(StrEnum):
    """Where a follow-up task (opfølgning) comes from."""

    aktivitet = "aktivitet"
    kampagne = "kampagne"


PROPOSAL_STATUS_LABELS = {
    ProposalStatus.foreslaaet: "Foreslået",
    ProposalStatus.afvist: "Afvist",
    ProposalStatus.ansat: "Ansat",
}

RECEIVED_VIA_LABELS = {
    ReceivedVia.portal: "Portal",
    ReceivedVia.hotline: "Hotline",
    ReceivedVia.email: "E-mail",
    ReceivedVia.konsulent: "Konsulent",
}

# Order statuses no manual transition leaves (see services/crm/orders/lifecycle.py).
FINAL_ORDER_STATUSES = (OrderStatus.besat, OrderStatus.annulleret, OrderStatus.udloebet)

# Names of the scheme rules a placement can breach (shared/rules/book.py), for people.
RULE_LABELS = {
    "max_varighed": "Maksimal varighed",
    "igu_alder": "IGU: alder ved start",
    "igu_sidste_start": "IGU: sidste startdato",
    "rimelighedskrav": "Rimelighedskravet",
}

# Each scheme in plain Danish for a company ordering through the portal (issue 5); figures follow
# ../shared/domain-rules.md and change with the law, like shared/rules/scheme_rules.yaml.
SCHEME_EXPLANATIONS = {
    Scheme.ordinaer: "En almindelig ansættelse på almindelige løn- og arbejdsvilkår. Jobcentret finder "
                     "kandidater; I vælger, ansætter og betaler løn som normalt.",
    Scheme.virksomhedspraktik: "En ledig prøver arbejdet hos jer i en kort periode, typisk 4 til 13 uger, uden løn: "
                               "personen beholder sin ydelse. Godt til at afprøve et match eller lære faget.",
    Scheme.loentilskud: "I ansætter en ledig og får tilskud til lønnen i en periode (privat arbejdsgiver: op til "
                        "6 måneder). Det kræver, at I har flere ordinært ansatte end i gennemsnit det seneste år.",
    Scheme.igu: "Integrationsgrunduddannelse: en flygtning eller familiesammenført (18 til 49 år) arbejder hos jer "
                "i 2 år med løn og går i skole i 23 uger. Private arbejdsgivere får en bonus efter 6 og 24 måneder.",
    Scheme.fleksjob: "Et job til en person med varigt nedsat arbejdsevne, som kommunen har godkendt til fleksjob. "
                     "I betaler løn for de timer, der arbejdes; timetallet aftales efter evne og kan være lavt.",
    Scheme.voksenlaerling: "En lærling på 25 år eller mere tager en erhvervsuddannelse hos jer; I kan få tilskud til lønnen.",
    Scheme.jobrotation: "En ledig ansættes som vikar, mens jeres medarbejdere er på efteruddannelse. "
                        "Ordningen lukker for nye forløb med reformen (lov 1750/2025).",
    Scheme.nytteindsats: "Opgaver på en offentlig arbejdsplads, som ellers ikke ville blive løst; kun for offentlige arbejdsgivere.",
    Scheme.skaanejob: "Et job på særlige vilkår til en person på førtidspension.",
}


# -- notifications -------------------------------------------------------------------------------

class SegmentKind(StrEnum):
    """Who a newsletter goes to (api-contract.md); always only contacts with newsletter consent."""

    all_consenting = "all_consenting"
    partners = "partners"
    sector = "sector"
    industry = "industry"
    campaign = "campaign"


SEGMENT_LABELS = {
    SegmentKind.all_consenting: "Alle kontaktpersoner med samtykke",
    SegmentKind.partners: "Partnervirksomheder",
    SegmentKind.sector: "En sektor",
    SegmentKind.industry: "En branche",
    SegmentKind.campaign: "En kampagnes målgruppe",
}


class NewsletterStatus(StrEnum):
    kladde = "kladde"  # draft
    planlagt = "planlagt"  # scheduled
    sender = "sender"  # deliveries exist, some not finished
    sendt = "sendt"  # every delivery finished (sent, failed, bounced or skipped)


NEWSLETTER_STATUS_LABELS = {
    NewsletterStatus.kladde: "Kladde",
    NewsletterStatus.planlagt: "Planlagt",
    NewsletterStatus.sender: "Sendes",
    NewsletterStatus.sendt: "Sendt",
}


class DeliveryKind(StrEnum):
    newsletter = "newsletter"
    test = "test"  # a newsletter's test copy to its author
    order_receipt = "order_receipt"  # kvittering til virksomheden for en ordre fra portalen
    order_alert = "order_alert"  # besked til den ansvarlige konsulent om en ny ordre
    followup = "followup"  # opfølgning forfalder i dag
    followup_digest = "followup_digest"  # morgenoversigt over overskredne opfølgninger
    deadline_reminder = "deadline_reminder"  # ordre nær frist med ubesatte stillinger
    survey = "survey"  # tilfredshedsmåling til ordrens kontaktperson, når ordren er afsluttet


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for a worker (maybe after a transient failure)
    claimed = "claimed"  # a worker owns it and is talking to the SMTP server
    sending = "sending"  # the final dot may have reached the server: never sent again
    sent = "sent"
    failed = "failed"  # permanent failure (5xx) or out of attempts; last_error holds the answer
    bounced = "bounced"  # the server refused the recipient address (5xx on RCPT)
    skipped = "skipped"  # consent withdrawn before the send: nothing was sent


DELIVERY_OPEN_STATUSES = (DeliveryStatus.pending, DeliveryStatus.claimed, DeliveryStatus.sending)

DELIVERY_STATUS_LABELS = {
    DeliveryStatus.pending: "I kø",
    DeliveryStatus.claimed: "Sendes",
    DeliveryStatus.sending: "Sendes",
    DeliveryStatus.sent: "Sendt",
    DeliveryStatus.failed: "Fejlet",
    DeliveryStatus.bounced: "Afvist af modtager",
    DeliveryStatus.skipped: "Afmeldt før afsendelse",
}


# -- matching (services/matching) -------------------------------------------------------------

class IguBasis(StrEnum):
    """Why a person may start an IGU (lov om integrationsgrunduddannelse § 2)."""

    flygtning = "flygtning"
    familiesammenfoert = "familiesammenfoert"
    ukraine_saerlov = "ukraine_saerlov"
    afghanistan_saerlov = "afghanistan_saerlov"
    ingen = "ingen"


class EducationLevel(StrEnum):
    ingen = "ingen"
    grundskole = "grundskole"
    gymnasial = "gymnasial"
    erhvervsuddannelse = "erhvervsuddannelse"
    kort_videregaaende = "kort_videregaaende"
    mellemlang_videregaaende = "mellemlang_videregaaende"
    lang_videregaaende = "lang_videregaaende"


EDUCATION_LABELS = {
    EducationLevel.ingen: "Ingen uddannelse",
    EducationLevel.grundskole: "Grundskole",
    EducationLevel.gymnasial: "Gymnasial uddannelse",
    EducationLevel.erhvervsuddannelse: "Erhvervsuddannelse",
    EducationLevel.kort_videregaaende: "Kort videregående uddannelse",
    EducationLevel.mellemlang_videregaaende: "Mellemlang videregående uddannelse",
    EducationLevel.lang_videregaaende: "Lang videregående uddannelse",
}

# Danish driving-licence categories (kørekortkategorier).
DRIVING_LICENCES = ("AM", "A1", "A2", "A", "B", "BE", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE")

# The code list of target groups is versioned: the reform of 2027 cuts 13 groups to 5.
TARGET_GROUP_CODE_LIST_VERSION = "2025-07"

class VacancyStatus(StrEnum):
    aaben = "aaben"
    lukket = "lukket"


class MatchOutcome(StrEnum):
    foreslaaet = "foreslaaet"
    ansat = "ansat"
    afvist = "afvist"


# How a consultant or manager reads a score part; the technique is in docs/matching.md.
MATCH_PART_LABELS = {
    "semantic": "Indholdslighed",
    "lexical": "Fælles ord",
    "skills": "Kompetencer",
    "occupation": "Stilling (ESCO)",
    "distance": "Afstand",
}

# Denmark's 98 municipalities by their official codes (kommunekoder, since the 2007 reform): a
# job seeker's home municipality is kept as its code; people read its name.
MUNICIPALITY_NAMES = {
    101: "København", 147: "Frederiksberg", 151: "Ballerup", 153: "Brøndby", 155: "Dragør", 157: "Gentofte",
    159: "Gladsaxe", 161: "Glostrup", 163: "Herlev", 165: "Albertslund", 167: "Hvidovre", 169: "Høje-Taastrup",
    173: "Lyngby-Taarbæk", 175: "Rødovre", 183: "Ishøj", 185: "Tårnby", 187: "Vallensbæk", 190: "Furesø",
    201: "Allerød", 210: "Fredensborg", 217: "Helsingør", 219: "Hillerød", 223: "Hørsholm", 230: "Rudersdal",
    240: "Egedal", 250: "Frederikssund", 253: "Greve", 259: "Køge", 260: "Halsnæs", 265: "Roskilde",
    269: "Solrød", 270: "Gribskov", 306: "Odsherred", 316: "Holbæk", 320: "Faxe", 326: "Kalundborg",
    329: "Ringsted", 330: "Slagelse", 336: "Stevns", 340: "Sorø", 350: "Lejre", 360: "Lolland", 370: "Næstved",
    376: "Guldborgsund", 390: "Vordingborg", 400: "Bornholm", 410: "Middelfart", 420: "Assens",
    430: "Faaborg-Midtfyn", 440: "Kerteminde", 450: "Nyborg", 461: "Odense", 479: "Svendborg", 480: "Nordfyns",
    482: "Langeland", 492: "Ærø", 510: "Haderslev", 530: "Billund", 540: "Sønderborg", 550: "Tønder",
    561: "Esbjerg", 563: "Fanø", 573: "Varde", 575: "Vejen", 580: "Aabenraa", 607: "Fredericia", 615: "Horsens",
    621: "Kolding", 630: "Vejle", 657: "Herning", 661: "Holstebro", 665: "Lemvig", 671: "Struer",
    706: "Syddjurs", 707: "Norddjurs", 710: "Favrskov", 727: "Odder", 730: "Randers", 740: "Silkeborg",
    741: "Samsø", 746: "Skanderborg", 751: "Aarhus", 756: "Ikast-Brande", 760: "Ringkøbing-Skjern",
    766: "Hedensted", 773: "Morsø", 779: "Skive", 787: "Thisted", 791: "Viborg", 810: "Brønderslev",
    813: "Frederikshavn", 820: "Vesthimmerlands", 825: "Læsø", 840: "Rebild", 846: "Mariagerfjord",
    849: "Jammerbugt", 851: "Aalborg", 860: "Hjørring",
}

ELIGIBILITY_LABELS = {
    "fleksjob_visiteret": "visiteret til fleksjob",
    "igu_grundlag": "IGU-grundlag (flygtning eller familiesammenført)",
    "igu_aar_i_danmark": "højst 20 år i Danmark (IGU)",
    "igu_alder": "alder ved start (IGU)",
    "loentilskud_ledighed": "ledighed før løntilskud",
    "praktik_varighed": "praktikkens længde for målgruppen",
    "voksenlaerling_alder": "mindst 25 år (voksenlærling)",
    "timer": "timer der passer",
    "kommune_samtykke": "samtykke til søgning fra andre kommuner",
}


# Issue 14 part 1: the answers of the satisfaction survey sent when an order closes
# (docs/satisfaction.md). 4 and 5 count as satisfied.
SATISFACTION_QUESTION = "Hvor tilfredse er I med jobcentrets hjælp til denne rekruttering?"
SATISFACTION_SCORE_LABELS = {
    5: "Meget tilfredse",
    4: "Tilfredse",
    3: "Hverken tilfredse eller utilfredse",
    2: "Utilfredse",
    1: "Meget utilfredse",
}
SATISFIED_SCORES = (4, 5)
