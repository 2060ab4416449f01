"""Every route of every service, called by every role: the authorisation matrix is data here.

For each route the roles allowed to call it are declared; the test calls it as nobody, konsulent,
leder, virksomhed and admin with an id that does not exist and an empty body, and checks that
nobody gets 401, a role not allowed gets 403, and an allowed role gets past authorisation (a 404
or 422 for the missing id/body, never 401/403) — and that nothing answers 500. A new route
without an entry here fails the test, so the matrix cannot silently fall behind.
"""

from __future__ import annotations

import re

import pytest

ROLES = ("konsulent", "leder", "virksomhed", "admin")
ALL = set(ROLES)
STAFF = {"konsulent", "leder", "admin"}
ADMIN = {"admin"}
PUBLIC = None

CRM = {
    ("GET", "/api/v1/users/me"): ALL,
    ("GET", "/api/v1/users"): {"leder", "admin"},
    ("POST", "/api/v1/users"): ADMIN,
    ("GET", "/api/v1/companies"): ALL,
    ("POST", "/api/v1/companies"): STAFF,
    ("GET", "/api/v1/companies/{company_id}"): ALL,
    ("PATCH", "/api/v1/companies/{company_id}"): ALL,
    ("DELETE", "/api/v1/companies/{company_id}"): ADMIN,
    ("GET", "/api/v1/companies/{company_id}/timeline"): STAFF,
    ("GET", "/api/v1/companies/{company_id}/workplaces"): ALL,
    ("POST", "/api/v1/companies/{company_id}/workplaces"): STAFF,
    ("GET", "/api/v1/companies/{company_id}/contacts"): ALL,
    ("POST", "/api/v1/companies/{company_id}/contacts"): ALL,
    ("GET", "/api/v1/companies/{company_id}/contacts/{contact_id}"): ALL,
    ("PATCH", "/api/v1/companies/{company_id}/contacts/{contact_id}"): ALL,
    ("DELETE", "/api/v1/companies/{company_id}/contacts/{contact_id}"): ALL,
    ("GET", "/api/v1/companies/{company_id}/contacts/{contact_id}/export"): STAFF,
    ("GET", "/api/v1/feeds/{feed}"): ADMIN,
    ("GET", "/api/v1/erasures"): ADMIN,
    ("GET", "/api/v1/partnerships"): ALL,
    ("POST", "/api/v1/partnerships"): STAFF,
    ("GET", "/api/v1/partnerships/{partnership_id}"): ALL,
    ("PATCH", "/api/v1/partnerships/{partnership_id}"): STAFF,
    ("DELETE", "/api/v1/partnerships/{partnership_id}"): STAFF,
    ("POST", "/api/v1/partnerships/{partnership_id}/renew"): STAFF,
    ("GET", "/api/v1/partnerships/{partnership_id}/history"): ALL,
    ("GET", "/api/v1/activities"): STAFF,
    ("POST", "/api/v1/activities"): STAFF,
    ("GET", "/api/v1/activities/{activity_id}"): STAFF,
    ("PATCH", "/api/v1/activities/{activity_id}"): STAFF,
    ("DELETE", "/api/v1/activities/{activity_id}"): STAFF,
    ("POST", "/api/v1/activities/{activity_id}/follow-up/done"): STAFF,
    ("GET", "/api/v1/tasks"): STAFF,
    ("GET", "/api/v1/orders"): ALL,
    ("POST", "/api/v1/orders"): ALL,
    ("POST", "/api/v1/orders/validate"): ALL,
    ("GET", "/api/v1/orders/{order_id}"): ALL,
    ("PATCH", "/api/v1/orders/{order_id}"): ALL,
    ("DELETE", "/api/v1/orders/{order_id}"): STAFF,
    ("POST", "/api/v1/orders/{order_id}/status"): ALL,
    ("GET", "/api/v1/orders/{order_id}/proposals"): STAFF,
    ("POST", "/api/v1/orders/{order_id}/proposals"): STAFF,
    ("PATCH", "/api/v1/orders/{order_id}/proposals/{proposal_id}"): STAFF,
    ("GET", "/api/v1/orders/{order_id}/shortlist"): STAFF,
    ("POST", "/api/v1/orders/{order_id}/shortlist"): STAFF,
    ("DELETE", "/api/v1/orders/{order_id}/shortlist/{candidate_ref}"): STAFF,
    ("GET", "/api/v1/placements"): STAFF,
    ("POST", "/api/v1/placements"): STAFF,
    ("POST", "/api/v1/placements/check"): STAFF,
    ("GET", "/api/v1/placements/{placement_id}"): STAFF,
    ("PATCH", "/api/v1/placements/{placement_id}"): STAFF,
    ("DELETE", "/api/v1/placements/{placement_id}"): STAFF,
    ("GET", "/api/v1/placements/{placement_id}/hours"): STAFF,
    ("POST", "/api/v1/placements/{placement_id}/hours"): STAFF,
    ("GET", "/api/v1/campaigns"): STAFF,
    ("POST", "/api/v1/campaigns"): STAFF,
    ("GET", "/api/v1/campaigns/{campaign_id}"): STAFF,
    ("PATCH", "/api/v1/campaigns/{campaign_id}"): STAFF,
    ("DELETE", "/api/v1/campaigns/{campaign_id}"): STAFF,
    ("GET", "/api/v1/campaigns/{campaign_id}/targets"): STAFF,
    ("POST", "/api/v1/campaigns/{campaign_id}/targets"): STAFF,
    ("PATCH", "/api/v1/campaigns/{campaign_id}/targets/{target_id}"): STAFF,
    ("GET", "/api/v1/kpi"): STAFF,
    ("GET", "/api/v1/reports/placements"): STAFF,
    ("GET", "/api/v1/reports/fleksjob-hours"): STAFF,
    ("GET", "/api/v1/reports/igu"): STAFF,
    ("GET", "/api/v1/reports/activities"): STAFF,
    ("GET", "/api/v1/reports/consultant-activity"): STAFF,
    # Issue 14 part 1: satisfaction surveys (docs/satisfaction.md).
    ("GET", "/api/v1/reports/satisfaction"): {"leder", "admin"},
    ("GET", "/api/v1/companies/{company_id}/satisfaction"): ALL,
    ("GET", "/api/v1/public/satisfaction/{token}"): PUBLIC,
    ("POST", "/api/v1/public/satisfaction/{token}"): PUBLIC,
    ("POST", "/api/v1/imports/companies"): STAFF,
    ("POST", "/api/v1/imports/contacts"): STAFF,
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("GET", "/api/v1/orders/{order_id}/job-ad"): STAFF,
    ("POST", "/api/v1/orders/{order_id}/job-ad"): STAFF,
    ("DELETE", "/api/v1/orders/{order_id}/job-ad"): STAFF,
    ("GET", "/api/v1/public/job-ads"): PUBLIC,
    ("GET", "/api/v1/public/job-ads/{ad_id}"): PUBLIC,
    # Issue 14: company centres (services/crm/centres); companies never see them.
    ("GET", "/api/v1/centres"): STAFF,
    ("POST", "/api/v1/centres"): STAFF,
    ("GET", "/api/v1/centres/{centre_id}"): STAFF,
    ("PATCH", "/api/v1/centres/{centre_id}"): STAFF,
    ("DELETE", "/api/v1/centres/{centre_id}"): STAFF,
    ("GET", "/api/v1/centres/{centre_id}/availability"): STAFF,
    ("POST", "/api/v1/centres/{centre_id}/reservations"): STAFF,
    ("GET", "/api/v1/reports/company-centres"): STAFF,
    # Issue 15: partners call the first two (the signature is the credential), staff the rest.
    ("GET", "/api/v1/cooperation/public-key"): PUBLIC,
    ("POST", "/api/v1/cooperation/messages"): PUBLIC,
    ("GET", "/api/v1/cooperation/partners"): STAFF,
    ("POST", "/api/v1/cooperation/partners"): ADMIN,
    ("DELETE", "/api/v1/cooperation/partners/{partner_id}"): ADMIN,
    ("GET", "/api/v1/cooperation/outbox"): ADMIN,
    ("GET", "/api/v1/orders/{order_id}/cooperation"): STAFF,
    ("POST", "/api/v1/orders/{order_id}/cooperation"): STAFF,
    ("DELETE", "/api/v1/orders/{order_id}/cooperation"): STAFF,
    ("GET", "/api/v1/orders/{order_id}/partner-proposals"): STAFF,
    ("POST", "/api/v1/cooperation/partner-proposals/{proposal_id}/outcome"): STAFF,
    ("GET", "/api/v1/cooperation/orders"): STAFF,
    ("GET", "/api/v1/cooperation/orders/{received_order_id}"): STAFF,
    ("GET", "/api/v1/cooperation/orders/{received_order_id}/proposals"): STAFF,
    ("POST", "/api/v1/cooperation/orders/{received_order_id}/proposals"): STAFF,
    ("GET", "/api/v1/cooperation/stats"): STAFF,
    ("POST", "/api/v1/auth/oidc/{provider}"): PUBLIC,  # the ID token is the credential (services/crm/signin)
    ("POST", "/api/v1/auth/oidc/{provider}/refusals"): PUBLIC,
    ("GET", "/api/v1/signin/unknown-companies"): STAFF,
}

MATCHING = {
    ("GET", "/api/v1/vacancies/{vacancy_id}/matches"): STAFF,
    ("GET", "/api/v1/candidates/{ref}/matches"): STAFF,
    ("POST", "/api/v1/match"): STAFF,
    ("POST", "/api/v1/vacancies/{vacancy_id}/outcomes"): STAFF,
    ("GET", "/api/v1/matching/status"): STAFF,
    ("GET", "/api/v1/ranking-records"): {"leder", "admin"},
    ("GET", "/api/v1/ranking-records/{record_id}"): {"leder", "admin"},
    ("GET", "/api/v1/ranking-records/{record_id}/rank"): STAFF,
    ("GET", "/api/v1/audit/ranking"): {"leder", "admin"},
    ("POST", "/api/v1/candidates"): STAFF,
    ("GET", "/api/v1/candidates"): STAFF,
    ("GET", "/api/v1/candidates/{ref}"): STAFF,
    ("PATCH", "/api/v1/candidates/{ref}"): STAFF,
    ("DELETE", "/api/v1/candidates/{ref}"): STAFF,
    ("GET", "/api/v1/erasures"): ADMIN,
    ("POST", "/api/v1/candidates/{ref}/cv"): STAFF,
    ("POST", "/api/v1/vacancies"): STAFF,
    ("GET", "/api/v1/vacancies"): STAFF,
    ("GET", "/api/v1/vacancies/{vacancy_id}"): STAFF,
    ("PATCH", "/api/v1/vacancies/{vacancy_id}"): STAFF,
    ("DELETE", "/api/v1/vacancies/{vacancy_id}"): STAFF,
    ("GET", "/api/v1/vacancies/{vacancy_id}/occupation-choices"): STAFF,
    ("PUT", "/api/v1/vacancies/{vacancy_id}/occupation"): STAFF,
}

NOTIFICATIONS = {
    ("GET", "/api/v1/newsletters"): STAFF,
    ("POST", "/api/v1/newsletters"): STAFF,
    ("GET", "/api/v1/newsletters/{newsletter_id}"): STAFF,
    ("PATCH", "/api/v1/newsletters/{newsletter_id}"): STAFF,
    ("DELETE", "/api/v1/newsletters/{newsletter_id}"): STAFF,
    ("GET", "/api/v1/newsletters/{newsletter_id}/preview"): STAFF,
    ("GET", "/api/v1/newsletters/{newsletter_id}/preview.html"): STAFF,
    ("POST", "/api/v1/newsletters/{newsletter_id}/test"): STAFF,
    ("POST", "/api/v1/newsletters/{newsletter_id}/send"): STAFF,
    ("POST", "/api/v1/newsletters/{newsletter_id}/cancel"): STAFF,
    ("GET", "/api/v1/deliveries"): STAFF,
    ("GET", "/unsubscribe/{token}"): PUBLIC,
    ("POST", "/unsubscribe/{token}"): PUBLIC,
}

OPS = {"/health", "/ready", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def _app(service: str):
    if service == "crm":
        from services.crm.main import app
    elif service == "matching":
        from services.matching.main import app
    else:
        from services.notifications.main import app
    return app


def _routes(app) -> set[tuple[str, str]]:
    spec = app.openapi()
    return {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops if p not in OPS}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "ABCDEF" if m.group(0) in ("{ref}", "{token}") else "999999", path)


MATRICES = {"crm": CRM, "matching": MATCHING, "notifications": NOTIFICATIONS}


@pytest.mark.parametrize("service", list(MATRICES))
def test_every_route_is_in_the_matrix(service):
    routes = _routes(_app(service))
    missing = routes - set(MATRICES[service])
    stale = set(MATRICES[service]) - routes
    assert not missing, f"routes without an authorisation entry: {sorted(missing)}"
    assert not stale, f"entries for routes that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("service", list(MATRICES))
def test_each_role_gets_what_the_matrix_says(service, db, login, factories):
    from tests.conftest import _client_for

    app = _app(service)
    company = factories.CompanyFactory()
    headers = {"none": {}}
    for role in ROLES:
        headers[role] = login(role, company if role == "virksomhed" else None)[1]
    wrong: list[str] = []
    with _client_for(app, db) as client:
        for (method, path), allowed in sorted(MATRICES[service].items()):
            url = _concrete(path)
            for who, hdrs in headers.items():
                res = client.request(method, url, headers=hdrs, json={} if method in ("POST", "PATCH") else None)
                code = res.status_code
                if code >= 500:
                    wrong.append(f"{who} {method} {path}: {code}")
                elif allowed is PUBLIC:
                    if code in (401, 403):
                        wrong.append(f"{who} {method} {path}: public route answered {code}")
                elif who == "none":
                    if code != 401:
                        wrong.append(f"{who} {method} {path}: expected 401, got {code}")
                elif who in allowed:
                    if code in (401, 403):
                        wrong.append(f"{who} {method} {path}: allowed role got {code}")
                elif code != 403:
                    wrong.append(f"{who} {method} {path}: expected 403, got {code}")
    app.dependency_overrides.clear()
    assert not wrong, "\n".join(wrong)
