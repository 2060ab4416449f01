from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class JobAd(SQLModel, table=True):
    """An order published as an open job ad (åbent jobopslag) for jobseekers and job boards.

    One row per order, kept after withdrawal so a republished ad keeps its number and its own
    text. It is public while `published_at` is set and `withdrawn_at` is not. It holds only what
    the public may read: never a candidate, a contact person or a consultant.
    """

    __tablename__ = "job_ad"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="recruitment_order.id", unique=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    description: str = Field(max_length=8000)
    postcode: str = Field(max_length=4)
    city: str = Field(max_length=100)
    how_to_apply: str = Field(max_length=2000)
    # The company is named only when it has agreed to be; otherwise the jobcentre recruits on its behalf.
    name_company: bool = False
    published_at: datetime | None = Field(default=None, index=True)
    withdrawn_at: datetime | None = None
    withdrawn_reason: str | None = Field(default=None, max_length=40)
    published_by: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.withdrawn_at is None
