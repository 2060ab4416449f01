"""The web front over HTTP: sessions, CSRF, roles and each group's pages answering."""

from __future__ import annotations

import re


def test_login_page_is_danish_with_labels_and_a_csrf_token(web):
    res = web.get("/login")
    assert res.status_code == 200
    html = res.text
    assert '<html lang="da">' in html
    assert "<title>Log ind – Jobbro</title>" in html
    assert re.search(r'<label for="f-email">E-mail', html) and 'id="f-email"' in html
    assert re.search(r'<label for="f-password">Adgangskode', html)
    assert 'name="csrf_token"' in html


def test_session_cookie_is_http_only_secure_and_same_site(web, stack):
    res = web.login(stack.seeded.konsulent_email, stack.seeded.password)
    assert res.status_code == 303 and res.headers["location"] == "/min-dag"
    cookie = [h for h in res.headers.get_list("set-cookie") if h.startswith("jobbro_session=")][0].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    # the API token is not readable in the page
    page = web.get("/min-dag")
    assert page.status_code == 200 and "Bearer" not in page.text and "eyJ" not in page.text


def test_wrong_password_is_shown_next_to_the_field_and_the_email_kept(web, stack):
    res = web.login(stack.seeded.konsulent_email, "forkert-kodeord")
    assert res.status_code == 422
    assert 'id="e-password"' in res.text and "Forkert e-mail eller adgangskode" in res.text
    assert f'value="{stack.seeded.konsulent_email}"' in res.text


def test_a_form_without_the_csrf_token_is_refused(web, stack):
    web.login(stack.seeded.konsulent_email, stack.seeded.password)
    res = web.post("/aktivitet/ny", data={"company_id": str(stack.seeded.company_id), "channel": "telefon",
                                          "purposes": "rekruttering", "summary": "Uden token"})
    assert res.status_code == 403
    assert "Formularen er udløbet" in res.text


def test_pages_need_login_and_redirect_back_after(web, stack):
    res = web.get("/min-dag")
    assert res.status_code == 303 and res.headers["location"].startswith("/login?next=/min-dag")


def test_roles_see_only_their_pages(web, stack):
    web.login(stack.seeded.firma_email, stack.seeded.password)
    assert web.get("/min-dag").status_code == 403
    assert web.get("/leder").status_code == 403
    assert web.get("/portal").status_code == 200


def test_company_user_cannot_open_another_companys_order(web, stack):
    web.login(stack.seeded.firma_email, stack.seeded.password)
    assert web.get(f"/portal/ordrer/{stack.seeded.order_id}").status_code == 200
    res = web.get(f"/portal/ordrer/{stack.seeded.other_order_id}")
    assert res.status_code == 404
    assert "Bagerlærling" not in res.text


def test_company_search_as_you_type_returns_pickable_results(web, stack):
    web.login(stack.seeded.konsulent_email, stack.seeded.password)
    res = web.get("/virksomheder/soeg", params={"q": "slagelse st", "mode": "pick"}, headers={"HX-Request": "true"})
    assert res.status_code == 200
    assert 'name="company_id"' in res.text and "Slagelse Stål A/S" in res.text
    by_cvr = web.get("/virksomheder/soeg", params={"q": "135856", "mode": "pick"})
    assert "Slagelse Stål A/S" in by_cvr.text


def test_company_page_shows_agreement_goals_with_names_and_colours(web, stack):
    web.login(stack.seeded.konsulent_email, stack.seeded.password)
    res = web.get(f"/virksomheder/{stack.seeded.company_id}")
    assert res.status_code == 200, res.text
    html = res.text
    assert "Forbered besøget" in html
    for goal, name in [(4, "Kvalitetsuddannelse"), (8, "Anstændige jobs og økonomisk vækst"), (17, "Partnerskaber for handling")]:
        assert f"Verdensmål {goal}: {name}" in html
        assert f'class="no sdg-{goal}"' in html
    assert "Hanne Hansen" in html and "Svejser" in html


def test_static_assets_are_served_by_jobbro_itself(web):
    for path in ("/static/vendor/htmx.min.js", "/static/vendor/chart.umd.min.js", "/static/css/app.css",
                 "/static/js/app.js"):
        assert web.get(path).status_code == 200, path
    html = web.get("/login").text
    assert not re.search(r'(src|href)="https?://', html)
    assert "default-src 'self'" in web.get("/login").headers["content-security-policy"]


def test_every_consultant_page_answers(web, stack):
    web.login(stack.seeded.konsulent_email, stack.seeded.password)
    for path in ("/min-dag", "/aktivitet/ny", f"/aktivitet/ny?company_id={stack.seeded.company_id}", "/virksomheder",
                 "/virksomheder?q=bager", "/ordrer", f"/ordrer/{stack.seeded.order_id}", "/kampagner",
                 f"/kampagner/{stack.seeded.campaign_id}", "/nyhedsbreve", "/nyhedsbreve/ny"):
        res = web.get(path)
        assert res.status_code == 200, (path, res.text[-2000:])
        assert "<title>" in res.text and " – Jobbro</title>" in res.text


def test_my_day_lists_overdue_and_todays_follow_ups_and_campaign_targets(web, stack):
    web.login(stack.seeded.konsulent_email, stack.seeded.password)
    html = web.get("/min-dag").text
    assert "Overskredet (1)" in html and "Slagelse Stål A/S" in html
    assert "I dag (1)" in html and "Korsør Bageri ApS" in html
    assert "Skælskør Fisk og Skaldyr" in html  # a campaign target still planned
    assert "Svejser" in html  # an open order waiting for candidates


def test_logging_an_activity_with_errors_keeps_what_was_typed(web, stack):
    web.login(stack.seeded.konsulent_email, stack.seeded.password)
    token = web.csrf("/aktivitet/ny")
    res = web.post("/aktivitet/ny", data={"csrf_token": token, "channel": "telefon", "purposes": "rekruttering",
                                          "summary": "Ringede om praktik", "follow_up_on": "2020-01-01"})
    assert res.status_code == 422
    assert 'id="e-company_id"' in res.text and "Vælg virksomheden" in res.text
    assert "Ringede om praktik" in res.text  # typed note kept


def test_manager_dashboard_and_csv(web, stack):
    web.login(stack.seeded.leder_email, stack.seeded.password)
    res = web.get("/leder")
    assert res.status_code == 200, res.text[-2000:]
    for text in ("Opfyldelsesgrad", "Samarbejdsgrad", "mod forrige periode", "Aktiviteter pr. måned og kanal",
                 "Placeringer pr. måned", "Fleksjob", "IGU-forløb", "verdensmål"):
        assert text in res.text, text
    csv = web.get("/leder/csv/placeringer.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.lstrip("\ufeff").splitlines()[0] == "month,sector,scheme,count"


def test_consultant_activity_overview_counts_contacts_per_consultant(web, stack):
    web.login(stack.seeded.leder_email, stack.seeded.password)
    res = web.get("/leder/konsulenter")
    assert res.status_code == 200, res.text[-2000:]
    assert "Karin Konsulent" in res.text
    csv = web.get("/leder/csv/konsulenter.csv").text.lstrip("\ufeff").splitlines()
    assert csv[0] == "month,consultant,count"
    assert sum(int(line.rsplit(",", 1)[1]) for line in csv[1:] if "Karin Konsulent" in line) >= 2
