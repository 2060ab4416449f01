from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from shared.glossary import Role


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=10, max_length=200, description="Mindst 10 tegn")
    full_name: str = Field(min_length=1, max_length=200)
    role: Role
    company_id: int | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    role: Role
    company_id: int | None
    is_active: bool
    created_at: datetime


class UserName(BaseModel):
    """Who a user is, as pages that show who did what name them: no e-mail, no company."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    full_name: str
    role: Role
    is_active: bool


class UserNames(BaseModel):
    items: list[UserName]


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
