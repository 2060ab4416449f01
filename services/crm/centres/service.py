"""Company centres (virksomhedscentre): agreements with fixed places, free places, reservations and
occupancy. Each public function that writes is one commit.

A place is a standing agreement, not an order: a reservation is a placement linked to the centre
(`placement.centre_id`), so the scheme rules (duration, IGU, the ratio rule) run exactly as for
any placement (services/crm/placements/service.py), and the ratio rule counts a centre's
placements with every other supported placement at the company. The agreement itself may not
promise more places in the ratio rule's schemes than the company may have at once.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlmodel import Session, select

from services.crm.centres import occupancy, publish, queries
from services.crm.centres.capacity import check_free
from services.crm.centres.capacity import label as _label
from services.crm.centres.capacity import period as _period
from services.crm.centres.models import CentreAgreement, CentrePlaces
from services.crm.centres.schemas import (
    Availability,
    CentreCreate,
    CentreRead,
    CentreUpdate,
    OccupancyReport,
    OccupancyRow,
    ReservationCreate,
    SchemeAvailability,
    SchemePlaces,
    WeekFree,
)
from services.crm.companies.models import Company, Contact
from services.crm.deps import SERVICE
from services.crm.partnerships.service import check_consultant, local_today
from services.crm.placements import service as placements
from services.crm.placements.models import Placement
from services.crm.placements.schemas import PlacementCreate
from shared import audit
from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.glossary import TARGET_GROUP_LABELS, Role, TargetGroup
from shared.models_base import utcnow
from shared.pagination import PageParams, paginate
from shared.rules import get_rulebook
from shared.settings import get_settings

ENTITY = "centre_agreement"
MAX_WEEKS = 26


def not_found(centre_id: int) -> NotFound:
    return NotFound(f"Virksomhedscenter {centre_id} findes ikke.")


def get(session: Session, centre_id: int) -> CentreAgreement:
    agreement = session.get(CentreAgreement, centre_id)
    if agreement is None:
        raise not_found(centre_id)
    return agreement


# -- reading -------------------------------------------------------------------------------------

def _reads(session: Session, rows: list[tuple[CentreAgreement, str]], day: date) -> list[CentreRead]:
    ids = [a.id for a, _ in rows]
    places = queries.places_of(session, ids)
    running = queries.occupying(session, ids, day, day)
    mentors = {c.id: c.name for c in session.exec(select(Contact).where(
        Contact.id.in_([a.mentor_contact_id for a, _ in rows if a.mentor_contact_id]))).all()} if ids else {}
    out = []
    for a, company_name in rows:
        in_force = publish.in_force(a, day)
        per_scheme = []
        for scheme, n in sorted(places.get(a.id, {}).items()):
            occupied = occupancy.count_on([p for p in running if p.centre_id == a.id and p.scheme == scheme], day) \
                if in_force else 0
            per_scheme.append(SchemePlaces(scheme=scheme, scheme_label=_label(scheme), places=n,
                                           occupied_now=occupied, free_now=max(n - occupied, 0) if in_force else 0))
        out.append(CentreRead(
            id=a.id, company_id=a.company_id, company_name=company_name, name=a.name, title=a.title,
            description=a.description or "", starts_on=a.starts_on, ends_on=a.ends_on, active=in_force,
            target_groups=a.target_groups or [], mentor_contact_id=a.mentor_contact_id,
            mentor_name=mentors.get(a.mentor_contact_id), consultant_id=a.consultant_id, places=per_scheme,
            places_total=sum(s.places for s in per_scheme), free_now=sum(s.free_now for s in per_scheme),
            created_at=a.created_at,
        ))
    return out


def read_one(session: Session, agreement: CentreAgreement) -> CentreRead:
    company = session.get(Company, agreement.company_id)
    return _reads(session, [(agreement, company.name)], local_today())[0]


def list_centres(session: Session, params: PageParams, *, company_id: int | None = None,
                 consultant_id: int | None = None, active_on: date | None = None) -> tuple[list[CentreRead], int]:
    rows, total = paginate(session, queries.search(company_id, consultant_id, active_on), params)
    return _reads(session, [tuple(r) for r in rows], local_today()), total


# -- checks --------------------------------------------------------------------------------------

def _company(session: Session, company_id: int) -> Company:
    company = session.get(Company, company_id)
    if company is None:
        raise Invalid(f"Virksomhed {company_id} findes ikke.", field="company_id")
    return company


def _check_mentor(session: Session, contact_id: int | None, company_id: int) -> None:
    if contact_id is None:
        return
    contact = session.get(Contact, contact_id)
    if contact is None or contact.company_id != company_id:
        raise Invalid(f"Kontaktperson {contact_id} hører ikke til virksomheden.", field="mentor_contact_id")


def _check_ratio(company: Company, places: dict[str, int], on: date) -> None:
    """The agreement may not promise more places in the ratio rule's schemes than the company may
    have supported people at once (rimelighedskravet); placements outside the centre still count
    when a place is reserved."""
    book = get_rulebook()
    rule = book.ratio_rule(on)
    if rule is None or company.employees is None:
        return
    promised = sum(n for s, n in places.items() if s in rule["schemes"])
    capacity = book.ratio_capacity(rule, company.employees)
    if promised > capacity:
        raise Conflict(
            f"{company.name} har {company.employees} ordinært ansatte og må højst have {capacity} personer i "
            f"praktik, løntilskud eller nytteindsats på samme tid (rimelighedskravet); aftalen giver {promised} "
            "faste pladser i de ordninger. Sæt antallet ned.",
            field="places", figures={"tilladt": capacity, "faste_pladser": promised,
                                     "ordinaert_ansatte": company.employees}, law=rule["law"])


def _check_keeps_placements(session: Session, agreement: CentreAgreement, places: dict[str, int],
                            start: date, end: date | None) -> None:
    """A change may not leave a placement outside the agreement's period or above its places."""
    linked = queries.occupying(session, [agreement.id], date.min, None)
    outside = [p for p in linked if p.starts_on < start or (end is not None and (p.ends_on is None or p.ends_on > end))]
    if outside:
        p = outside[0]
        raise Conflict(f"Placering {p.id} ({_period(p.starts_on, p.ends_on)}) ligger uden for aftalens periode "
                       f"{_period(start, end)}. Flyt eller afslut placeringen først.", field="ends_on")
    today = local_today()
    for scheme in {p.scheme for p in linked}:
        rows = [p for p in linked if p.scheme == scheme and (p.ends_on is None or p.ends_on >= today)]
        need = occupancy.peak(rows, today, None) if rows else 0
        if need > places.get(scheme, 0):
            raise Conflict(f"Centret har {need} placeringer i {_label(scheme).lower()} på samme tid; "
                           f"antallet af pladser kan ikke sættes lavere end det.", field="places")


def _set_places(session: Session, agreement_id: int, places: dict[str, int]) -> None:
    session.exec(sql_delete(CentrePlaces).where(CentrePlaces.agreement_id == agreement_id))
    for scheme, n in sorted(places.items()):
        if n > 0:
            session.add(CentrePlaces(agreement_id=agreement_id, scheme=scheme, places=n))


def _plain(places: dict[Any, int]) -> dict[str, int]:
    return {str(getattr(s, "value", s)): n for s, n in places.items() if n > 0}


# -- writing -------------------------------------------------------------------------------------

def create(session: Session, principal: Principal, data: CentreCreate) -> CentreRead:
    company = _company(session, data.company_id)
    consultant_id = data.consultant_id if data.consultant_id is not None else (
        principal.user_id if principal.has_role(Role.konsulent, Role.leder) else company.consultant_id)
    check_consultant(session, consultant_id)
    _check_mentor(session, data.mentor_contact_id, company.id)
    places = _plain(data.places)
    _check_ratio(company, places, data.starts_on)
    agreement = CentreAgreement(
        company_id=company.id, name=data.name.strip(), title=data.title.strip(), description=data.description.strip(),
        starts_on=data.starts_on, ends_on=data.ends_on, target_groups=[g.value for g in data.target_groups],
        mentor_contact_id=data.mentor_contact_id, consultant_id=consultant_id)
    session.add(agreement)
    session.flush()
    _set_places(session, agreement.id, places)
    audit.record(session, principal, SERVICE, "create", ENTITY, agreement.id,
                 {"company_id": company.id, "places": places})
    publish.publish_places_changed(session, agreement, local_today())
    session.commit()
    return read_one(session, agreement)


def update(session: Session, principal: Principal, centre_id: int, data: CentreUpdate) -> CentreRead:
    agreement = queries.lock(session, centre_id)
    if agreement is None:
        raise not_found(centre_id)
    changes = data.model_dump(exclude_unset=True)
    for key in ("name", "title", "starts_on", "places", "target_groups"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key} kan ikke fjernes.", field=key)
    start = changes.get("starts_on", agreement.starts_on)
    end = changes["ends_on"] if "ends_on" in changes else agreement.ends_on
    if end is not None and end < start:
        raise Invalid(f"Slutdatoen {end.isoformat()} ligger før startdatoen {start.isoformat()}.", field="ends_on")
    old_places = queries.places_of(session, [agreement.id]).get(agreement.id, {})
    places = _plain(changes.pop("places")) if "places" in changes else old_places
    if "consultant_id" in changes:
        check_consultant(session, changes["consultant_id"])
    if "mentor_contact_id" in changes:
        _check_mentor(session, changes["mentor_contact_id"], agreement.company_id)
    if places != old_places or "starts_on" in changes:
        _check_ratio(session.get(Company, agreement.company_id), places, start)
    _check_keeps_placements(session, agreement, places, start, end)
    if "target_groups" in changes:
        changes["target_groups"] = [str(getattr(g, "value", g)) for g in changes["target_groups"]]
    for key, value in changes.items():
        setattr(agreement, key, value.strip() if isinstance(value, str) else value)
    agreement.updated_at = utcnow()
    session.add(agreement)
    if places != old_places:
        session.flush()
        _set_places(session, agreement.id, places)
    audit.record(session, principal, SERVICE, "update", ENTITY, agreement.id,
                 {"fields": sorted(set(changes) | ({"places"} if places != old_places else set()))})
    publish.publish_places_changed(session, agreement, local_today())
    session.commit()
    return read_one(session, agreement)


def remove(session: Session, principal: Principal, centre_id: int) -> None:
    agreement = get(session, centre_id)
    if queries.occupying(session, [agreement.id], date.min, None):
        raise Conflict("Centret har placeringer og kan ikke slettes; sæt en slutdato på aftalen i stedet.",
                       field="id")
    publish.publish_places_changed(session, agreement, local_today(), deleted=True)
    session.exec(sql_delete(CentrePlaces).where(CentrePlaces.agreement_id == agreement.id))
    session.delete(agreement)
    audit.record(session, principal, SERVICE, "delete", ENTITY, centre_id, {"company_id": agreement.company_id})
    session.commit()


# -- free places ---------------------------------------------------------------------------------

def availability(session: Session, centre_id: int, start: date | None, weeks: int | None) -> Availability:
    """Free places per scheme and week: free on every day of the week, and `bookable` when the
    company's ratio rule (all its supported placements, centre or not) also leaves room."""
    agreement = get(session, centre_id)
    weeks = weeks or get_settings().centre_availability_weeks
    if not 1 <= weeks <= MAX_WEEKS:
        raise Invalid(f"Vælg mellem 1 og {MAX_WEEKS} uger.", field="weeks")
    first = occupancy.week_start(start or local_today())
    last = first + timedelta(days=7 * weeks - 1)
    places = queries.places_of(session, [agreement.id]).get(agreement.id, {})
    linked = queries.occupying(session, [agreement.id], first, last)
    company = session.get(Company, agreement.company_id)
    book = get_rulebook()
    rule = book.ratio_rule(first)
    ratio_schemes = set(rule["schemes"]) if rule else set()
    supported = queries.company_supported(session, company.id, ratio_schemes, first, last)
    capacity = book.ratio_capacity(rule, company.employees) if rule and company.employees is not None else None

    headroom: list[int | None] = []
    per_scheme: dict[str, list[WeekFree]] = {s: [] for s in sorted(places)}
    for w in range(weeks):
        monday = first + timedelta(days=7 * w)
        days = [monday + timedelta(days=i) for i in range(7)]
        room = None if capacity is None else min(max(capacity - occupancy.count_on(supported, d), 0) for d in days)
        headroom.append(room)
        for scheme, n in places.items():
            rows = [p for p in linked if p.scheme == scheme]
            occupied = max(occupancy.count_on(rows, d) for d in days)
            free = min((n if publish.in_force(agreement, d) else 0) - occupancy.count_on(rows, d) for d in days)
            free = max(free, 0)
            bookable = min(free, room) if room is not None and scheme in ratio_schemes else free
            iso = monday.isocalendar()
            per_scheme[scheme].append(WeekFree(week=f"{iso.year}-W{iso.week:02d}", starts_on=monday,
                                               ends_on=days[-1], places=n, occupied=occupied, free=free,
                                               bookable=bookable))
    return Availability(centre_id=agreement.id, from_=first, weeks=weeks, ratio_headroom=headroom,
                        schemes=[SchemeAvailability(scheme=s, scheme_label=_label(s), weeks=ws)
                                 for s, ws in per_scheme.items()])


def reserve(session: Session, principal: Principal, centre_id: int, data: ReservationCreate) -> Placement:
    """Reserve a place for a candidate: a placement (planned when it starts later) that occupies it."""
    agreement = queries.lock(session, centre_id)
    if agreement is None:
        raise not_found(centre_id)
    groups = agreement.target_groups or []
    if groups and data.target_group.value not in groups:
        names = ", ".join(TARGET_GROUP_LABELS.get(TargetGroup(g), g).lower() for g in groups)
        raise Invalid(f"{agreement.name} tager kun imod disse målgrupper: {names}.", field="target_group")
    check_free(session, agreement, data.scheme.value, data.starts_on, data.ends_on)
    placement = placements.add(session, principal, PlacementCreate(
        company_id=agreement.company_id, candidate_ref=data.candidate_ref, scheme=data.scheme,
        target_group=data.target_group, starts_on=data.starts_on, ends_on=data.ends_on,
        candidate_birth_year=data.candidate_birth_year, hours_per_week=data.hours_per_week,
        override_reason=data.override_reason), centre_id=agreement.id)
    audit.record(session, principal, SERVICE, "reserve", ENTITY, agreement.id,
                 {"placement_id": placement.id, "scheme": placement.scheme})
    publish.publish_places_changed(session, agreement, local_today())
    session.commit()
    session.refresh(placement)
    return placement


def republish_all(session: Session, day: date) -> int:
    """The morning round: places come free as placements end, without any write in crm."""
    ids = list(session.exec(select(CentreAgreement.id).where(
        queries.overlapping(CentreAgreement, day - timedelta(days=1), None))).all())
    for centre_id in ids:
        publish.publish_places_changed(session, session.get(CentreAgreement, centre_id), day)
    session.commit()
    return len(ids)


# -- occupancy (KPI) ----------------------------------------------------------------------------

def _parse_day(value: str | None, field: str, *, last: bool) -> date | None:
    if not value:
        return None
    try:
        if len(value) == 7:
            first = date.fromisoformat(value + "-01")
            return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1) if last else first
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field} skal være en dato (ÅÅÅÅ-MM-DD) eller en måned (ÅÅÅÅ-MM).", field=field) from None


def _months(start: date, end: date) -> list[tuple[date, date]]:
    out, current = [], start.replace(day=1)
    while current <= end:
        following = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        out.append((max(current, start), min(following - timedelta(days=1), end)))
        current = following
    return out


def occupancy_report(session: Session, from_: str | None, to: str | None) -> OccupancyReport:
    """Occupied place-days / available place-days per centre and month (docs/company-centres.md)."""
    today = local_today()
    end = _parse_day(to, "to", last=True) or today
    if from_:
        start = _parse_day(from_, "from", last=False)
    else:  # the last 12 months, this one included
        y, m = end.year, end.month - 11
        start = date(y - 1, m + 12, 1) if m <= 0 else date(y, m, 1)
    if end < start:
        raise Invalid("Til-datoen ligger før fra-datoen.", field="to")
    if (end - start).days > 3 * 366:
        raise Invalid("Vælg en periode på højst tre år.", field="from")
    agreements = queries.in_period(session, start, end)
    ids = [a.id for a, _ in agreements]
    places = queries.places_of(session, ids)
    linked = queries.occupying(session, ids, start, end)
    rows: list[OccupancyRow] = []
    totals: dict[int, list[int]] = {}
    for a, company_name in agreements:
        n_places = sum(places.get(a.id, {}).values())
        own = [p for p in linked if p.centre_id == a.id]
        for m_start, m_end in _months(start, end):
            first, last = max(m_start, a.starts_on), min(m_end, a.ends_on or m_end)
            days = occupancy.days_between(first, last)
            if days == 0:
                continue
            available = n_places * days
            occupied = sum(occupancy.overlap_days(p, first, last) for p in own)
            rows.append(OccupancyRow(month=m_start.strftime("%Y-%m"), centre_id=a.id, centre_name=a.name,
                                     company_id=a.company_id, company_name=company_name,
                                     available_place_days=available, occupied_place_days=occupied,
                                     occupancy=round(occupied / available, 4) if available else None))
            t = totals.setdefault(a.id, [0, 0])
            t[0] += available
            t[1] += occupied
    names = {a.id: (a, n) for a, n in agreements}
    total_rows = [OccupancyRow(month="i alt", centre_id=cid, centre_name=names[cid][0].name,
                               company_id=names[cid][0].company_id, company_name=names[cid][1],
                               available_place_days=av, occupied_place_days=oc,
                               occupancy=round(oc / av, 4) if av else None) for cid, (av, oc) in totals.items()]
    return OccupancyReport(from_=start, to=end, rows=rows, totals=total_rows)
