"""A believable Danish municipality's company-service history, deterministic for a seed.

`normal` is Slagelse-sized and calibrated on the seeds (`../shared/seeds/`): ~1,200 companies with
employees, ~350 active partnership agreements (Verdensmål 4, 8, 10, 17 most common), ~3,500
company contacts a year (~1,800 calls, ~1,100 visits), ~145 ordering companies a year with ~21 %
repeat orders, ~276 positions and ~45 % filled, ~90 % local candidates, løntilskud and praktik
placements per month and sector like seed 002's table, fleksjob hours that go up, down or stay
as in seed 001, and IGU outcomes as in seed 002. `large` is a big jobcentre's ten years for the
benchmarks: 50,000 companies, 500,000 activities, 50,000 orders and 100,000 placements.

The data ends on `as_of` (default: today) and covers that year and the nine before it; the same
seed and `as_of` always give the same rows.
"""

from __future__ import annotations

import bisect
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from stdnum.dk import cvr as stdnum_cvr

from services.crm.demo import danish as dk
from services.crm.demo.users import DEMO_COLLEAGUES, DEMO_COMPANY_NAME, DEMO_USERS, DemoUser
from shared.demo_catalogue import job_for

TZ = ZoneInfo("Europe/Copenhagen")
# Follow-ups older than this are closed in the demo; younger ones may still be open (overdue).
OPEN_FOLLOW_UP_DAYS = 21


@dataclass(frozen=True)
class Profile:
    name: str
    companies: int
    partner_companies: int  # companies that hold an agreement at some point
    activities_per_year: int
    order_companies_per_year: int
    directed_per_year: int  # company-directed placements a year outside orders (fleksjob, IGU apart)
    ordinary_per_year: int  # ordinary hires a year outside orders
    fleksjob_per_year: int
    igu_per_year: int
    years: int = 10


NORMAL = Profile("normal", companies=1_350, partner_companies=590, activities_per_year=3_500,
                 order_companies_per_year=145, directed_per_year=1_040, ordinary_per_year=290,
                 fleksjob_per_year=105, igu_per_year=6)
LARGE = Profile("large", companies=50_000, partner_companies=20_000, activities_per_year=50_600,
                order_companies_per_year=4_080, directed_per_year=4_400, ordinary_per_year=1_250,
                fleksjob_per_year=480, igu_per_year=25)
PROFILES = {p.name: p for p in (NORMAL, LARGE)}

# Verdensmål on agreements: 8, 4, 10 and 17 are the ones Slagelse's partners choose most (seed 002).
GOAL_WEIGHTS = {8: 30, 4: 18, 10: 16, 17: 16, 3: 6, 5: 5, 12: 4, 13: 3, 9: 3, 7: 2, 11: 2, 1: 1, 6: 1, 15: 1,
                16: 1, 2: 0.5, 14: 0.5}
CHANNEL_SHARES = {"telefon": 1800, "besoeg": 1100, "email": 300, "moede": 150, "video": 80, "arrangement": 70}
MONTH_WEIGHTS = (9, 9, 10, 9, 9, 8, 3, 8, 10, 10, 10, 5)  # July and December are quiet
ORDER_SCHEMES = {"ordinaer": 55, "loentilskud": 14, "virksomhedspraktik": 12, "fleksjob": 8, "voksenlaerling": 4,
                 "igu": 1, "jobrotation": 2, "skaanejob": 2}
POSITIONS = {1: 70, 2: 16, 3: 7, 4: 4, 5: 1.5, 6: 0.8, 8: 0.5, 10: 0.2}
PURPOSES = {"rekruttering": 30, "virksomhedspraktik": 14, "loentilskud": 9, "fastholdelse": 9, "fleksjob": 8,
            "partnerskab": 6, "opkvalificering": 5, "igu": 2, "andet": 10}
SHORT_PRAKTIK = ("a_dagpenge", "kontanthjaelp_jobparat", "uddannelseshjaelp", "selvforsoergende")


@dataclass
class Stream:
    """Placements of one scheme a year, their target groups, sectors and durations (days)."""

    scheme: str
    per_year: float
    target_groups: dict[str, float]
    sectors: dict[str, float]
    days: tuple[int, int] | None  # None: open-ended
    outcomes: dict[str, float] = field(default_factory=dict)


def _streams(p: Profile) -> list[Stream]:
    k = p.directed_per_year / 1040
    done = {"gennemfoert": 55, "ordinaer_ansaettelse": 12, "uddannelse": 6, "stoppet": 27}
    wage = {"gennemfoert": 50, "ordinaer_ansaettelse": 25, "uddannelse": 5, "stoppet": 20}
    return [
        # Seed 002, item 11: integration løntilskud ~45-56 a month, all private; praktik ~30, some public.
        Stream("loentilskud", 110 * k, {"integration": 1}, {"privat": 1}, (120, 182), wage),
        Stream("virksomhedspraktik", 140 * k, {"integration": 1},
               {"privat": 88, "kommunal": 10, "regional": 2}, (35, 91), done),
        Stream("virksomhedspraktik", 450 * k,
               {"kontanthjaelp_aktivitetsparat": 30, "sygedagpenge": 15, "jobafklaring": 12, "ressourceforloeb": 10,
                "a_dagpenge": 12, "kontanthjaelp_jobparat": 10, "uddannelseshjaelp": 6, "ledighedsydelse": 5},
               {"privat": 70, "kommunal": 20, "regional": 5, "statslig": 2, "forening": 3}, (28, 91), done),
        Stream("loentilskud", 170 * k,
               {"a_dagpenge": 40, "kontanthjaelp_jobparat": 25, "ledighedsydelse": 15, "sygedagpenge": 10,
                "kontanthjaelp_aktivitetsparat": 10},
               {"privat": 55, "kommunal": 35, "regional": 6, "statslig": 2, "forening": 2}, (90, 182), wage),
        Stream("nytteindsats", 50 * k, {"kontanthjaelp_jobparat": 60, "uddannelseshjaelp": 40},
               {"kommunal": 90, "forening": 10}, (28, 91), done),
        Stream("voksenlaerling", 35 * k, {"a_dagpenge": 60, "kontanthjaelp_jobparat": 20, "selvforsoergende": 20},
               {"privat": 90, "kommunal": 10}, (730, 1460), {"gennemfoert": 70, "uddannelse": 10, "stoppet": 20}),
        Stream("jobrotation", 25 * k, {"a_dagpenge": 100}, {"kommunal": 60, "regional": 30, "privat": 10},
               (30, 182), {"gennemfoert": 70, "ordinaer_ansaettelse": 20, "stoppet": 10}),
        Stream("skaanejob", 15 * k, {"selvforsoergende": 100}, {"privat": 60, "forening": 20, "kommunal": 20},
               (365, 2500), {"gennemfoert": 40, "stoppet": 60}),
    ]


def _add_years(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def _describe(job: str, general: str) -> str:
    """An order's text: what the work is (the shared demo catalogue, which matching's demo also
    reads) and a general line. Draws nothing from the generator's random stream."""
    known = job_for(job)
    return f"{known.duties} {general}" if known else general


def _slug(name: str) -> str:
    s = name.lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e"), ("&", "og")):
        s = s.replace(a, b)
    s = re.sub(r"\b(aps|a/s|i/s)\b", "", s)
    return re.sub(r"[^a-z0-9]+", "", s)[:30] or "firma"


class Weighted:
    """Weighted choice with precomputed cumulative weights (rng.choices re-adds them every call)."""

    def __init__(self, items: Sequence, weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _weighted(d: dict) -> Weighted:
    return Weighted(list(d), list(d.values()))


_FORMS = _weighted(dict(dk.COMPANY_FORMS))


@dataclass
class Co:
    id: int
    name: str
    sector: str
    industry: dk.Industry
    employees: int | None
    postcode: str
    consultant_id: int
    created: date
    contacts: list[int] = field(default_factory=list)
    agreements: list[tuple[date, date | None]] = field(default_factory=list)

    def partner_on(self, day: date) -> bool:
        return any(s <= day and (e is None or e >= day) for s, e in self.agreements)


COLUMNS = {
    "app_user": ("id", "email", "password_hash", "full_name", "role", "company_id", "is_active", "failed_logins",
                 "created_at"),
    "company": ("id", "cvr", "name", "sector", "industry_code", "employees", "postcode", "municipality_code",
                "address", "consultant_id", "created_at", "updated_at"),
    "workplace": ("id", "company_id", "p_number", "name", "postcode"),
    "contact": ("id", "company_id", "name", "email", "phone", "title", "newsletter_consent", "consent_given_at",
                "consent_method", "unsubscribed_at", "created_at", "updated_at"),
    "partnership": ("id", "company_id", "signed_on", "ends_on", "consultant_id", "contact_id", "renews_id", "note",
                    "created_at"),
    "partnership_goal": ("partnership_id", "goal"),
    "campaign": ("id", "name", "kind", "description", "starts_on", "ends_on", "segment", "created_by", "created_at"),
    "campaign_target": ("id", "campaign_id", "company_id", "status", "consultant_id", "follow_up_on", "note",
                        "updated_at"),
    "recruitment_order": ("id", "company_id", "title", "description", "scheme", "positions", "positions_filled",
                          "hours_per_week", "postcode", "received_via", "received_on", "deadline", "status",
                          "consultant_id", "contact_id", "created_by", "created_at", "updated_at"),
    "placement": ("id", "company_id", "order_id", "candidate_ref", "scheme", "target_group", "starts_on", "ends_on",
                  "outcome", "outcome_reason", "candidate_municipality_code", "candidate_birth_year",
                  "hours_per_week", "consultant_id", "created_at", "updated_at"),
    "proposal": ("id", "order_id", "candidate_ref", "proposed_on", "status", "decided_on", "placement_id",
                 "created_by", "created_at"),
    "placement_hours": ("id", "placement_id", "on", "hours_per_week", "created_at"),
    "activity": ("id", "company_id", "consultant_id", "contact_id", "campaign_id", "channel", "purposes",
                 "occurred_at", "summary", "follow_up_on", "follow_up_done_at", "created_at"),
}


class Generator:
    def __init__(self, writer, profile: Profile, seed: int, as_of: date, password_hash: str) -> None:
        self.w = writer
        self.p = profile
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.first_year = as_of.year - profile.years + 1
        self.start = date(self.first_year, 1, 1)
        self.password_hash = password_hash
        self.counts: Counter[str] = Counter()
        self.ids = {t: writer.next_id(t) for t in COLUMNS if t != "partnership_goal"}
        self.next_candidate = 1

    # -- helpers ----------------------------------------------------------------------------------

    def new_id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] += 1
        return value

    def write(self, table: str, rows) -> None:
        self.counts[table] += self.w.write(table, COLUMNS[table], rows)

    def day_between(self, a: date, b: date) -> date:
        return a + timedelta(days=self.rng.randrange(max((b - a).days, 0) + 1))

    def workday_in(self, year: int, month: int) -> date:
        first = date(year, month, 1)
        last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        for _ in range(10):
            d = self.day_between(first, last)
            if d.weekday() < 5:
                return d
        return d

    def at_work(self, day: date) -> datetime:
        minutes = self.rng.randrange(8 * 60, 15 * 60 + 30)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=TZ)
        return local.astimezone(UTC)

    def stamp(self, day: date) -> datetime:
        return self.at_work(day)

    def year_fraction(self, year: int) -> float:
        if year < self.as_of.year:
            return 1.0
        return (self.as_of - date(year, 1, 1)).days / 365.0

    def months_of(self, year: int) -> list[int]:
        return [m for m in range(1, 13) if date(year, m, 1) <= self.as_of]

    def candidate(self) -> str:
        ref = f"K-{self.next_candidate:07d}"
        self.next_candidate += 1
        return ref

    def home_municipality(self) -> int | None:
        r = self.rng.random()
        if r < 0.08:
            return None  # not recorded
        if r < 0.92:
            return dk.MUNICIPALITY_CODE
        return self.rng.choice(dk.NEIGHBOUR_MUNICIPALITIES)

    def person_name(self) -> str:
        return f"{self.rng.choice(dk.FIRST_NAMES)} {self.rng.choice(dk.SURNAMES)}"

    # -- stages -----------------------------------------------------------------------------------

    def run(self) -> Counter:
        self.users()
        self.companies()
        self.contacts_and_workplaces()
        self.partnerships()
        self.campaigns()
        self.orders()
        self.placements()
        self.write("proposal", iter(self.proposal_rows))
        self.fleksjob_hours()
        self.activities()
        self.company_user()
        self.w.finish()
        return self.counts

    def users(self) -> None:
        staff: list[DemoUser] = [u for u in DEMO_USERS if u.role != "virksomhed"] + list(DEMO_COLLEAGUES)
        existing = self.w.user_ids([u.email for u in staff])
        rows = []
        self.user_id: dict[str, int] = {}
        created = self.stamp(self.start)
        for u in staff:
            if u.email in existing:
                self.user_id[u.email] = existing[u.email]
                continue
            uid = self.new_id("app_user")
            self.user_id[u.email] = uid
            rows.append((uid, u.email, self.password_hash, u.full_name, u.role, None, True, 0, created))
        self.write("app_user", rows)
        self.consultants = [self.user_id[u.email] for u in staff if u.role == "konsulent"]
        self.leder_id = self.user_id[next(u.email for u in DEMO_USERS if u.role == "leder")]

    def _cvr(self, used: set[str]) -> str:
        while True:
            body = str(self.rng.randrange(1_000_000, 9_999_999))
            weights = (2, 7, 6, 5, 4, 3, 2)
            check = (-sum(int(c) * w for c, w in zip(body, weights))) % 11
            if check == 10:
                continue
            cvr = body + str(check)
            if cvr not in used and stdnum_cvr.is_valid(cvr):
                used.add(cvr)
                return cvr

    def _company_name(self, ind: dk.Industry, town: str, used: set[str]) -> str:
        rng = self.rng
        trade = rng.choice(ind.trades)
        surname = rng.choice(dk.SURNAMES)
        place = rng.choice((town, town, rng.choice(dk.VILLAGES)))
        if ind.sector == "kommunal":
            base = f"{trade} {rng.choice(dk.VILLAGES + (town,))}"
        elif ind.sector == "regional":
            base = f"{trade} {town}"
        elif ind.sector == "statslig":
            base = f"{rng.choice(('Antvorskov', 'Korsør', 'Slagelse'))} {trade}"
        elif ind.sector == "forening":
            base = f"{place} {trade}"
        elif ind.code == "561010" or ind.code == "552000":
            base = f"{trade} {rng.choice(dk.RESTAURANT_WORDS)}" if trade != "Kro" else f"{place} Kro"
        elif ind.code == "471100":
            base = f"{trade} {place}" if "Brugsen" in trade else f"{surname}s {trade}"
        elif ind.code in ("011100", "014100") and rng.random() < 0.5:
            base = f"{rng.choice(('Ege', 'Høj', 'Bøge', 'Lunde', 'Skov', 'Mølle', 'Sønder', 'Vester'))}gården"
        else:
            pattern = rng.random()
            if pattern < 0.3:
                base = f"{surname} {trade}"
            elif pattern < 0.45:
                base = f"{surname}s {trade}"
            elif pattern < 0.65:
                base = f"{place} {trade}"
            elif pattern < 0.8:
                base = f"{rng.choice(dk.BRAND_WORDS)} {trade}"
            elif pattern < 0.9:
                base = f"{surname} & Søn {trade}"
            else:
                base = f"{trade} {place}"
            form = _FORMS.pick(rng)
            base = f"{base} {form}".strip()
        name, n = base, 2
        while name in used:
            name = f"{base} {town}" if n == 2 and town not in base else f"{base} ({n})"
            n += 1
        used.add(name)
        return name

    def companies(self) -> None:
        rng = self.rng
        industries = Weighted(dk.INDUSTRIES, [i.weight for i in dk.INDUSTRIES])
        postcodes = Weighted([(p, t) for p, t, _ in dk.POSTCODES], [w for *_, w in dk.POSTCODES])
        bands = {k: Weighted(v, [w for *_, w in v]) for k, v in dk.SIZE_BANDS.items()}
        # Each consultant has a patch; the demo consultant has central Slagelse.
        patches: dict[str, list[int]] = {pc: self.consultants[1:4] for pc, *_ in dk.POSTCODES}
        patches["4200"] = self.consultants[:4]
        patches["4220"] = self.consultants[4:6] or self.consultants[:1]
        patches["4230"] = self.consultants[6:] or self.consultants[:1]
        used_cvr: set[str] = set()
        used_names: set[str] = set()
        self.cos: list[Co] = []
        rows = []
        steel = next(i for i in dk.INDUSTRIES if i.code == "251100")
        for n in range(self.p.companies):
            if n == 0:
                ind, (postcode, town), employees, name = steel, ("4200", "Slagelse"), 45, DEMO_COMPANY_NAME
                used_names.add(name)
                consultant = self.consultants[0]
                created = self.start
            else:
                ind = industries.pick(rng)
                postcode, town = postcodes.pick(rng)
                low, high, _ = bands[ind.size].pick(rng)
                employees = rng.randint(low, high)
                r = rng.random()
                if ind.sector == "privat" and r < 0.08:
                    employees = 0  # sole traders and holding companies
                elif r < 0.1:
                    employees = None  # not yet recorded
                name = self._company_name(ind, town, used_names)
                consultant = rng.choice(patches[postcode])
                created = self.start if rng.random() < 0.8 else self.day_between(self.start, self.as_of)
            cid = self.new_id("company")
            co = Co(cid, name, ind.sector, ind, employees, postcode, consultant, created)
            self.cos.append(co)
            address = f"{rng.choice(dk.STREETS)} {rng.randint(1, 120)}"
            stamp = self.stamp(created)
            rows.append((cid, self._cvr(used_cvr), name, ind.sector, ind.code, employees, postcode,
                         dk.MUNICIPALITY_CODE, address, consultant, stamp, stamp))
        self.write("company", rows)
        self.showcase = self.cos[0]
        self.employing = [c for c in self.cos if c.employees]
        self.by_sector: dict[str, list[Co]] = defaultdict(list)
        for c in self.employing:
            self.by_sector[c.sector].append(c)
        # Bigger workplaces take more placements and place more orders, but not proportionally.
        self.pick_sector = {s: Weighted(cs, [min(c.employees, 400) ** 0.8 for c in cs])
                            for s, cs in self.by_sector.items()}
        self.pick_any = Weighted(self.employing, [min(c.employees, 400) ** 0.8 for c in self.employing])

    def contacts_and_workplaces(self) -> None:
        rng = self.rng
        rows, places = [], []
        methods = ("skriftlig", "mundtlig", "portal", "email")
        used_p: set[str] = set()
        for co in self.cos:
            n = 1 if not co.employees or co.employees < 10 else (2 if co.employees < 50 else 3)
            domain = f"{_slug(co.name)}.dk"
            for i in range(n):
                first = rng.choice(dk.FIRST_NAMES)
                name = f"{first} {rng.choice(dk.SURNAMES)}"
                email = f"{_slug(first)}{'' if i == 0 else i + 1}@{domain}" if rng.random() < 0.9 else None
                phone = f"+45 {rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
                title = "Indehaver" if (co.employees or 0) < 5 and i == 0 else rng.choice(dk.TITLES)
                created = self.stamp(co.created)
                consent, given, method, unsub = False, None, None, None
                r = rng.random()
                if email and r < 0.5:
                    given = self.stamp(self.day_between(co.created, self.as_of))
                    method = rng.choice(methods)
                    consent = True
                    if r < 0.06:  # withdrew consent later
                        consent = False
                        unsub = given + timedelta(days=rng.randint(30, 900))
                        if unsub.date() > self.as_of:
                            consent, unsub = True, None
                cid = self.new_id("contact")
                co.contacts.append(cid)
                rows.append((cid, co.id, name, email, phone, title, consent, given, method, unsub, created, created))
            units = 0
            if co.sector == "kommunal" and (co.employees or 0) >= 50:
                units = rng.randint(1, 3)
            elif (co.employees or 0) >= 100:
                units = rng.randint(1, 2)
            for u in range(units):
                while (p := str(rng.randrange(1_000_000_000, 9_999_999_999))) in used_p:
                    pass
                used_p.add(p)
                places.append((self.new_id("workplace"), co.id, p, f"{co.name}, afdeling {u + 1}", co.postcode))
        self.write("contact", rows)
        self.write("workplace", places)

    def partnerships(self) -> None:
        rng = self.rng
        goals = _weighted(GOAL_WEIGHTS)
        chosen: list[Co] = [self.showcase]
        seen = {self.showcase.id}
        pool = Weighted(self.employing, [min(c.employees, 400) ** 0.5 for c in self.employing])
        target = min(self.p.partner_companies, len(self.employing))
        while len(chosen) < target:
            c = pool.pick(rng)
            if c.id not in seen:
                seen.add(c.id)
                chosen.append(c)
        rows, goal_rows = [], []
        years = self.p.years
        for i, co in enumerate(chosen):
            r = rng.random()
            if i == 0:
                signed = date(self.first_year, 3, 1)
            elif r < 0.45:
                signed = self.day_between(self.start, date(self.first_year, 12, 31))
            elif r < 0.75:
                signed = self.day_between(date(self.first_year + 1, 1, 1), date(self.first_year + 1, 12, 31))
            else:
                signed = self.day_between(date(self.first_year + 2, 1, 1), date(self.first_year + years - 1, 12, 31))
            signed = max(signed, co.created)
            if signed > self.as_of:
                continue
            tags = sorted({goals.pick(rng) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))})
            contact = co.contacts[0] if co.contacts else None
            open_ended = rng.random() < 0.12 and i != 0
            previous = None
            while signed <= self.as_of:
                pid = self.new_id("partnership")
                ends = None if open_ended else _add_years(signed, 2) - timedelta(days=1)
                co.agreements.append((signed, ends))
                note = "Fornyet aftale" if previous else "Partnerskabsaftale om rekruttering og virksomhedsrettede forløb"
                rows.append((pid, co.id, signed, ends, co.consultant_id, contact, previous, note, self.stamp(signed)))
                goal_rows.extend((pid, g) for g in tags)
                if ends is None or (i != 0 and rng.random() > 0.8):
                    break
                previous, signed = pid, ends + timedelta(days=1)
        self.write("partnership", rows)
        self.write("partnership_goal", goal_rows)

    def campaigns(self) -> None:
        rng = self.rng
        campaigns, targets = [], []
        self.campaign_activities: list[tuple] = []
        visits_per_year = self.p.activities_per_year * CHANNEL_SHARES["besoeg"] / sum(CHANNEL_SHARES.values())
        for year in range(self.first_year, self.as_of.year + 1):
            starts, ends = date(year, 2, 1), date(year, 11, 30)
            if starts > self.as_of:
                continue
            cid = self.new_id("campaign")
            campaigns.append((cid, f"Besøgskampagne {year}", "besoegskampagne",
                              "Det årlige besøg hos alle virksomheder med ansatte i kommunen.", starts, ends,
                              {"kind": "all"}, self.leder_id, self.stamp(starts - timedelta(days=14))))
            members = [c for c in self.employing if c.created <= starts]
            # About half of the visits of a year are campaign visits.
            visited_share = min(0.5, 0.55 * visits_per_year / max(len(members), 1))
            progress = min(1.0, max(0.0, (self.as_of - starts).days / (ends - starts).days))
            self._targets(cid, members, starts, min(ends, self.as_of), visited_share * progress, progress, targets,
                          "besoeg", ["kampagne"])
            if year >= self.first_year + 1 and date(year, 3, 1) <= self.as_of:
                cid = self.new_id("campaign")
                s, e = date(year, 3, 1), date(year, 5, 15)
                campaigns.append((cid, f"Sommerferieafløsere {year}", "rekrutteringskampagne",
                                  "Ring til offentlige arbejdspladser om sommerafløsere fra jobcentret.", s, e,
                                  {"kind": "sector", "sector": "kommunal"}, self.leder_id, self.stamp(s)))
                members = [c for c in self.by_sector["kommunal"] if c.created <= s]
                progress = min(1.0, (self.as_of - s).days / (e - s).days)
                self._targets(cid, members, s, min(e, self.as_of), 0.25 * progress, progress, targets, "telefon",
                              ["kampagne", "rekruttering"])
        ukraine = date(2022, 4, 1)
        if self.first_year <= 2022 and ukraine <= self.as_of:
            cid = self.new_id("campaign")
            e = date(2022, 12, 31)
            campaigns.append((cid, "Job til fordrevne fra Ukraine 2022", "temakampagne",
                              "Virksomheder i hotel, restauration og landbrug kontaktes om job til fordrevne.",
                              ukraine, e, {"kind": "industry", "industry_code": "56"}, self.leder_id,
                              self.stamp(ukraine)))
            members = [c for c in self.employing if c.industry.code.startswith("56") and c.created <= ukraine]
            progress = min(1.0, (self.as_of - ukraine).days / (e - ukraine).days)
            self._targets(cid, members, ukraine, min(e, self.as_of), 0.35 * progress, progress, targets, "telefon",
                          ["kampagne", "rekruttering"])
        self.write("campaign", campaigns)
        self.write("campaign_target", targets)

    def _targets(self, campaign_id, members, starts, until, reached_share, progress, rows, channel, purposes):
        rng = self.rng
        for co in members:
            r = rng.random()
            follow = None
            if r < reached_share:
                status = "besoegt" if channel == "besoeg" else "kontaktet"
                day = self.day_between(starts, until)
                self.campaign_activities.append((co, channel, purposes, day, campaign_id))
            elif r < reached_share + 0.18 * progress:
                status = "kontaktet"
                follow = self.day_between(starts, until) + timedelta(days=rng.randint(7, 30))
                if follow < self.as_of - timedelta(days=OPEN_FOLLOW_UP_DAYS):
                    follow = None  # followed up long ago (drawn all the same: other figures stay put)
            elif r < reached_share + 0.25 * progress:
                status = "afslaaet"
            else:
                status = "planlagt"
            rows.append((self.new_id("campaign_target"), campaign_id, co.id, status, co.consultant_id, follow, None,
                         self.stamp(min(until, self.as_of))))

    # -- orders, their proposals and the placements they lead to ---------------------------------

    def _choose_company(self, day: date, pool: Weighted, partner_boost: float) -> Co:
        """Weighted by size, partners on `day` `partner_boost` times as likely (rejection sampling)."""
        for _ in range(200):
            co = pool.pick(self.rng)
            if co.created > day:
                continue
            if co.partner_on(day) or self.rng.random() < 1 / partner_boost:
                return co
        return co

    def orders(self) -> None:
        rng = self.rng
        schemes = _weighted(ORDER_SCHEMES)
        positions = _weighted(POSITIONS)
        rows = []
        self.proposal_rows: list[tuple] = []
        self.order_placements: list[tuple] = []  # (placement id, order id, company, scheme, start, hours)
        for year in range(self.first_year, self.as_of.year + 1):
            n_companies = round(self.p.order_companies_per_year * self.year_fraction(year) * rng.uniform(0.92, 1.08))
            months = self.months_of(year)
            chosen: dict[int, Co] = {}
            first_day = date(year, 1, 1)
            if year <= self.as_of.year and self.showcase.id not in chosen:
                chosen[self.showcase.id] = self.showcase
            while len(chosen) < n_companies:
                co = self._choose_company(first_day, self.pick_any, 1.6)
                chosen.setdefault(co.id, co)
            portal_share = min(0.55, 0.06 + 0.05 * (year - self.first_year))
            via = _weighted({"portal": portal_share, "hotline": 0.38 * (1 - portal_share),
                             "konsulent": 0.38 * (1 - portal_share), "email": 0.24 * (1 - portal_share)})
            for co in chosen.values():
                r = rng.random()
                k = 1 if r < 0.79 else (2 if r < 0.95 else (3 if r < 0.99 else 4))
                for _ in range(k):
                    received = self.workday_in(year, rng.choice(months))
                    if received > self.as_of:
                        received = self.as_of
                    rows.append(self._order(co, received, schemes.pick(rng), positions.pick(rng), via.pick(rng)))
        self.write("recruitment_order", rows)

    def _order(self, co: Co, received: date, scheme: str, positions: int, via: str) -> tuple:
        rng = self.rng
        oid = self.new_id("recruitment_order")
        job = rng.choice(co.industry.jobs)
        prefix = {"loentilskud": "Løntilskud: ", "virksomhedspraktik": "Praktikplads: ", "fleksjob": "Fleksjob: ",
                  "igu": "IGU-elev: ", "voksenlaerling": "Voksenlærling: ", "jobrotation": "Vikar (jobrotation): ",
                  "skaanejob": "Skånejob: "}.get(scheme, "")
        hours = 37.0 if scheme in ("ordinaer", "voksenlaerling", "jobrotation", "igu") else (
            float(rng.randint(8, 25)) if scheme in ("fleksjob", "skaanejob") else float(rng.choice((25, 30, 37))))
        deadline = received + timedelta(days=rng.randint(14, 45))
        open_order = deadline >= self.as_of
        filled = 0
        cancelled = rng.random() < 0.05
        if not cancelled:
            # Some orders find nobody; the rest fill about two positions in three.
            p_fill = 0.0 if rng.random() < 0.3 else 0.66
            proposed_any = p_fill > 0 or rng.random() < 0.55
            hires = []
            for _ in range(positions):
                if rng.random() < p_fill:
                    proposed = received + timedelta(days=rng.randint(3, 25))
                    late = rng.random() < 0.1
                    decided = proposed + timedelta(days=rng.randint(60, 120) if late else rng.randint(5, 40))
                    if decided <= self.as_of:
                        hires.append((proposed, decided))
            for proposed, decided in hires:
                pid = self.new_id("placement")
                cand = self.candidate()
                starts = min(decided + timedelta(days=rng.randint(0, 21)), self.as_of)
                self.order_placements.append((pid, oid, co, scheme, starts, hours, cand))
                self.proposal_rows.append((self.new_id("proposal"), oid, cand, proposed, "ansat", decided, pid, None,
                                           self.stamp(proposed)))
            filled = len(hires)
            if proposed_any:
                for _ in range(rng.randint(1, 4)):
                    proposed = received + timedelta(days=rng.randint(2, 30))
                    if proposed > self.as_of:
                        continue
                    decided = proposed + timedelta(days=rng.randint(3, 30))
                    undecided = decided > self.as_of or (open_order and rng.random() < 0.5)
                    self.proposal_rows.append((self.new_id("proposal"), oid, self.candidate(), proposed,
                                               "foreslaaet" if undecided else "afvist", None if undecided else decided,
                                               None, None, self.stamp(proposed)))
        if cancelled:
            status = "annulleret"
        elif filled >= positions:
            status = "besat"
        elif open_order:
            status = "i_gang" if filled or rng.random() < 0.6 else "modtaget"
        else:
            # Past its deadline and not filled: crm's daily job expires an order then, partly filled
            # or not (orders.service.expire_overdue_orders). Left open, the first start would expire
            # years of orders at once and mail each company a satisfaction survey about them.
            status = "udloebet"
        stamp = self.stamp(received)
        return (oid, co.id, f"{prefix}{job}", _describe(job, rng.choice(dk.ORDER_DESCRIPTIONS)), scheme, positions,
                filled, hours,
                co.postcode, via, received, deadline, status, co.consultant_id, co.contacts[0] if co.contacts else None,
                None, stamp, stamp)

    # -- placements --------------------------------------------------------------------------------

    def _end(self, scheme: str, starts: date, days: tuple[int, int] | None, outcomes: dict[str, float]):
        """(ends_on, outcome, reason) as known on as_of."""
        rng = self.rng
        if days is None:
            return None, "igang", None
        ends = starts + timedelta(days=rng.randint(*days))
        if ends > self.as_of:
            return ends, "igang", None  # the planned end
        outcome = _weighted(outcomes).pick(rng)
        reason = rng.choice(dk.PLACEMENT_STOP_REASONS) if outcome == "stoppet" else None
        if outcome == "stoppet":  # stopped before the planned end
            ends = starts + timedelta(days=rng.randint(5, max(6, (ends - starts).days)))
        return ends, outcome, reason

    def _birth_year(self, starts: date, low: int, high: int) -> int:
        return starts.year - self.rng.randint(low, high)

    def placements(self) -> None:
        rng = self.rng
        rows = []
        self.fleksjobs: list[tuple[int, date, date | None, float]] = []

        def add(pid, co, order_id, cand, scheme, group, starts, ends, outcome, reason, municipality, born, hours):
            stamp = self.stamp(starts)
            rows.append((pid, co.id, order_id, cand, scheme, group, starts, ends, outcome, reason, municipality, born,
                         hours, co.consultant_id, stamp, stamp))
            if scheme == "fleksjob":
                self.fleksjobs.append((pid, starts, ends, hours))

        def follow_on_hire(co, cand, ends, born, municipality):
            starts = ends + timedelta(days=1)
            if starts <= self.as_of:
                e, o, r = self._end("ordinaer", starts, None if rng.random() < 0.8 else (180, 720),
                                    {"gennemfoert": 80, "stoppet": 20})
                add(self.new_id("placement"), co, None, cand, "ordinaer", None, starts, e, o, r, municipality, born,
                    37.0)

        order_groups = {"ordinaer": None, "loentilskud": "a_dagpenge", "virksomhedspraktik": "kontanthjaelp_jobparat",
                        "fleksjob": "ledighedsydelse", "igu": "integration", "voksenlaerling": "a_dagpenge",
                        "jobrotation": "a_dagpenge", "skaanejob": "selvforsoergende"}
        order_days = {"ordinaer": None, "loentilskud": (90, 182), "virksomhedspraktik": (14, 28),
                      "fleksjob": None, "igu": (730, 730), "voksenlaerling": (730, 1460), "jobrotation": (30, 182),
                      "skaanejob": None}
        for pid, oid, co, scheme, starts, hours, cand in self.order_placements:
            ends, outcome, reason = self._end(scheme, starts, order_days[scheme],
                                              {"gennemfoert": 70, "ordinaer_ansaettelse": 15, "stoppet": 15})
            add(pid, co, oid, cand, scheme, order_groups[scheme], starts, ends, outcome, reason,
                self.home_municipality(), self._birth_year(starts, 20, 60), hours)

        for stream in _streams(self.p):
            groups, sectors = _weighted(stream.target_groups), _weighted(stream.sectors)
            last_year = self.as_of.year if stream.scheme != "jobrotation" else min(self.as_of.year, 2025)
            for year in range(self.first_year, last_year + 1):
                months = self.months_of(year)
                for _ in range(round(stream.per_year * self.year_fraction(year) * rng.uniform(0.94, 1.06))):
                    starts = self.workday_in(year, rng.choice(months))
                    if starts > self.as_of:
                        continue
                    sector = sectors.pick(rng)
                    if sector not in self.pick_sector:
                        sector = "privat"
                    co = self._choose_company(starts, self.pick_sector[sector], 1.4)
                    group = groups.pick(rng)
                    days = stream.days
                    if stream.scheme == "virksomhedspraktik" and group in SHORT_PRAKTIK:
                        days = (14, 28)  # 4 weeks for the job-ready (LAB § 60)
                    ends, outcome, reason = self._end(stream.scheme, starts, days, stream.outcomes)
                    cand = self.candidate()
                    born = self._birth_year(starts, 25 if stream.scheme == "voksenlaerling" else 18, 62)
                    municipality = self.home_municipality()
                    hours = float(rng.choice((20, 25, 30, 37)))
                    add(self.new_id("placement"), co, None, cand, stream.scheme, group, starts, ends, outcome, reason,
                        municipality, born, hours)
                    if outcome == "ordinaer_ansaettelse" and ends:
                        follow_on_hire(co, cand, ends, born, municipality)

        # Ordinary hires the jobcentre helped with outside orders (Vordingborg: ~400 a year in all).
        for year in range(self.first_year, self.as_of.year + 1):
            months = self.months_of(year)
            for _ in range(round(self.p.ordinary_per_year * self.year_fraction(year))):
                starts = self.workday_in(year, rng.choice(months))
                if starts > self.as_of:
                    continue
                co = self._choose_company(starts, self.pick_any, 1.2)
                ends, outcome, reason = self._end("ordinaer", starts, None if rng.random() < 0.7 else (60, 720),
                                                  {"gennemfoert": 85, "stoppet": 15})
                add(self.new_id("placement"), co, None, self.candidate(), "ordinaer", None, starts, ends, outcome,
                    reason, self.home_municipality(), self._birth_year(starts, 18, 64), 37.0)

        # Fleksjob: long-running, so the stock at the window's start began years before it.
        fleks_from = self.first_year - 4
        for year in range(fleks_from, self.as_of.year + 1):
            months = self.months_of(year)
            for _ in range(round(self.p.fleksjob_per_year * self.year_fraction(year))):
                starts = self.workday_in(year, rng.choice(months))
                if starts > self.as_of:
                    continue
                co = self._choose_company(max(starts, self.start), self.pick_any, 2.0)
                years = rng.expovariate(1 / 7.5)
                ends = starts + timedelta(days=int(years * 365))
                outcome, reason = "igang", None
                if ends > self.as_of:
                    ends = None
                else:
                    outcome = _weighted({"stoppet": 55, "gennemfoert": 45}).pick(rng)
                    reason = rng.choice(("overgået til førtidspension", "selvforsørgende med flere timer",
                                         "folkepension", "sygdom", "virksomheden lukket")) if outcome == "stoppet" else None
                hours = float(rng.choice((6, 8, 10, 10, 12, 12, 15, 15, 18, 20, 25)))
                add(self.new_id("placement"), co, None, self.candidate(), "fleksjob", "ledighedsydelse", starts, ends,
                    outcome, reason, self.home_municipality(), self._birth_year(starts, 30, 62), hours)

        # IGU (seed 002: 24 established in three years; 4 completed, 4 ongoing, 16 stopped early).
        igu_reasons = Weighted(dk.IGU_STOP_REASONS, [w for *_, w in dk.IGU_STOP_REASONS])
        igu_pool = Weighted(self.by_sector["privat"], [1.0 for _ in self.by_sector["privat"]])
        for year in range(self.first_year, self.as_of.year + 1):
            months = self.months_of(year)
            for _ in range(round(self.p.igu_per_year * self.year_fraction(year))):
                starts = self.workday_in(year, rng.choice(months))
                if starts > self.as_of:
                    continue
                co = self._choose_company(starts, igu_pool, 2.0)
                planned = starts + timedelta(days=730)
                if rng.random() < 0.72:  # most who stop do so in the first year
                    ends = starts + timedelta(days=int(min(rng.expovariate(1 / 150), 700)) + 20)
                    reason, outcome, _ = igu_reasons.pick(rng)
                else:
                    ends, outcome, reason = planned, "gennemfoert", None
                if ends > self.as_of:
                    ends, outcome, reason = planned, "igang", None
                add(self.new_id("placement"), co, None, self.candidate(), "igu", "integration", starts, ends, outcome,
                    reason, self.home_municipality(), self._birth_year(starts, 18, 39 if year < 2024 else 49), 30.0)
        self.write("placement", rows)

    def fleksjob_hours(self) -> None:
        """Follow-ups of weekly hours: most stay, some go up (the goal), fewer go down (seed 001)."""
        rng = self.rng

        def rows() -> Iterator[tuple]:
            for pid, starts, ends, h0 in self.fleksjobs:
                r = rng.random()
                change = 0.0 if r < 0.45 else (rng.randint(1, 6) if r < 0.79 else -rng.randint(1, 5))
                changed_on = starts + timedelta(days=rng.randint(90, 1200))
                last = min(ends or self.as_of, self.as_of)
                on = max(starts, self.start - timedelta(days=365)) + timedelta(days=rng.randint(150, 240))
                while on <= last:
                    hours = max(2.0, min(37.0, h0 + change)) if on >= changed_on else h0
                    yield (self.new_id("placement_hours"), pid, on, hours, self.stamp(on))
                    # Follow-ups came more often with the intensified effort from 2023 (seed 001).
                    on += timedelta(days=rng.randint(90, 180) if on.year >= 2023 else rng.randint(180, 365))

        self.write("placement_hours", rows())

    # -- activities ---------------------------------------------------------------------------------

    def activities(self) -> None:
        rng = self.rng
        total_share = sum(CHANNEL_SHARES.values())
        purposes = _weighted(PURPOSES)
        months_w = Weighted(list(range(1, 13)), MONTH_WEIGHTS)
        campaign_by_year: Counter[tuple[int, str]] = Counter()
        for _, channel, _, day, _ in self.campaign_activities:
            campaign_by_year[(day.year, channel)] += 1
        pool = Weighted(self.employing, [min(c.employees, 400) ** 0.5 for c in self.employing])

        def one(co: Co, channel: str, purpose_list: list[str], day: datetime, campaign_id: int | None) -> tuple:
            job = rng.choice(co.industry.jobs).lower()
            summary = rng.choice(dk.ACTIVITY_SUMMARIES[purpose_list[0]]).format(job=job)
            consultant = co.consultant_id if rng.random() < 0.85 else rng.choice(self.consultants)
            contact = rng.choice(co.contacts) if co.contacts and rng.random() < 0.7 else None
            follow, done = None, None
            if rng.random() < 0.25:
                follow = day.date() + timedelta(days=rng.randint(7, 45))
                if follow < self.as_of - timedelta(days=7) and rng.random() < 0.92:
                    done = self.at_work(follow + timedelta(days=rng.randint(0, 5)))
                elif follow < self.as_of - timedelta(days=OPEN_FOLLOW_UP_DAYS):
                    # A real consultant's list holds a handful overdue from the last weeks, not
                    # tasks left open since years back: older ones were closed a few days late.
                    # (No draw from `rng` here, so every other demo figure stays the same.)
                    late = datetime.combine(follow + timedelta(days=3 + follow.toordinal() % 5), time(14, 0),
                                            tzinfo=TZ)
                    done = late.astimezone(UTC)
            return (self.new_id("activity"), co.id, consultant, contact, campaign_id, channel, purpose_list, day,
                    summary, follow, done, day)

        def rows() -> Iterator[tuple]:
            for co, channel, purpose_list, day, campaign_id in self.campaign_activities:
                yield one(co, channel, purpose_list, self.at_work(day), campaign_id)
            for year in range(self.first_year, self.as_of.year + 1):
                fraction = self.year_fraction(year)
                # Video meetings came with 2020 and stayed.
                shares = dict(CHANNEL_SHARES)
                if year >= 2020:
                    shares["video"] *= 3
                    shares["moede"] *= 0.7
                scale = self.p.activities_per_year / sum(shares.values())
                for channel, share in shares.items():
                    n = round(share * scale * fraction * rng.uniform(0.93, 1.07)) - campaign_by_year[(year, channel)]
                    for _ in range(max(n, 0)):
                        month = months_w.pick(rng)
                        if date(year, month, 1) > self.as_of:
                            month = self.as_of.month
                        day = self.workday_in(year, month)
                        if day > self.as_of:
                            day = self.as_of
                        co = self._choose_company(day, pool, 2.0)
                        if co is not self.showcase and rng.random() < 0.004:
                            co = self.showcase  # the demo company has a rich history
                        first = purposes.pick(rng)
                        chosen = [first] if rng.random() < 0.6 else sorted({first, purposes.pick(rng)})
                        if co.partner_on(day) and rng.random() < 0.15 and "partnerskab" not in chosen:
                            chosen = ["partnerskab", *chosen]
                        yield one(co, channel, chosen, self.at_work(day), None)

        self.write("activity", rows())

    def company_user(self) -> None:
        user = next(u for u in DEMO_USERS if u.role == "virksomhed")
        # Without passwords the company's people sign in with MitID Erhverv (the dev broker) instead.
        if self.password_hash is None or user.email in self.w.user_ids([user.email]):
            return
        self.write("app_user", [(self.new_id("app_user"), user.email, self.password_hash, user.full_name, user.role,
                                 self.showcase.id, True, 0, self.stamp(self.start))])


def generate(writer, profile: Profile = NORMAL, seed: int = 2019, as_of: date | None = None,
             password_hash: str | None = None, passwords: bool = True) -> Counter:
    """Write the demo data through `writer`; returns rows written per table.

    `passwords=False` (the demo `make run` loads): no demo user has a password; staff sign in with
    the municipality's login and companies with MitID Erhverv (infra/oidc-dev), only the admin
    (JOBBRO_ADMIN_*) keeps one."""
    if password_hash is None and passwords:
        from services.crm.demo.users import DEMO_PASSWORD
        from shared.auth import hash_password

        password_hash = hash_password(DEMO_PASSWORD)
    return Generator(writer, profile, seed, as_of or date.today(), password_hash).run()
