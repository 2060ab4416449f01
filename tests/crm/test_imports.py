from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func
from sqlmodel import select

from services.crm.companies.models import Company, Contact
from shared.audit import AuditLog
from tests.factories import valid_cvr

COMPANIES = "/api/v1/imports/companies"
CONTACTS = "/api/v1/imports/contacts"


def _csv(rows, delimiter=";", bom=True) -> bytes:
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def _post(client, url, headers, content: bytes, **params):
    return client.post(url, files={"file": ("data.csv", content, "text/csv")}, params=params, headers=headers)


def _count(db, *where):
    return db.exec(select(func.count()).select_from(Company).where(*where)).one()


HEADER = ["cvr", "name", "sector", "industry_code", "employees", "postcode", "municipality_code"]


def test_companies_created_then_reimport_is_unchanged_then_updated(crm_client, konsulent, db):
    rows = [HEADER, ["13585628", "Slagelse Stål A/S", "privat", "251100", "42", "4200", "330"],
            ["25313763", "Korsør Fisk ApS", "privat", "102000", "7", "4220", "330"],
            ["29189420", "Sorø Kommune", "kommunal", "", "", "4180", ""]]
    res = _post(crm_client, COMPANIES, konsulent, _csv(rows))
    assert res.status_code == 200, res.text
    assert res.json() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": [], "warnings": [],
                          "dry_run": False, "written": True}
    stål = db.exec(select(Company).where(Company.cvr == "13585628")).one()
    assert (stål.name, stål.employees, stål.municipality_code, stål.sector) == ("Slagelse Stål A/S", 42, 330, "privat")
    again = _post(crm_client, COMPANIES, konsulent, _csv(rows)).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    rows[1][1] = "Slagelse Stål & Metal A/S"
    rows[2][4] = "9"
    changed = _post(crm_client, COMPANIES, konsulent, _csv(rows)).json()
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 2, 1)
    db.expire_all()
    assert db.get(Company, stål.id).name == "Slagelse Stål & Metal A/S"
    assert _count(db, Company.cvr.in_(["13585628", "25313763", "29189420"])) == 3  # never a second company


def test_comma_without_bom_quoted_cells_and_a_sparse_file_erases_nothing(crm_client, konsulent, factories, db):
    known = factories.CompanyFactory(cvr="13585628", name="Gammelt navn", industry_code="251100", employees=40,
                                     address="Torvet 1")
    content = _csv([["CVR", "Name", "Sector", "Postcode", "Employees"],
                    ["13585628", '"Stål, Smed & Søn A/S"', "privat", "4200", ""]], delimiter=",", bom=False)
    res = _post(crm_client, COMPANIES, konsulent, content)
    assert res.status_code == 200, res.text
    assert res.json()["updated"] == 1
    db.expire_all()
    company = db.get(Company, known.id)
    assert company.name == "Stål, Smed & Søn A/S"
    assert (company.industry_code, company.employees, company.address) == ("251100", 40, "Torvet 1")


def test_every_rejected_row_is_reported_and_nothing_is_written(crm_client, konsulent, db):
    rows = [HEADER,
            ["13585628", "God A/S", "privat", "", "5", "4200", ""],      # row 2: fine
            ["13585627", "Forkert ciffer", "privat", "", "", "4200", ""],  # row 3: check digit
            ["25313763", "", "offentlig", "", "-1", "42", ""],            # row 4: four problems
            ["13585628", "Dublet", "privat", "", "", "4200", ""],          # row 5: CVR again
            ["29189420", "For mange", "privat", "", "", "4200", "", "x"],  # row 6: extra cell
            ["29189420", "Kommune", "privat", "", "", "4200", "999"]]     # row 7: municipality
    res = _post(crm_client, COMPANIES, konsulent, _csv(rows))
    assert res.status_code == 422, res.text
    body = res.json()
    assert body["written"] is False and "Intet er importeret" in body["detail"]
    problems = {(r["row"], r["field"]) for r in body["rejected"]}
    assert problems == {(3, "cvr"), (4, "name"), (4, "sector"), (4, "employees"), (4, "postcode"), (5, "cvr"),
                        (6, "row"), (7, "municipality_code")}
    by_row = {(r["row"], r["field"]): r["message"] for r in body["rejected"]}
    assert "kontrolcifferet" in by_row[(3, "cvr")] and "række 2" in by_row[(5, "cvr")]
    assert _count(db, Company.cvr == "13585628") == 0

    dry = _post(crm_client, COMPANIES, konsulent, _csv(rows), dry_run="true")
    assert dry.status_code == 200 and dry.json()["dry_run"] is True and dry.json()["written"] is False
    assert len(dry.json()["rejected"]) == len(body["rejected"])


def test_dry_run_shows_what_would_happen_without_writing(crm_client, konsulent, factories, db):
    factories.CompanyFactory(cvr="13585628", name="Findes", postcode="4200", sector="privat")
    content = _csv([["cvr", "name", "sector", "postcode"], ["13585628", "Nyt navn", "privat", "4200"],
                    ["25313763", "Ny", "privat", "4200"]])
    res = _post(crm_client, COMPANIES, konsulent, content, dry_run="true").json()
    assert (res["created"], res["updated"], res["unchanged"], res["written"]) == (1, 1, 0, False)
    assert _count(db, Company.cvr == "25313763") == 0
    assert db.exec(select(Company.name).where(Company.cvr == "13585628")).one() == "Findes"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("cvr;name;sector;postcode\n13585628;Århus Ål;privat;8000\n".encode("latin-1"), "UTF-8"),
        (b"", "tom"),
        (b"\xef\xbb\xbf\n\n", "tom"),
        (b"cvr;name;sector;postcode\n", "ingen r"),
        (b"cvr;name;sector;postcode;cpr\n13585628;A;privat;4200;0101011234\n", "Ukendt kolonne: cpr"),
        (b"cvr;name;postcode\n13585628;A;4200\n", "mangler kolonnen: sector"),
        (b"cvr;name;name;sector;postcode\n", "flere gange"),
        (b'cvr;name;sector;postcode\n13585628;"' + b"a" * 140_000 + b'";privat;4200\n', "kan ikke l"),
    ],
)
def test_bad_files_are_422_naming_the_file(crm_client, konsulent, content, fragment):
    res = _post(crm_client, COMPANIES, konsulent, content)
    assert res.status_code == 422, res.text
    assert res.json()["field"] == "file" and fragment in res.json()["detail"]


def test_missing_file_and_bad_dry_run_flag(crm_client, konsulent):
    res = crm_client.post(COMPANIES, headers=konsulent)
    assert res.status_code == 422 and res.json()["errors"][0]["field"] == "file"
    res = _post(crm_client, COMPANIES, konsulent, _csv([HEADER]), dry_run="maaske")
    assert res.status_code == 422 and res.json()["errors"][0]["field"] == "dry_run"


def test_staff_only(crm_client, login, factories):
    _, headers = login("virksomhed", factories.CompanyFactory())
    content = _csv([["cvr", "name", "sector", "postcode"], ["13585628", "A", "privat", "4200"]])
    assert _post(crm_client, COMPANIES, headers, content).status_code == 403
    assert _post(crm_client, CONTACTS, headers, _csv([["cvr", "name", "email"]])).status_code == 403


def test_contacts_upsert_by_company_cvr_and_email_with_consent(crm_client, konsulent, factories, db):
    company = factories.CompanyFactory(cvr="13585628")
    other = factories.CompanyFactory(cvr="25313763")
    known = factories.ContactFactory(company_id=company.id, email="Bo@Firma.dk", name="Bo", newsletter_consent=False,
                                     consent_given_at=None, consent_method=None)
    gone = factories.ContactFactory(company_id=company.id, email="gone@firma.dk", newsletter_consent=False,
                                    unsubscribed_at=datetime(2024, 1, 1, tzinfo=UTC))
    rows = [["cvr", "name", "email", "title", "newsletter_consent"],
            ["13585628", "Bo Jensen", "bo@firma.dk", "Direktør", "ja"],
            ["13585628", "Ny Person", "ny@firma.dk", "", "nej"],
            ["25313763", "Ny Person", "ny@firma.dk", "", "ja"],  # same e-mail, other company: another contact
            ["13585628", "Gone", "gone@firma.dk", "", "ja"]]
    res = _post(crm_client, CONTACTS, konsulent, _csv(rows))
    assert res.status_code == 200, res.text
    body = res.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 2, 0)
    assert [(w["row"], w["field"]) for w in body["warnings"]] == [(5, "newsletter_consent")]
    db.expire_all()
    bo = db.get(Contact, known.id)
    assert (bo.name, bo.title, bo.newsletter_consent, bo.consent_method) == ("Bo Jensen", "Direktør", True, "import")
    assert bo.consent_given_at is not None
    assert db.get(Contact, gone.id).newsletter_consent is False  # withdrawn consent is not re-granted by a file
    new_other = db.exec(select(Contact).where(Contact.company_id == other.id)).one()
    assert new_other.newsletter_consent and new_other.consent_method == "import"
    audit = db.exec(select(AuditLog).where(AuditLog.action == "import")).one()
    assert audit.entity == "contact" and bo.id in audit.detail["updated"] and new_other.id in audit.detail["created"]

    again = _post(crm_client, CONTACTS, konsulent, _csv(rows)).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)
    off = _post(crm_client, CONTACTS, konsulent, _csv([["cvr", "name", "email", "newsletter_consent"],
                                                      ["13585628", "Bo Jensen", "bo@firma.dk", "nej"]])).json()
    assert off["updated"] == 1
    db.expire_all()
    assert db.get(Contact, known.id).newsletter_consent is False and db.get(Contact, known.id).unsubscribed_at


def test_contact_rows_are_rejected_with_reasons(crm_client, konsulent, factories, db):
    factories.CompanyFactory(cvr="13585628")
    rows = [["cvr", "name", "email", "phone", "newsletter_consent"],
            ["13585628", "A", "a@firma.dk", "", ""],
            ["29189420", "Ukendt", "u@firma.dk", "", ""],      # row 3: no such company
            ["13585628", "B", "ikke-en-mail", "", ""],        # row 4: e-mail
            ["13585628", "C", "", "12", "måske"],             # row 5: e-mail missing, phone, consent
            ["13585628", "A igen", "A@firma.dk", "", ""]]     # row 6: same key as row 2
    res = _post(crm_client, CONTACTS, konsulent, _csv(rows))
    assert res.status_code == 422, res.text
    problems = {(r["row"], r["field"]) for r in res.json()["rejected"]}
    assert problems == {(3, "cvr"), (4, "email"), (5, "email"), (5, "phone"), (5, "newsletter_consent"), (6, "email")}
    assert db.exec(select(func.count()).select_from(Contact)).one() == 0


def test_five_thousand_rows_import_set_based(crm_client, konsulent, db, engine):
    cvrs: list[str] = []
    while len(cvrs) < 5000:
        c = valid_cvr()
        if c not in cvrs:
            cvrs.append(c)
    # Empty cells in a varying pattern: a naive ORM bulk insert would split into one statement per row.
    rows = [HEADER] + [[c, f"Firma {i}", "privat", "471100" if i % 3 else "", str(i % 90) if i % 2 else "", "4200",
                        "330"] for i, c in enumerate(cvrs)]
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        first = _post(crm_client, COMPANIES, konsulent, _csv(rows))
        inserted = len(statements)
        rows[1:] = [[c, n + " ApS", *rest] for c, n, *rest in rows[1:]]
        second = _post(crm_client, COMPANIES, konsulent, _csv(rows))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert first.status_code == 200 and first.json()["created"] == 5000, first.text[:500]
    assert second.status_code == 200 and second.json()["updated"] == 5000
    # No N+1: a handful of look-ups per 1,000 keys and batched writes, not thousands of statements.
    assert inserted < 30 and len(statements) - inserted < 30, (inserted, len(statements))
    assert _count(db, Company.name.like("Firma % ApS")) == 5000
