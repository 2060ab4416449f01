from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class Candidate(SQLModel, table=True):
    """A job seeker, known only by a pseudonymous reference from the case system (never CPR)."""

    __tablename__ = "matching_candidate"

    id: int | None = Field(default=None, primary_key=True)
    candidate_ref: str = Field(max_length=64, unique=True, index=True)
    municipality_code: int | None = None
    postcode: str | None = Field(default=None, max_length=4)
    # Sensitive (may reveal health or origin): role-restricted, audited, never shown to companies.
    target_group: str | None = Field(default=None, max_length=40)
    code_list_version: str = Field(default="2025-07", max_length=20)
    fleksjob_visiteret: bool = False
    fleksjob_hours: float | None = None
    igu_basis: str | None = Field(default=None, max_length=30)
    birth_year: int | None = None
    years_in_denmark: float | None = None
    months_unemployed: float | None = None
    education_level: str | None = Field(default=None, max_length=40)
    single_parent: bool = False
    hours_available: float | None = None
    driving_licences: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    desired_occupations: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    consent_other_municipalities: bool = False
    # Issue 15: consent to being proposed to other jobcentres of the recruitment cooperation, and
    # the CV summary the job seeker agreed they may see (nothing else of the record crosses).
    consent_cooperation: bool = False
    cooperation_summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    cv_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    # ISO 639-1 code detected from the CV (textcheck.detect_language), for the bias audit's groups.
    cv_language: str | None = Field(default=None, max_length=8)
    features: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Bumped from the shared index counter on every change, so replicas reload only what changed.
    version: int = Field(default=0, index=True)
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
