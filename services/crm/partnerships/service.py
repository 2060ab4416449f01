"""Partnership agreements with Verdensmål; each public function that writes is one commit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert
from sqlmodel import Session

from services.crm import events
from services.crm.access import company_not_found, is_staff
from services.crm.companies.models import Company, Contact
from services.crm.partnerships import queries
from services.crm.partnerships.models import Partnership, PartnershipGoal
from services.crm.partnerships.schemas import (
    GoalRead,
    PartnershipCreate,
    PartnershipRead,
    PartnershipRenew,
    PartnershipUpdate,
)
from services.crm.users.models import User
from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.glossary import (
    PARTNERSHIP_STATUS_LABELS,
    VERDENSMAAL,
    VERDENSMAAL_COLOURS,
    PartnershipStatus,
    Role,
)
from shared.pagination import PageParams, paginate
from shared.settings import get_settings


def local_today() -> date:
    return datetime.now(ZoneInfo(get_settings().jobbro_timezone)).date()


def status_on(p: Partnership, day: date) -> PartnershipStatus:
    if p.signed_on > day:
        return PartnershipStatus.kommende
    if p.ends_on is not None and p.ends_on < day:
        return PartnershipStatus.udloebet
    return PartnershipStatus.aktiv


def to_read(p: Partnership, company_name: str | None, goals: list[int], renewed_by_id: int | None,
            today: date) -> PartnershipRead:
    status = status_on(p, today)
    return PartnershipRead(
        id=p.id, company_id=p.company_id, company_name=company_name, signed_on=p.signed_on, ends_on=p.ends_on,
        status=status, status_label=PARTNERSHIP_STATUS_LABELS[status], sdg_goals=goals,
        goals=[GoalRead(goal=g, name=VERDENSMAAL[g], colour=VERDENSMAAL_COLOURS[g]) for g in goals],
        consultant_id=p.consultant_id, contact_id=p.contact_id, renews_id=p.renews_id,
        renewed_by_id=renewed_by_id, note=p.note, created_at=p.created_at,
    )


def _reads(session: Session, rows: list[tuple[Partnership, str | None]]) -> list[PartnershipRead]:
    ids = [p.id for p, _ in rows]
    goals = queries.goals_of(session, ids)
    successors = queries.renewed_by(session, ids)
    today = local_today()
    return [to_read(p, name, goals.get(p.id, []), successors.get(p.id), today) for p, name in rows]


def read_one(session: Session, p: Partnership) -> PartnershipRead:
    company = session.get(Company, p.company_id)
    return _reads(session, [(p, company.name if company else None)])[0]


def check_consultant(session: Session, consultant_id: int | None, field: str = "consultant_id") -> None:
    """The jobcentre-side person must be a staff user, not a company's portal login."""
    if consultant_id is None:
        return
    user = session.get(User, consultant_id)
    if user is None or user.role not in (Role.konsulent, Role.leder, Role.admin) or not user.is_active:
        raise Invalid(f"Konsulent {consultant_id} findes ikke blandt jobcentrets medarbejdere.", field=field)


def _check_contact(session: Session, contact_id: int | None, company_id: int) -> None:
    if contact_id is None:
        return
    contact = session.get(Contact, contact_id)
    if contact is None or contact.company_id != company_id:
        raise Invalid(f"Kontaktperson {contact_id} hører ikke til virksomhed {company_id}.", field="contact_id")


def _check_no_overlap(session: Session, company_id: int, start: date, end: date | None, exclude=()) -> None:
    # Two agreements in force on the same day would count the company twice as a partner.
    other = queries.overlapping(session, company_id, start, end, exclude)
    if other is not None:
        until = other.ends_on.isoformat() if other.ends_on else "uden slutdato"
        raise Conflict(
            f"Virksomheden har allerede en partnerskabsaftale i perioden (aftale {other.id}, "
            f"{other.signed_on.isoformat()} – {until}). Forny eller ret den i stedet.",
            field="signed_on",
            existing={"id": other.id, "signed_on": other.signed_on.isoformat(),
                      "ends_on": other.ends_on.isoformat() if other.ends_on else None},
        )


def _set_goals(session: Session, partnership_id: int, goals: list[int]) -> None:
    session.exec(delete(PartnershipGoal).where(PartnershipGoal.partnership_id == partnership_id))
    session.exec(insert(PartnershipGoal), params=[{"partnership_id": partnership_id, "goal": g} for g in goals])


def _publish_signed(session: Session, p: Partnership, goals: list[int]) -> None:
    events.publish_agreement_signed(session, p, goals)


def get_visible(session: Session, principal: Principal, partnership_id: int) -> Partnership:
    p = session.get(Partnership, partnership_id)
    # A company's portal user must not learn which other agreements exist: 404, not 403.
    if p is None or (principal.role is Role.virksomhed and p.company_id != principal.company_id):
        raise NotFound(f"Partnerskabsaftale {partnership_id} findes ikke.")
    return p


def list_partnerships(session: Session, principal: Principal, params: PageParams, *, company_id=None,
                      active_on=None, goal=None, consultant_id=None, status=None):
    if principal.role is Role.virksomhed:
        if company_id is not None and company_id != principal.company_id:
            raise company_not_found(company_id)
        company_id = principal.company_id
        if company_id is None:
            return [], 0
    stmt = queries.search(company_id=company_id, active_on_day=active_on, goal=goal, consultant_id=consultant_id,
                          status=status, today=local_today())
    rows, total = paginate(session, stmt, params)
    return _reads(session, rows), total


def create_partnership(session: Session, principal: Principal, data: PartnershipCreate) -> PartnershipRead:
    company = session.get(Company, data.company_id)
    if company is None:
        raise Invalid(f"Virksomhed {data.company_id} findes ikke.", field="company_id")
    consultant_id = data.consultant_id
    if consultant_id is None and principal.role in (Role.konsulent, Role.leder):
        consultant_id = principal.user_id
    check_consultant(session, consultant_id)
    _check_contact(session, data.contact_id, company.id)
    _check_no_overlap(session, company.id, data.signed_on, data.ends_on)
    p = Partnership(company_id=company.id, signed_on=data.signed_on, ends_on=data.ends_on,
                    consultant_id=consultant_id, contact_id=data.contact_id, note=data.note)
    session.add(p)
    session.flush()
    _set_goals(session, p.id, data.sdg_goals)
    _publish_signed(session, p, data.sdg_goals)
    session.commit()
    return _reads(session, [(p, company.name)])[0]


def update_partnership(session: Session, principal: Principal, partnership_id: int,
                       data: PartnershipUpdate) -> PartnershipRead:
    p = get_visible(session, principal, partnership_id)
    changes = data.model_dump(exclude_unset=True)
    for key in ("signed_on", "sdg_goals"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key} kan ikke fjernes.", field=key)
    start = changes.get("signed_on", p.signed_on)
    end = changes["ends_on"] if "ends_on" in changes else p.ends_on
    if end is not None and end < start:
        raise Invalid(f"Slutdatoen {end.isoformat()} ligger før startdatoen {start.isoformat()}.", field="ends_on")
    if "consultant_id" in changes:
        check_consultant(session, changes["consultant_id"])
    if "contact_id" in changes:
        _check_contact(session, changes["contact_id"], p.company_id)
    if "signed_on" in changes or "ends_on" in changes:
        _check_no_overlap(session, p.company_id, start, end, exclude=[p.id])
    goals = changes.pop("sdg_goals", None)
    old_goals = queries.goals_of(session, [p.id]).get(p.id, [])
    changed = [key for key in ("signed_on", "ends_on") if key in changes and changes[key] != getattr(p, key)]
    if goals is not None and sorted(set(goals)) != sorted(set(old_goals)):
        changed.append("sdg_goals")
    for key, value in changes.items():
        setattr(p, key, value)
    session.add(p)
    if goals is not None:
        session.flush()
        _set_goals(session, p.id, goals)
    events.publish_agreement_changed(session, p, goals if goals is not None else old_goals, changed)
    session.commit()
    return read_one(session, p)


def renew_partnership(session: Session, principal: Principal, partnership_id: int,
                      data: PartnershipRenew) -> PartnershipRead:
    old = get_visible(session, principal, partnership_id)
    successor = queries.renewed_by(session, [old.id]).get(old.id)
    if successor is not None:
        raise Conflict(f"Aftale {old.id} er allerede fornyet af aftale {successor}. Forny den nyeste.",
                       field="id", existing={"id": successor})
    start = data.signed_on or (old.ends_on + timedelta(days=1) if old.ends_on else local_today())
    if start <= old.signed_on:
        raise Invalid(
            f"Fornyelsen skal starte efter den oprindelige aftales start ({old.signed_on.isoformat()}).",
            field="signed_on",
        )
    if data.ends_on is not None and data.ends_on < start:
        raise Invalid(f"Slutdatoen {data.ends_on.isoformat()} ligger før startdatoen {start.isoformat()}.",
                      field="ends_on")
    fields = data.model_dump(exclude_unset=True)
    consultant_id = fields["consultant_id"] if "consultant_id" in fields else old.consultant_id
    contact_id = fields["contact_id"] if "contact_id" in fields else old.contact_id
    check_consultant(session, consultant_id)
    _check_contact(session, contact_id, old.company_id)
    goals = data.sdg_goals or queries.goals_of(session, [old.id]).get(old.id, [])
    if not goals:
        raise Invalid("Angiv mindst ét verdensmål for fornyelsen.", field="sdg_goals")
    _check_no_overlap(session, old.company_id, start, data.ends_on, exclude=[old.id])
    # The renewal takes over from its first day, so the company is never a partner twice over.
    if old.ends_on is None or old.ends_on >= start:
        old.ends_on = start - timedelta(days=1)
        session.add(old)
        events.publish_agreement_changed(session, old, queries.goals_of(session, [old.id]).get(old.id, []),
                                         ["ends_on"])
    new = Partnership(company_id=old.company_id, signed_on=start, ends_on=data.ends_on, consultant_id=consultant_id,
                      contact_id=contact_id, renews_id=old.id, note=fields.get("note", old.note))
    session.add(new)
    session.flush()
    _set_goals(session, new.id, goals)
    _publish_signed(session, new, goals)
    session.commit()
    return read_one(session, new)


def history(session: Session, principal: Principal, partnership_id: int) -> list[PartnershipRead]:
    """The chain of agreements this one belongs to (original and every renewal), oldest first."""
    p = get_visible(session, principal, partnership_id)
    agreements = {a.id: a for a in queries.of_company(session, p.company_id)}
    neighbours: dict[int, set[int]] = {i: set() for i in agreements}
    for a in agreements.values():
        if a.renews_id in agreements:
            neighbours[a.id].add(a.renews_id)
            neighbours[a.renews_id].add(a.id)
    chain, todo = set(), [p.id]
    while todo:
        current = todo.pop()
        if current not in chain:
            chain.add(current)
            todo.extend(neighbours[current] - chain)
    company = session.get(Company, p.company_id)
    ordered = sorted((agreements[i] for i in chain), key=lambda a: (a.signed_on, a.id))
    return _reads(session, [(a, company.name if company else None) for a in ordered])


def delete_partnership(session: Session, principal: Principal, partnership_id: int) -> None:
    p = get_visible(session, principal, partnership_id)
    if not is_staff(principal):
        raise NotFound(f"Partnerskabsaftale {partnership_id} findes ikke.")
    successor = queries.renewed_by(session, [p.id]).get(p.id)
    if successor is not None:
        raise Conflict(f"Aftale {p.id} er fornyet af aftale {successor} og kan ikke slettes; slet fornyelsen først.")
    session.exec(delete(PartnershipGoal).where(PartnershipGoal.partnership_id == p.id))
    session.delete(p)
    events.publish_agreement_deleted(session, p)
    session.commit()
