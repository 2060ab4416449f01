"""Ranking records (EU AI Act art. 12): what the ranking showed a consultant, and what was done with it.

Append-only: nothing updates or deletes a record but the retention round (whole records past
`MATCHING_RANKING_RECORD_RETENTION_DAYS`) and a job seeker's erasure (their reference
pseudonymised, their score parts, eligibility reasons and the consultant's free text dropped).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class RankingRecord(SQLModel, table=True):
    __tablename__ = "matching_ranking_record"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    vacancy_id: int = Field(index=True)  # no foreign key: a record outlives its vacancy
    order_id: int | None = Field(default=None, index=True)
    vacancy_version: int = 0
    order_event_at: datetime | None = None
    scheme: str = Field(max_length=30)
    user_id: int | None = None
    role: str = Field(max_length=20)
    filters: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    model_fingerprint: str | None = Field(default=None, max_length=80)
    weights_version: str = Field(max_length=40)
    index_version: int = 0
    eligible: int = 0
    considered: int = 0
    indexed: int = 0
    # Per group dimension, how many of the eligible pool were in each group then (the audit's pool share).
    pool_groups: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class RankingRecordEntry(SQLModel, table=True):
    """One candidate of a record's top-N, as the consultant saw them."""

    __tablename__ = "matching_ranking_record_entry"

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="matching_ranking_record.id", index=True, ondelete="CASCADE")
    rank: int
    candidate_ref: str = Field(max_length=64, index=True)
    score: float
    parts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reasons: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Coarse group labels (audit.py) kept through erasure, so the audit's figures still count them.
    groups: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class RankingRecordAction(SQLModel, table=True):
    """What a consultant did after a ranking: shortlisted, proposed; later hired or rejected."""

    __tablename__ = "matching_ranking_record_action"

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="matching_ranking_record.id", index=True, ondelete="CASCADE")
    action: str = Field(max_length=20)
    candidate_ref: str = Field(max_length=64, index=True)
    rank: int | None = None  # None: not in the record's top-N
    score: float | None = None
    reason: str | None = Field(default=None, max_length=500)
    user_id: int | None = None
    groups: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The crm event it came from: a redelivered event appends nothing.
    event_id: str | None = Field(default=None, max_length=40, unique=True)
    acted_at: datetime = Field(default_factory=utcnow, index=True)
