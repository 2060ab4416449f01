from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    __table_args__ = (UniqueConstraint("external_issuer", "external_subject", name="uq_app_user_external_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    # None for people who sign in through an OpenID Connect provider: only local logins have one.
    password_hash: str | None = Field(default=None, max_length=255)
    full_name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    is_active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # The provider's issuer and subject of someone who signs in with OpenID Connect (services/crm/signin).
    external_issuer: str | None = Field(default=None, max_length=300)
    external_subject: str | None = Field(default=None, max_length=200)
