"""POST /api/v1/orders/validate: crm's order rules for forms that check as the user types."""

from __future__ import annotations

from sqlmodel import func, select


def test_validate_answers_the_create_rules_without_saving(crm_client, konsulent, factories, db):
    from services.crm.orders.models import Order

    company = factories.CompanyFactory()
    order = {"company_id": company.id, "title": "Pedel", "scheme": "fleksjob", "positions": 1, "postcode": "4200"}
    before = db.exec(select(func.count()).select_from(Order)).one()

    ok = crm_client.post("/api/v1/orders/validate", json={**order, "hours_per_week": 12}, headers=konsulent)
    assert ok.status_code == 200 and ok.json() == {"valid": True}

    bad = crm_client.post("/api/v1/orders/validate", json={**order, "hours_per_week": 40}, headers=konsulent)
    assert bad.status_code == 422
    assert "fleksjob" in bad.text and "37" in bad.text
    assert db.exec(select(func.count()).select_from(Order)).one() == before


def test_validate_needs_a_login(crm_client):
    assert crm_client.post("/api/v1/orders/validate", json={}).status_code == 401
