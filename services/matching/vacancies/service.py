"""Vacancies (from crm orders or posted directly); each public function is one commit."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from services.matching.candidates.textcheck import MAX_TEXT_CHARS
from services.matching.esco.catalog import get_catalog
from services.matching.index import jobs, store
from services.matching.ranking.features import vacancy_features
from services.matching.vacancies.models import Vacancy
from services.matching.vacancies.schemas import VacancyCreate, VacancyRead, VacancyUpdate
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


def refresh_features(v: Vacancy) -> None:
    v.features = vacancy_features(v.title, v.text).to_json(get_catalog())
    v.version += 1


def get(session: Session, vacancy_id: int) -> Vacancy:
    v = session.get(Vacancy, vacancy_id)
    if v is None:
        raise not_found(vacancy_id)
    return v


def create(session: Session, data: VacancyCreate) -> Vacancy:
    values = data.model_dump()
    values["text"] = _check_text(values["text"])
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


def upsert_from_order(session: Session, payload: dict[str, Any], order: Any | None) -> Vacancy:
    """Idempotent on order_id: a redelivered `order.received` updates the same vacancy."""
    order_id = int(payload["order_id"])
    v = session.exec(select(Vacancy).where(Vacancy.order_id == order_id)).first()
    if v is None:
        v = Vacancy(order_id=order_id, title=payload.get("title") or "Stilling", scheme=payload.get("scheme") or "ordinaer")
    v.company_id = payload.get("company_id")
    v.company_name = payload.get("company_name")
    v.title = (payload.get("title") or v.title)[:200]
    v.scheme = payload.get("scheme") or v.scheme
    if order is not None:
        v.text = _check_text(getattr(order, "description", "") or "")
        v.hours_per_week = getattr(order, "hours_per_week", None)
        v.postcode = getattr(order, "postcode", None)
    refresh_features(v)
    v.updated_at = utcnow()
    session.add(v)
    session.commit()
    session.refresh(v)
    jobs.enqueue_vacancy(v.id)
    return v


def close_for_order(session: Session, order_id: int, status: str) -> None:
    v = session.exec(select(Vacancy).where(Vacancy.order_id == order_id)).first()
    if v is None:
        return
    v.status = "lukket" if status in ("besat", "annulleret", "udloebet") else "aaben"
    v.updated_at = utcnow()
    session.add(v)
    session.commit()
