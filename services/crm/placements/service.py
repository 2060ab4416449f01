"""Placements: the scheme-rule checks, overrides, weekly hours; each public function is one commit.

Placements reveal target group and scheme, which can disclose health or ethnic origin, so only
staff reach them and every read and change is written to the audit log in the same transaction.

Scheme rules (`shared/rules`) run when a placement is created and again when the figures a rule
depends on change. A breach answers 409 with the breached rules; a konsulent or leder may create
or change the placement anyway with `override_reason` (at least 10 characters), which is stored
on the placement and audited with action `override`. Shortening a placement never needs one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlmodel import Session

from services.crm import events
from services.crm.centres import capacity as centre_capacity
from services.crm.centres import publish as centre_places
from services.crm.centres import queries as centre_queries
from services.crm.companies.models import Company
from services.crm.deps import SERVICE
from services.crm.orders import lifecycle
from services.crm.orders.models import Order, Proposal
from services.crm.placements import queries
from services.crm.placements.models import HoursFollowUp, Placement
from services.crm.placements.schemas import (
    PLACEMENT_REQUIRED,
    HoursCreate,
    PlacementCreate,
    PlacementUpdate,
    end_problem,
)
from services.crm.users.models import User
from shared import audit
from shared.auth import Principal
from shared.errors import Conflict, DomainError, Invalid, NotFound
from shared.events import EventType, publish
from shared.glossary import RULE_LABELS, SCHEME_LABELS, Outcome, ProposalStatus, Role, Scheme
from shared.models_base import utcnow
from shared.pagination import PageParams, paginate
from shared.rules import RuleBreach, get_rulebook

ENTITY = "placement"
FULL_TIME_HOURS = 37
# Schemes capped at normal full time by law (praktik: "højst normal fuld tid").
FULL_TIME_CAPPED = (Scheme.virksomhedspraktik, Scheme.fleksjob)


class Forbidden(DomainError):
    status_code = 403


def not_found(placement_id: int) -> NotFound:
    return NotFound(f"Placering {placement_id} findes ikke.")


def get(session: Session, placement_id: int) -> Placement:
    placement = session.get(Placement, placement_id)
    if placement is None:
        raise not_found(placement_id)
    return placement


def ensure_staff_user(session: Session, user_id: int | None, field: str = "consultant_id") -> None:
    if user_id is None:
        return
    user = session.get(User, user_id)
    if user is None or user.role not in (Role.konsulent, Role.leder, Role.admin):
        raise Invalid(f"Konsulent {user_id} findes ikke.", field=field)


def _company(session: Session, company_id: int) -> Company:
    company = session.get(Company, company_id)
    if company is None:
        raise Invalid(f"Virksomhed {company_id} findes ikke.", field="company_id")
    return company


# -- rules ---------------------------------------------------------------------------------------

ALL_RULES = frozenset({"duration", "igu", "ratio"})


@dataclass
class Figures:
    """What the scheme rules look at, after a create or a change."""

    company: Company
    scheme: str
    target_group: str | None
    starts_on: date
    ends_on: date | None
    birth_year: int | None


def rule_breaches(
    session: Session, fig: Figures, exclude_id: int | None = None, rules: frozenset[str] = ALL_RULES
) -> list[RuleBreach]:
    book = get_rulebook()
    found: list[RuleBreach] = []
    if "duration" in rules:
        found.append(book.check_duration(fig.scheme, fig.target_group, fig.company.sector, fig.starts_on, fig.ends_on))
    if "igu" in rules and fig.scheme == Scheme.igu:
        found.append(book.check_igu(fig.birth_year, fig.starts_on))
    if "ratio" in rules:
        schemes = book.ratio_schemes(fig.starts_on)
        if fig.scheme in schemes:
            active = queries.count_active(session, fig.company.id, schemes, fig.starts_on, exclude_id)
            found.append(book.check_ratio(fig.scheme, fig.company.employees, active, fig.starts_on))
    return [b for b in found if b is not None]


def _enforce(breaches: list[RuleBreach], principal: Principal, override_reason: str | None) -> bool:
    """Refuse on a breach unless overridden; True when the placement goes ahead as an override."""
    if not breaches:
        return False
    names = ", ".join(RULE_LABELS.get(b.rule, b.rule) for b in breaches)
    if override_reason is None:
        raise Conflict(
            f"Placeringen bryder ordningens regler ({names}). Ret den, eller angiv en begrundelse "
            "(override_reason, mindst 10 tegn) for at gennemføre den alligevel.",
            breaches=[b.as_dict() for b in breaches],
        )
    if not principal.has_role(Role.konsulent, Role.leder):
        raise Forbidden("Kun en konsulent eller leder kan tilsidesætte ordningens regler.")
    return True


def _audit_override(session: Session, principal: Principal, placement: Placement, breaches: list[RuleBreach],
                    reason: str) -> None:
    audit.record(session, principal, SERVICE, "override", ENTITY, placement.id, {
        "rules": [b.rule for b in breaches],
        "reason": reason,
        "breaches": [b.as_dict() for b in breaches],
    })


# -- field rules that need more than one field ---------------------------------------------------

def _check_fields(values: dict[str, Any], changed: set[str] | None = None) -> None:
    """Rules across fields. On a change (`changed` given) only the rules touching a changed field
    run, so an old record missing something does not block an unrelated correction."""

    def touched(*fields: str) -> bool:
        return changed is None or bool(changed & set(fields))

    scheme = values["scheme"]
    if touched("scheme", "target_group") and scheme != Scheme.ordinaer and not values.get("target_group"):
        raise Invalid(
            f"Målgruppe skal angives for {SCHEME_LABELS[Scheme(scheme)].lower()}; reglerne afhænger af den.",
            field="target_group",
        )
    hours = values.get("hours_per_week")
    if touched("scheme", "hours_per_week") and scheme == Scheme.fleksjob and hours is None:
        raise Invalid("Fleksjob kræver de ugentlige timer ved start (hours_per_week).", field="hours_per_week")
    if touched("scheme", "hours_per_week") and hours is not None and scheme in FULL_TIME_CAPPED \
            and hours > FULL_TIME_HOURS:
        raise Invalid(
            f"{SCHEME_LABELS[Scheme(scheme)]} kan højst være normal fuld tid, {FULL_TIME_HOURS} timer om ugen.",
            field="hours_per_week",
        )
    problem = end_problem(values["starts_on"], values.get("ends_on"))
    if problem:
        raise Invalid(problem + ".", field="ends_on")
    outcome = values.get("outcome")
    if touched("outcome", "ends_on") and outcome and outcome != Outcome.igang and values.get("ends_on") is None:
        raise Invalid("Et udfald (andet end 'igang') kræver en slutdato.", field="ends_on")


def _linkable_order(session: Session, order_id: int, company_id: int) -> Order:
    order = lifecycle.lock(session, order_id)
    if order is None:
        raise Invalid(f"Ordre {order_id} findes ikke.", field="order_id")
    if order.company_id != company_id:
        raise Invalid(f"Ordre {order_id} tilhører en anden virksomhed end placeringen.", field="order_id")
    lifecycle.ensure_open(order, "placeringer")
    return order


def _ended(placement: Placement) -> bool:
    return placement.ends_on is not None or placement.outcome not in (None, Outcome.igang)


def _event(placement: Placement) -> dict[str, Any]:
    # No candidate reference or target group: consumers outside crm need neither (docs/events.md).
    return events.placement_payload(placement)


# -- create and check ------------------------------------------------------------------------------

def check(session: Session, data: PlacementCreate, exclude_id: int | None = None) -> list[RuleBreach]:
    """The breaches a placement would have, without writing anything (the UI warns before saving)."""
    company = _company(session, data.company_id)
    values = data.model_dump()
    _check_fields(values)
    return rule_breaches(session, Figures(company, data.scheme, data.target_group, data.starts_on, data.ends_on,
                                          data.candidate_birth_year), exclude_id)


def add(session: Session, principal: Principal, data: PlacementCreate, *, centre_id: int | None = None) -> Placement:
    """Create a placement inside the caller's transaction (no commit): rules, order fill, audit, events.

    `centre_id`: the company centre whose place it occupies (services/crm/centres checks it is free)."""
    company = _company(session, data.company_id)
    values = data.model_dump(exclude={"override_reason"})
    _check_fields(values)
    ensure_staff_user(session, data.consultant_id)
    order = _linkable_order(session, data.order_id, company.id) if data.order_id is not None else None
    breaches = rule_breaches(session, Figures(company, data.scheme, data.target_group, data.starts_on, data.ends_on,
                                              data.candidate_birth_year))
    overridden = _enforce(breaches, principal, data.override_reason)
    placement = Placement(**values, centre_id=centre_id)
    if placement.consultant_id is None:
        placement.consultant_id = (order.consultant_id if order else None) or company.consultant_id
        if placement.consultant_id is None and principal.role is not Role.admin:
            placement.consultant_id = principal.user_id
    if overridden:
        placement.override_reason = data.override_reason
    session.add(placement)
    session.flush()
    audit.record(session, principal, SERVICE, "create", ENTITY, placement.id,
                 {"company_id": company.id, "order_id": placement.order_id})
    if overridden:
        _audit_override(session, principal, placement, breaches, data.override_reason)
    if order is not None:
        _link_proposal(session, placement)
        lifecycle.sync_fill(session, order)
    publish(session, EventType.placement_started, _event(placement))
    if placement.outcome not in (None, Outcome.igang):
        publish(session, EventType.placement_ended, _event(placement))
    return placement


def create(session: Session, principal: Principal, data: PlacementCreate) -> Placement:
    placement = add(session, principal, data)
    session.commit()
    session.refresh(placement)
    return placement


# -- read ------------------------------------------------------------------------------------------

def list_placements(session: Session, principal: Principal, f: queries.PlacementFilter, params: PageParams,
                    *, export: bool = False) -> tuple[list[Placement], int]:
    items, total = paginate(session, queries.search(f), params)
    audit.record(session, principal, SERVICE, "export" if export else "read", ENTITY, None,
                 {"placement_ids": [p.id for p in items], "filters": f.as_dict()})
    session.commit()
    return items, total


def read(session: Session, principal: Principal, placement_id: int) -> Placement:
    placement = get(session, placement_id)
    audit.record(session, principal, SERVICE, "read", ENTITY, placement.id)
    session.commit()
    return placement


# -- change ----------------------------------------------------------------------------------------

def _rules_to_rerun(old: Placement, changes: dict[str, Any]) -> frozenset[str]:
    changed = {k for k, v in changes.items() if getattr(old, k) != v}
    rules: set[str] = set()
    duration_fields = changed & {"scheme", "target_group", "starts_on", "ends_on"}
    shortened = (duration_fields == {"ends_on"} and old.ends_on is not None and changes["ends_on"] is not None
                 and changes["ends_on"] < old.ends_on)
    if duration_fields and not shortened:
        rules.add("duration")
    if changed & {"scheme", "starts_on", "candidate_birth_year"}:
        rules.add("igu")
    if changed & {"scheme", "starts_on"}:
        rules.add("ratio")
    return frozenset(rules)


def update(session: Session, principal: Principal, placement_id: int, data: PlacementUpdate) -> Placement:
    placement = get(session, placement_id)
    changes = data.model_dump(exclude_unset=True, exclude={"override_reason"})
    for key in PLACEMENT_REQUIRED & set(changes):
        if changes[key] is None:
            raise Invalid(f"{key} kan ikke fjernes.", field=key)
    merged = {**placement.model_dump(), **changes}
    _check_fields(merged, set(changes))
    if "consultant_id" in changes:
        ensure_staff_user(session, changes["consultant_id"])
    company = _company(session, placement.company_id)

    if session.exec(queries.hours_of(placement.id).limit(1)).first() is not None:
        if merged["scheme"] != Scheme.fleksjob:
            raise Conflict("Placeringen har timeopfølgninger og kan derfor ikke skifte væk fra fleksjob.",
                           field="scheme")
        outside = queries.hours_outside(session, placement.id, merged["starts_on"], merged["ends_on"])
        if outside:
            raise Invalid(
                f"Perioden ville udelukke timeopfølgningen den {outside[0].isoformat()}.",
                field="starts_on" if outside[0] < merged["starts_on"] else "ends_on",
            )

    old_order_id = placement.order_id
    new_order = None
    if "order_id" in changes and changes["order_id"] != old_order_id and changes["order_id"] is not None:
        new_order = _linkable_order(session, changes["order_id"], company.id)

    if placement.centre_id is not None and {"scheme", "starts_on", "ends_on"} & set(changes):
        # A centre placement stays inside the agreement and its places (services/crm/centres).
        centre_capacity.check_free(session, centre_queries.lock(session, placement.centre_id), merged["scheme"],
                   merged["starts_on"], merged["ends_on"], exclude_id=placement.id)

    rules = _rules_to_rerun(placement, changes)
    breaches = rule_breaches(
        session,
        Figures(company, merged["scheme"], merged["target_group"], merged["starts_on"], merged["ends_on"],
                merged["candidate_birth_year"]),
        exclude_id=placement.id,
        rules=rules,
    ) if rules else []
    overridden = _enforce(breaches, principal, data.override_reason)

    was_ended = (placement.ends_on, placement.outcome)
    for key, value in changes.items():
        setattr(placement, key, value)
    if overridden:
        placement.override_reason = data.override_reason
    placement.updated_at = utcnow()
    session.add(placement)
    session.flush()
    audit.record(session, principal, SERVICE, "update", ENTITY, placement.id, {"fields": sorted(changes)})
    if overridden:
        _audit_override(session, principal, placement, breaches, data.override_reason)

    if placement.order_id != old_order_id:
        if old_order_id is not None:
            old_order = lifecycle.lock(session, old_order_id)
            if old_order is not None:
                lifecycle.sync_fill(session, old_order)
            _unhire_proposals(session, placement.id)
        if new_order is not None:
            _link_proposal(session, placement)
            lifecycle.sync_fill(session, new_order)
    if (placement.ends_on, placement.outcome) != was_ended and _ended(placement):
        publish(session, EventType.placement_ended, _event(placement))
    centre_places.placement_touched(session, placement.centre_id, lifecycle.today())
    session.commit()
    session.refresh(placement)
    return placement


def _link_proposal(session: Session, placement: Placement) -> None:
    """A placement at an order for a candidate proposed to it is that proposal's hire."""
    session.exec(
        sql_update(Proposal)
        .where(Proposal.order_id == placement.order_id, Proposal.candidate_ref == placement.candidate_ref,
               Proposal.placement_id.is_(None))
        .values(placement_id=placement.id, status=ProposalStatus.ansat.value, decided_on=lifecycle.today())
    )


def _unhire_proposals(session: Session, placement_id: int) -> None:
    """A proposal whose placement is gone (or moved to another order) is open again."""
    session.exec(
        sql_update(Proposal)
        .where(Proposal.placement_id == placement_id)
        .values(placement_id=None, status=ProposalStatus.foreslaaet.value, decided_on=None)
    )


def remove(session: Session, principal: Principal, placement_id: int) -> None:
    placement = get(session, placement_id)
    order_id = placement.order_id
    _unhire_proposals(session, placement.id)
    session.exec(sql_delete(HoursFollowUp).where(HoursFollowUp.placement_id == placement.id))
    centre_id = placement.centre_id
    session.delete(placement)
    session.flush()
    audit.record(session, principal, SERVICE, "delete", ENTITY, placement_id,
                 {"company_id": placement.company_id, "order_id": order_id})
    centre_places.placement_touched(session, centre_id, lifecycle.today())
    if order_id is not None:
        order = lifecycle.lock(session, order_id)
        if order is not None:
            lifecycle.sync_fill(session, order)
    session.commit()


# -- weekly hours (fleksjob) -----------------------------------------------------------------------

def record_hours(session: Session, principal: Principal, placement_id: int, data: HoursCreate
                 ) -> tuple[HoursFollowUp, bool]:
    """Record the weekly hours on a date; the same date again corrects that day's figure.

    Returns the row and whether it is new.
    """
    placement = get(session, placement_id)
    if placement.scheme != Scheme.fleksjob:
        raise Conflict(
            f"Timeopfølgning gælder kun fleksjob; placering {placement_id} er "
            f"{SCHEME_LABELS[Scheme(placement.scheme)].lower()}.",
            field="placement_id",
        )
    if data.on < placement.starts_on:
        raise Invalid(f"Datoen {data.on.isoformat()} ligger før placeringens start {placement.starts_on.isoformat()}.",
                      field="on")
    if placement.ends_on is not None and data.on > placement.ends_on:
        raise Invalid(f"Datoen {data.on.isoformat()} ligger efter placeringens slut {placement.ends_on.isoformat()}.",
                      field="on")
    row = queries.hours_on(session, placement.id, data.on)
    created = row is None
    if created:
        row = HoursFollowUp(placement_id=placement.id, on=data.on, hours_per_week=data.hours_per_week)
    else:
        row.hours_per_week = data.hours_per_week
    session.add(row)
    session.flush()
    audit.record(session, principal, SERVICE, "create" if created else "update", ENTITY, placement.id,
                 {"hours_on": data.on.isoformat(), "hours_per_week": data.hours_per_week})
    session.commit()
    session.refresh(row)
    return row, created


def list_hours(session: Session, principal: Principal, placement_id: int) -> tuple[Placement, list[HoursFollowUp]]:
    placement = get(session, placement_id)
    rows = list(session.exec(queries.hours_of(placement.id)).all())
    audit.record(session, principal, SERVICE, "read", ENTITY, placement.id, {"hours": len(rows)})
    session.commit()
    return placement, rows
