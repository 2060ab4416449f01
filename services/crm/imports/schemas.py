from __future__ import annotations

from pydantic import BaseModel, EmailStr, Field

from services.crm.companies.schemas import CompanyCreate, ContactCreate, Cvr


class CompanyImportRow(CompanyCreate):
    """A company row: the API's own schema, so a file is checked exactly like a form."""


class ContactImportRow(ContactCreate):
    """A contact row, keyed by its company's CVR and its e-mail address."""

    cvr: Cvr = Field(description="Virksomhedens CVR-nummer")
    email: EmailStr  # required here: with the CVR it identifies the contact on a re-import


# Columns a file may have; CVR first because it is the key.
COMPANY_COLUMNS = ["cvr", "name", "sector", "industry_code", "employees", "postcode", "municipality_code", "address"]
COMPANY_REQUIRED = {"cvr", "name", "sector", "postcode"}
CONTACT_COLUMNS = ["cvr", "name", "email", "phone", "title", "newsletter_consent", "consent_method"]
CONTACT_REQUIRED = {"cvr", "name", "email"}


class RowProblem(BaseModel):
    row: int = Field(description="Rækkenummer i filen; overskriften er række 1")
    field: str
    message: str


class ImportResult(BaseModel):
    created: int
    updated: int
    unchanged: int
    rejected: list[RowProblem]
    warnings: list[RowProblem] = Field(default_factory=list,
                                       description="Rækker der er importeret, men hvor et felt ikke blev ændret")
    dry_run: bool
    written: bool
