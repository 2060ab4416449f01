from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class UnknownCompanySignin(SQLModel, table=True):
    """A company that tried to sign in with a CVR Jobbro does not know, for the consultants to create.

    Only the company is kept (its CVR and the name the broker sent), never the person who tried.
    """

    __tablename__ = "unknown_company_signin"

    id: int | None = Field(default=None, primary_key=True)
    cvr: str = Field(max_length=8, unique=True)
    org_name: str | None = Field(default=None, max_length=200)
    attempts: int = 1
    first_at: datetime = Field(default_factory=utcnow)
    last_at: datetime = Field(default_factory=utcnow, index=True)


class UsedIdToken(SQLModel, table=True):
    """ID tokens already exchanged for a Jobbro token: each one works once (a replay is refused)."""

    __tablename__ = "oidc_used_token"

    token_hash: str = Field(max_length=64, primary_key=True)  # SHA-256 of the token, not the token
    expires_at: datetime = Field(index=True)
