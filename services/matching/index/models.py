from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class StoredVector(SQLModel, table=True):
    """One embedding (float16 bytes), with the model that made it: vectors of two models coexist
    while re-embedding, and the index serves the old ones until the new set is complete."""

    __tablename__ = "matching_vector"
    __table_args__ = (UniqueConstraint("kind", "entity_id", "fingerprint", name="uq_matching_vector_entity_model"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)  # candidate | vacancy
    entity_id: int = Field(index=True)
    model: str = Field(max_length=200)
    fingerprint: str = Field(max_length=32, index=True)
    dimension: int
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    text_hash: str = Field(max_length=64)
    version: int = Field(default=0, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class IndexState(SQLModel, table=True):
    """Counters every replica polls: `version` rises with each change to candidates or vectors."""

    __tablename__ = "matching_index_state"

    key: str = Field(primary_key=True, max_length=40)
    value: int = 0
    text: str | None = Field(default=None, max_length=200)
