"""CSV import of companies and contacts: validate every row, then write all or nothing.

Each row is checked with the API's own pydantic schema, so a file and a form follow the same rules.
Existing records are found and written set-based (a query per chunk of keys, one executemany per
kind of change), which keeps a 5,000-row file at a few seconds.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import insert, update
from sqlmodel import Session

from services.crm import events
from services.crm.companies.models import Company, Contact
from services.crm.deps import SERVICE
from services.crm.imports import queries
from services.crm.imports.schemas import (
    COMPANY_COLUMNS,
    COMPANY_REQUIRED,
    CONTACT_COLUMNS,
    CONTACT_REQUIRED,
    CompanyImportRow,
    ContactImportRow,
    ImportResult,
    RowProblem,
)
from shared import audit
from shared.auth import Principal
from shared.errors import Invalid, validation_errors
from shared.glossary import ConsentMethod
from shared.models_base import utcnow

MAX_BYTES = 20 * 1024 * 1024
# Without it the ORM drops None values and splits the batch per pattern of empty cells,
# which turns one multi-row INSERT into one statement per row.
_ALL_COLUMNS = {"render_nulls": True}
_DANISH_BOOLEANS = {"ja": "true", "j": "true", "x": "true", "nej": "false", "n": "false"}


@dataclass
class Parsed:
    rows: list[tuple[int, dict[str, str]]]  # (row number in the file, non-empty cells by column)
    problems: list[RowProblem] = field(default_factory=list)


def parse_csv(raw: bytes, allowed: list[str], required: set[str]) -> Parsed:
    """Decode (UTF-8, BOM or not), detect `;` or `,` from the header, and map cells to columns."""
    if len(raw) > MAX_BYTES:
        raise Invalid(f"Filen er for stor (højst {MAX_BYTES // (1024 * 1024)} MB).", field="file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"Filen er ikke UTF-8 (fejl ved byte {exc.start}). Gem den som 'CSV UTF-8' i Excel.", field="file"
        ) from exc
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), None)
    if header_line is None:
        raise Invalid("Filen er tom.", field="file")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    parsed = Parsed(rows=[])
    try:
        _read_rows(reader, allowed, required, parsed, delimiter)
    except csv.Error as exc:  # NUL bytes, a cell beyond the size limit, ...
        raise Invalid(f"Filen kan ikke læses som CSV: {exc}.", field="file") from exc
    if not parsed.rows and not parsed.problems:
        raise Invalid("Filen har ingen rækker under overskriften.", field="file")
    return parsed


def _read_rows(reader, allowed: list[str], required: set[str], parsed: Parsed, delimiter: str) -> None:
    header: list[str] | None = None
    for number, cells in enumerate(reader, start=1):
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            unknown = [c for c in header if c not in allowed]
            if unknown:
                raise Invalid(f"Ukendt kolonne: {', '.join(unknown)}. Tilladte kolonner: {', '.join(allowed)}.",
                              field="file")
            duplicated = sorted({c for c in header if header.count(c) > 1})
            if duplicated:
                raise Invalid(f"Kolonnen {', '.join(duplicated)} står flere gange i overskriften.", field="file")
            missing = [c for c in allowed if c in required and c not in header]
            if missing:
                raise Invalid(f"Filen mangler kolonnen: {', '.join(missing)}.", field="file")
            continue
        if len(cells) > len(header):
            parsed.problems.append(RowProblem(row=number, field="row", message=(
                f"Rækken har {len(cells)} felter, men overskriften har {len(header)}; "
                f"tjek skilletegn ('{delimiter}') og anførselstegn")))
            continue
        values = {col: cell.strip() for col, cell in zip(header, cells, strict=False) if cell.strip()}
        parsed.rows.append((number, values))


def _validate(model: type[BaseModel], number: int, values: dict[str, Any], problems: list[RowProblem]):
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        for err in validation_errors(list(exc.errors())):
            name = "row" if err["field"] == "request" else err["field"]
            problems.append(RowProblem(row=number, field=name, message=err["message"]))
        return None


def _duplicate(problems: list[RowProblem], number: int, name: str, label: str, first: int) -> None:
    problems.append(RowProblem(row=number, field=name, message=f"{label} står også i række {first}"))


def _result(created: int, updated: int, unchanged: int, problems: list[RowProblem], warnings: list[RowProblem],
            dry_run: bool) -> ImportResult:
    rejected = sorted(problems, key=lambda p: p.row)
    written = not dry_run and not rejected
    return ImportResult(created=created, updated=updated, unchanged=unchanged, rejected=rejected,
                        warnings=warnings, dry_run=dry_run, written=written)


def _bulk_update(session: Session, model, rows: list[dict[str, Any]]) -> None:
    # One executemany per set of changed columns: bulk UPDATE by primary key needs uniform rows.
    groups: dict[frozenset, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[frozenset(row)].append(row)
    for group in groups.values():
        session.exec(update(model), params=group)


# -- companies ----------------------------------------------------------------------------------

def import_companies(session: Session, principal: Principal, raw: bytes, dry_run: bool = False) -> ImportResult:
    parsed = parse_csv(raw, COMPANY_COLUMNS, COMPANY_REQUIRED)
    problems = parsed.problems
    valid: list[tuple[int, CompanyImportRow, set[str]]] = []
    first_row: dict[str, int] = {}
    for number, values in parsed.rows:
        row = _validate(CompanyImportRow, number, values, problems)
        if row is None:
            continue
        if row.cvr in first_row:
            _duplicate(problems, number, "cvr", f"CVR {row.cvr}", first_row[row.cvr])
            continue
        first_row[row.cvr] = number
        valid.append((number, row, set(values)))

    existing = queries.companies_by_cvr(session, first_row)
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    before: dict[str, dict[str, Any]] = {}
    unchanged = 0
    for _number, row, given in valid:
        data = row.model_dump(mode="json", exclude={"consultant_id"})
        company = existing.get(row.cvr)
        if company is None:
            inserts.append({**data, "created_at": now, "updated_at": now})
            continue
        # An empty cell means "not in this file", never "erase": a sparse file loses no data.
        changes = {k: data[k] for k in given - {"cvr"} if getattr(company, k) != data[k]}
        if changes:
            updates.append({"id": company.id, **changes, "updated_at": now})
            before[company.cvr] = events.company_snapshot(company)
        else:
            unchanged += 1

    result = _result(len(inserts), len(updates), unchanged, problems, [], dry_run)
    if result.written:
        if inserts:
            session.exec(insert(Company), params=inserts, execution_options=_ALL_COLUMNS)
        if updates:
            _bulk_update(session, Company, updates)
        if inserts or updates:
            written = queries.companies_by_cvr(session, [row["cvr"] for row in inserts] + list(before), fresh=True)
            for row in inserts:
                events.publish_company_created(session, written[row["cvr"]])
            for cvr, snapshot in before.items():
                events.publish_company_changed(session, written[cvr], snapshot)
        session.commit()
    return result


# -- contacts -----------------------------------------------------------------------------------

def _contact_values(values: dict[str, str]) -> dict[str, str]:
    consent = values.get("newsletter_consent")
    if consent is not None:
        values = {**values, "newsletter_consent": _DANISH_BOOLEANS.get(consent.lower(), consent)}
    return values


def import_contacts(session: Session, principal: Principal, raw: bytes, dry_run: bool = False) -> ImportResult:
    parsed = parse_csv(raw, CONTACT_COLUMNS, CONTACT_REQUIRED)
    problems = parsed.problems
    valid: list[tuple[int, ContactImportRow, set[str]]] = []
    for number, values in parsed.rows:
        row = _validate(ContactImportRow, number, _contact_values(values), problems)
        if row is not None:
            valid.append((number, row, set(values)))

    companies = queries.companies_by_cvr(session, {row.cvr for _, row, _ in valid})
    existing = queries.contacts_by_key(session, [c.id for c in companies.values()])
    now = utcnow()
    first_row: dict[tuple[str, str], int] = {}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    before: dict[int, dict[str, Any]] = {}
    warnings: list[RowProblem] = []
    unchanged = 0
    for number, row, given in valid:
        company = companies.get(row.cvr)
        if company is None:
            problems.append(RowProblem(row=number, field="cvr", message=(
                f"Der findes ingen virksomhed med CVR {row.cvr}; importér virksomheden først")))
            continue
        email = str(row.email)
        key = (row.cvr, email.lower())
        if key in first_row:
            _duplicate(problems, number, "email", f"{email} hos CVR {row.cvr}", first_row[key])
            continue
        first_row[key] = number
        method = (row.consent_method or ConsentMethod.import_).value
        contact = existing.get((company.id, email.lower()))
        if contact is None:
            inserts.append({
                "company_id": company.id, "name": row.name, "email": email, "phone": row.phone, "title": row.title,
                "newsletter_consent": row.newsletter_consent,
                "consent_given_at": now if row.newsletter_consent else None,
                "consent_method": method if row.newsletter_consent else None,
                "unsubscribed_at": None, "created_at": now, "updated_at": now,
            })
            continue
        changes = {k: getattr(row, k) for k in ("name", "phone", "title") if k in given
                   and getattr(contact, k) != getattr(row, k)}
        if "newsletter_consent" in given and row.newsletter_consent != contact.newsletter_consent:
            if row.newsletter_consent and contact.unsubscribed_at is not None:
                # Consent withdrawn by the person can only be given again by the person.
                warnings.append(RowProblem(row=number, field="newsletter_consent", message=(
                    f"{email} har afmeldt nyhedsbrevet; samtykket er ikke genoprettet")))
            elif row.newsletter_consent:
                changes.update(newsletter_consent=True, consent_given_at=now, consent_method=method)
            else:
                changes.update(newsletter_consent=False, unsubscribed_at=now)
        if changes:
            updates.append({"id": contact.id, **changes, "updated_at": now})
            before[contact.id] = events.contact_snapshot(contact)
        else:
            unchanged += 1

    result = _result(len(inserts), len(updates), unchanged, problems, warnings, dry_run)
    if result.written and (inserts or updates):
        created_ids: list[int] = []
        if inserts:
            created_ids = list(session.exec(insert(Contact).returning(Contact.id), params=inserts,
                                            execution_options=_ALL_COLUMNS).scalars())
        if updates:
            _bulk_update(session, Contact, updates)
        audit.record(session, principal, SERVICE, "import", "contact", None,
                     {"created": created_ids, "updated": [u["id"] for u in updates]})
        for contact in queries.contacts_by_id(session, [*created_ids, *before]):
            if contact.id in before:
                events.publish_contact_changes(session, contact, before[contact.id], at=now,
                                               source=contact.consent_method if contact.newsletter_consent
                                               else ConsentMethod.import_.value)
            else:
                events.publish_contact_created(session, contact)
        session.commit()
    return result
