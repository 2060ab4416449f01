"""Vacancies (from crm orders or posted directly); each public function is one commit."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlmodel import Session, select

from services.matching.candidates.textcheck import MAX_TEXT_CHARS
from services.matching.deps import SERVICE
from services.matching.esco.catalog import get_catalog
from services.matching.esco.recognise import get_recogniser
from services.matching.index import jobs, store
from services.matching.ranking import features
from services.matching.ranking.features import vacancy_features
from services.matching.vacancies.models import Vacancy
from services.matching.vacancies.schemas import VacancyCreate, VacancyRead, VacancyUpdate
from shared import audit
from shared.auth import Principal
from shared.db import get_engine, read_only
from shared.errors import Conflict, Invalid, NotFound
from shared.models_base import utcnow


def not_found(vacancy_id: int) -> NotFound:
    return NotFound(f"Stilling {vacancy_id} findes ikke.")


def to_read(v: Vacancy) -> VacancyRead:
    feats = v.features or {}
    cat = get_catalog()
    essential = [cat.skills[cat.skill_by_uri[u]].label for u in feats.get("essential", []) if u in cat.skill_by_uri]
    return VacancyRead.model_validate(v).model_copy(update={
        "occupations": feats.get("occupations", []), "essential_skills": essential})


def _check_text(text: str) -> str:
    text = (text or "").replace("\x00", "").strip()
    if len(text) > MAX_TEXT_CHARS:
        raise Invalid(f"text er for lang: højst {MAX_TEXT_CHARS} tegn.", field="text")
    return text


# A vacancy's text features take seconds of CPU (the title normaliser's model, the skills): they
# are computed before a write transaction begins and kept here by text, so SQLite's write lock
# (BEGIN IMMEDIATE) is never held while the model works and other writers never queue behind it
# (docs/architecture.md, "The embedded default under load").
_FEATURES_KEPT = 512
_features: OrderedDict[tuple[str, str, str | None], dict] = OrderedDict()
_features_lock = threading.Lock()


def _features_json(title: str, text: str, occupation_uri: str | None = None) -> dict:
    key = (title, text, occupation_uri)
    with _features_lock:
        hit = _features.get(key)
        if hit is not None:
            _features.move_to_end(key)
            return copy.deepcopy(hit)
    cat = get_catalog()
    chosen = cat.occupation_by_uri.get(occupation_uri) if occupation_uri else None
    value = vacancy_features(title, text, occupation=chosen).to_json(cat)
    with _features_lock:
        _features[key] = value
        while len(_features) > _FEATURES_KEPT:
            _features.popitem(last=False)
    return copy.deepcopy(value)


def _prepare_features(where, title: str, text: str) -> None:
    """Compute the features a write is about to need, before its transaction: a short read (no
    write lock) says whether the stored text differs."""
    with Session(read_only(get_engine())) as s:
        row = s.exec(select(Vacancy.title, Vacancy.text, Vacancy.features, Vacancy.occupation_uri)
                     .where(where)).first()
    if row is None or (row[0], row[1]) != (title, text) or not row[2]:
        _features_json(title, text, row[3] if row is not None else None)


def refresh_features(v: Vacancy) -> None:
    v.features = _features_json(v.title, v.text, v.occupation_uri)
    v.version += 1


def occupation_choices(session: Session, vacancy_id: int, search: str | None = None) -> list[dict[str, Any]]:
    """What a consultant may choose for the vacancy's occupation: the current reading first, then
    what they searched for (a word of their own, when the title's neighbours are all wrong)."""
    v = get(session, vacancy_id)
    cat = get_catalog()
    rec = get_recogniser()
    current = [cat.occupation_by_uri[o["uri"]] for o in (v.features or {}).get("occupations", [])
               if o.get("uri") in cat.occupation_by_uri]
    searched = [o.id for o in rec.normalise_title(search, k=features.CHOICES)] if search and search.strip() else []
    ids = list(dict.fromkeys(current + searched + list(_choices(v.title, v.text))))
    return [{"uri": cat.occupations[o].uri, "label": cat.occupations[o].label,
             "current": o in current} for o in ids]


@lru_cache(maxsize=256)
def _choices(title: str, text: str) -> tuple[int, ...]:
    # Every view of an order page asks; the answer changes only with the order's text.
    return tuple(features.occupation_choices(title, text, get_recogniser()))


def choose_occupation(session: Session, principal: Principal, vacancy_id: int, uri: str | None) -> Vacancy:
    """The consultant's correction of how matching read the vacancy (None: matching's own reading
    again). Audited, and the vacancy's version moves on, so ranking records tell the two apart."""
    cat = get_catalog()
    if uri is not None and uri not in cat.occupation_by_uri:
        raise Invalid("Stillingen findes ikke i ESCO; vælg en af de foreslåede.", field="uri")
    v = get(session, vacancy_id)
    title, text, before = v.title, v.text, v.occupation_uri
    session.commit()  # no transaction (on SQLite: no lock) is held while the features are computed
    _features_json(title, text, uri)
    v = get(session, vacancy_id)
    v.occupation_uri = uri
    v.occupation_chosen_by = principal.user_id if uri is not None else None
    v.occupation_chosen_at = utcnow() if uri is not None else None
    refresh_features(v)
    v.updated_at = utcnow()
    session.add(v)
    audit.record(session, principal, SERVICE, "choose_occupation", "vacancy", v.id,
                 {"from": before, "to": uri, "label": cat.occupations[cat.occupation_by_uri[uri]].label if uri else None})
    session.commit()
    session.refresh(v)
    return v


def get(session: Session, vacancy_id: int) -> Vacancy:
    v = session.get(Vacancy, vacancy_id)
    if v is None:
        raise not_found(vacancy_id)
    return v


def create(session: Session, data: VacancyCreate) -> Vacancy:
    values = data.model_dump()
    values["text"] = _check_text(values["text"])
    _features_json(values["title"], values["text"])  # before the transaction (see _features_json)
    if data.order_id is not None:
        from sqlmodel import select

        existing = session.exec(select(Vacancy.id).where(Vacancy.order_id == data.order_id)).first()
        if existing:
            raise Conflict(f"Ordre {data.order_id} har allerede vakance {existing}.", field="order_id",
                           existing={"id": existing})
    v = Vacancy(**values)
    refresh_features(v)
    session.add(v)
    session.commit()
    session.refresh(v)
    jobs.enqueue_vacancy(v.id)
    return v


def update(session: Session, vacancy_id: int, data: VacancyUpdate) -> Vacancy:
    v = get(session, vacancy_id)
    changes = data.model_dump(exclude_unset=True)
    if "title" in changes and not changes["title"]:
        raise Invalid("title kan ikke fjernes.", field="title")
    if "text" in changes:
        changes["text"] = _check_text(changes["text"] or "")
    text_changed = any(k in changes and changes[k] != getattr(v, k) for k in ("title", "text"))
    for key, value in changes.items():
        if key == "requirements" and value is None:
            continue
        setattr(v, key, value)
    if text_changed:
        refresh_features(v)
    v.updated_at = utcnow()
    session.add(v)
    session.commit()
    session.refresh(v)
    if text_changed:
        jobs.enqueue_vacancy(v.id)
    return v


def delete(session: Session, vacancy_id: int) -> None:
    v = get(session, vacancy_id)
    store.delete_vectors(session, store.VACANCY, v.id)
    session.delete(v)
    session.commit()


CLOSED_ORDER_STATUSES = ("besat", "annulleret", "udloebet")


def _vacancy_status(order_status: str | None) -> str:
    return "lukket" if order_status in CLOSED_ORDER_STATUSES else "aaben"


def _stale(v: Vacancy | None, occurred_at: datetime | None) -> bool:
    if v is None or v.order_event_at is None or occurred_at is None:
        return False
    seen = v.order_event_at if v.order_event_at.tzinfo else v.order_event_at.replace(tzinfo=UTC)
    return occurred_at < seen


def upsert_from_order(session: Session, payload: dict[str, Any], occurred_at: datetime | None = None) -> Vacancy:
    """The vacancy of an order, from an `order.received` or `order.changed` payload alone.

    Idempotent on order_id: a redelivered event updates the same vacancy, and one older than the
    last applied (`occurred_at`) changes nothing. The text features and the embedding are
    recomputed only when the title or the description changed.
    """
    order_id = int(payload["order_id"])
    company = payload.get("company") or {}

    def own_fields(v: Vacancy) -> None:
        v.company_id = payload.get("company_id") or company.get("id")
        v.company_name = (company.get("name") or payload.get("company_name") or v.company_name or "")[:200] or None
        v.sector = company.get("sector") or v.sector
        v.postcode = payload.get("postcode") or company.get("postcode")
        if payload.get("status"):
            v.status = _vacancy_status(payload["status"])

    return _upsert(session, Vacancy.order_id == order_id,
                   lambda: Vacancy(order_id=order_id, title="Stilling", scheme="ordinaer"),
                   payload, occurred_at, own_fields)


def upsert_from_shared_order(session: Session, payload: dict[str, Any],
                             occurred_at: datetime | None = None) -> Vacancy:
    """`cooperation.order_received`: the vacancy of an order a partner jobcentre shared (created,
    changed or closed), from the payload alone; idempotent on shared_order_id."""
    shared_id = int(payload["shared_order_id"])

    def own_fields(v: Vacancy) -> None:
        partner = payload.get("partner") or {}
        v.cooperation_partner = (partner.get("name") or "")[:200] or None
        v.municipality_code = partner.get("municipality_code")
        v.company_name = v.cooperation_partner
        v.postcode = payload.get("postcode")
        v.status = _vacancy_status(payload.get("status")) if payload.get("status") != "trukket_tilbage" else "lukket"

    return _upsert(session, Vacancy.shared_order_id == shared_id,
                   lambda: Vacancy(shared_order_id=shared_id, title="Stilling", scheme="ordinaer"),
                   payload, occurred_at, own_fields)


def _upsert(session: Session, where, new: Callable[[], Vacancy], payload: dict[str, Any],
            occurred_at: datetime | None, own_fields: Callable[[Vacancy], None]) -> Vacancy:
    """What an order and a shared order have in common: the same order fields copied onto the
    vacancy, stale events ignored, and the features and embedding redone only when the text changed.
    `own_fields` copies what only one kind of order carries (company or partner, postcode, status)."""
    if payload.get("title"):
        _prepare_features(where, payload["title"][:200], _check_text(payload.get("description") or ""))
    v = session.exec(select(Vacancy).where(where)).first()
    if _stale(v, occurred_at):
        return v
    created = v is None
    if v is None:
        v = new()
    old_text = (v.title, v.text)
    own_fields(v)
    v.title = (payload.get("title") or v.title)[:200]
    v.scheme = payload.get("scheme") or v.scheme
    v.text = _check_text(payload.get("description") or "")
    v.hours_per_week = payload.get("hours_per_week")
    text_changed = created or (v.title, v.text) != old_text or not v.features
    if text_changed:
        refresh_features(v)
    v.order_event_at = occurred_at or v.order_event_at
    v.updated_at = utcnow()
    session.add(v)
    session.commit()
    session.refresh(v)
    if text_changed:
        jobs.enqueue_vacancy(v.id)
    return v


def apply_order_status(session: Session, payload: dict[str, Any], occurred_at: datetime | None = None) -> None:
    """`order.status_changed`: close or reopen the order's vacancy. An open order without one (its
    `order.received` came before matching listened) gets it now: the payload carries the order."""
    order_id = int(payload["order_id"])
    status = payload.get("new_status") or payload.get("status") or ""
    exists = session.exec(select(Vacancy.id).where(Vacancy.order_id == order_id)).first() is not None
    if not exists and "title" in payload and _vacancy_status(status) == "aaben":
        upsert_from_order(session, payload, occurred_at)
        return
    close_for_order(session, order_id, status, occurred_at)


def close_for_order(session: Session, order_id: int, status: str, occurred_at: datetime | None = None) -> None:
    v = session.exec(select(Vacancy).where(Vacancy.order_id == order_id)).first()
    if v is None or _stale(v, occurred_at):
        return
    v.order_event_at = occurred_at or v.order_event_at
    v.status = _vacancy_status(status)
    v.updated_at = utcnow()
    session.add(v)
    session.commit()


# -- standing vacancies: company centres' fixed places ------------------------------------------------

def _centre_text(payload: dict[str, Any]) -> str:
    return _check_text(payload.get("description") or "")


def apply_centre_places(session: Session, payload: dict[str, Any], occurred_at: datetime | None = None
                        ) -> list[Vacancy]:
    """`centre.places_changed`: one standing vacancy per centre and scheme, open while a place is
    free and the agreement runs, closed otherwise (kept, so recorded outcomes stay). From the
    payload alone; an event older than the last one applied changes nothing."""
    centre_id = int(payload["centre_id"])
    company = payload.get("company") or {}
    if payload.get("places") and (payload.get("title") or payload.get("name")):
        _prepare_features(Vacancy.centre_id == centre_id, (payload.get("title") or payload["name"])[:200],
                          _centre_text(payload))
    existing = {v.scheme: v for v in session.exec(select(Vacancy).where(Vacancy.centre_id == centre_id)).all()}
    if any(_stale(v, occurred_at) for v in existing.values()):
        return list(existing.values())
    active = bool(payload.get("active"))
    seen: set[str] = set()
    touched: list[Vacancy] = []
    embed: list[Vacancy] = []
    for row in payload.get("places") or []:
        scheme = row["scheme"]
        seen.add(scheme)
        v = existing.get(scheme)
        created = v is None
        if v is None:
            v = Vacancy(centre_id=centre_id, scheme=scheme, standing=True, title="Fast plads")
        old_text = (v.title, v.text)
        v.title = (payload.get("title") or payload.get("name") or v.title)[:200]
        v.text = _centre_text(payload)
        v.company_id = payload.get("company_id") or company.get("id")
        v.company_name = (company.get("name") or "")[:200] or None
        v.sector = company.get("sector") or v.sector
        v.postcode = payload.get("postcode") or company.get("postcode")
        v.free_places = int(row.get("free") or 0)
        v.status = "aaben" if active and v.free_places > 0 else "lukket"
        if created or (v.title, v.text) != old_text or not v.features:
            refresh_features(v)
            embed.append(v)
        touched.append(v)
    for scheme, v in existing.items():
        if scheme not in seen:  # no places left in this scheme, or the agreement was deleted
            v.free_places, v.status = 0, "lukket"
            touched.append(v)
    for v in touched:
        v.order_event_at = occurred_at or v.order_event_at
        v.updated_at = utcnow()
        session.add(v)
    session.commit()
    for v in embed:
        jobs.enqueue_vacancy(v.id)
    return touched
