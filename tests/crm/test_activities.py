from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from services.crm.activities.models import Activity
from services.crm.activities.service import publish_due_followups
from services.crm.campaigns.models import CampaignTarget
from shared.event_contracts import validate as validate_event
from shared.events import install_after_commit_flush, read_events
from shared.redis_client import get_redis

TODAY = date.today()


def _payload(company, **kw):
    return {"company_id": company.id, "channel": "besoeg", "purposes": ["rekruttering", "fleksjob"],
            "occurred_at": "2024-03-05T10:00:00", "summary": "Besøg hos direktøren", **kw}


def test_log_activity_consultant_is_the_caller(crm_client, login, factories, db):
    user, headers = login("konsulent")
    company = factories.CompanyFactory()
    contact = factories.ContactFactory(company_id=company.id)
    res = crm_client.post("/api/v1/activities", json=_payload(company, contact_id=contact.id,
                                                               follow_up_on="2024-04-01"), headers=headers)
    assert res.status_code == 201, res.text
    body = res.json()
    assert body["consultant_id"] == user.id and body["consultant_name"] == user.full_name
    assert body["purposes"] == ["rekruttering", "fleksjob"] and body["channel_label"] == "Besøg"
    # Without a zone the time is Danish: 10:00 in March is 09:00 UTC.
    stored = db.get(Activity, body["id"])
    assert stored.occurred_at.astimezone(UTC) == datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
    got = crm_client.get(f"/api/v1/activities/{body['id']}", headers=headers).json()
    assert got["company_name"] == company.name and got["follow_up_on"] == "2024-04-01"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "brevdue"}, "channel"),
        ({"purposes": []}, "purposes"),
        ({"purposes": ["hygge"]}, "purposes.0"),
        ({"summary": "  "}, "summary"),
        ({"occurred_at": "i går"}, "occurred_at"),
        ({"occurred_at": (TODAY + timedelta(days=2)).isoformat() + "T10:00:00"}, "occurred_at"),
        ({"follow_up_on": "2024-03-04"}, "follow_up_on"),
        ({"consultant_id": 1}, "consultant_id"),
        ({"company_id": 999999}, "company_id"),
    ],
)
def test_bad_input_is_422_naming_the_field(crm_client, konsulent, factories, change, field):
    company = factories.CompanyFactory()
    res = crm_client.post("/api/v1/activities", json={**_payload(company), **change}, headers=konsulent)
    assert res.status_code == 422, res.text
    body = res.json()
    assert body.get("field") == field or body["errors"][0]["field"] == field, body


def test_contact_of_another_company_and_unknown_campaign_are_422(crm_client, konsulent, factories):
    company = factories.CompanyFactory()
    foreign = factories.ContactFactory()
    res = crm_client.post("/api/v1/activities", json=_payload(company, contact_id=foreign.id), headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "contact_id"
    res = crm_client.post("/api/v1/activities", json=_payload(company, campaign_id=999999), headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "campaign_id"
    campaign = factories.CampaignFactory()
    res = crm_client.post("/api/v1/activities", json=_payload(company, campaign_id=campaign.id), headers=konsulent)
    assert res.status_code == 422 and res.json()["field"] == "campaign_id"  # not on the target list
    assert crm_client.get("/api/v1/activities", params={"company_id": company.id}, headers=konsulent).json()["total"] == 0


def test_activity_in_a_campaign_moves_the_target_status_in_the_same_commit(crm_client, login, factories, db):
    user, headers = login("konsulent")
    campaign = factories.CampaignFactory()
    called, visited, declined = (factories.CompanyFactory() for _ in range(3))
    targets = {c.id: factories.CampaignTargetFactory(campaign_id=campaign.id, company_id=c.id)
               for c in (called, visited, declined)}
    targets[declined.id].status = "afslaaet"
    db.flush()

    def log(company, channel):
        res = crm_client.post("/api/v1/activities", headers=headers,
                              json=_payload(company, channel=channel, campaign_id=campaign.id))
        assert res.status_code == 201, res.text

    def status(company):
        db.expire_all()
        return db.get(CampaignTarget, targets[company.id].id).status

    log(called, "telefon")
    assert status(called) == "kontaktet"
    assert db.get(CampaignTarget, targets[called.id].id).consultant_id == user.id
    log(visited, "telefon")
    log(visited, "besoeg")
    assert status(visited) == "besoegt"
    log(visited, "email")  # a later e-mail does not undo the visit
    assert status(visited) == "besoegt"
    log(declined, "telefon")
    assert status(declined) == "afslaaet"
    listing = crm_client.get("/api/v1/activities", params={"campaign_id": campaign.id}, headers=headers).json()
    assert listing["total"] == 5


def test_filters(crm_client, login, factories):
    me, headers = login("konsulent")
    colleague = factories.UserFactory()
    a, b = factories.CompanyFactory(), factories.CompanyFactory()
    factories.ActivityFactory(company_id=a.id, consultant_id=me.id, channel="telefon",
                              occurred_at=datetime(2024, 1, 31, 23, 30, tzinfo=UTC))  # 1 Feb in Denmark
    factories.ActivityFactory(company_id=a.id, consultant_id=colleague.id, channel="besoeg",
                              occurred_at=datetime(2024, 2, 15, 9, tzinfo=UTC))
    factories.ActivityFactory(company_id=b.id, consultant_id=me.id, channel="besoeg",
                              occurred_at=datetime(2024, 2, 29, 22, 59, tzinfo=UTC))  # 29 Feb 23:59 in Denmark

    def count(**params):
        res = crm_client.get("/api/v1/activities", params=params, headers=headers)
        assert res.status_code == 200, res.text
        return res.json()["total"]

    assert count(company_id=a.id) == 2
    assert count(consultant_id=me.id) == 2
    assert count(channel="besoeg") == 2
    assert count(**{"from": "2024-02-01", "to": "2024-02-29"}) == 3
    assert count(**{"from": "2024-02-02", "to": "2024-02-28"}) == 1
    assert count(to="2024-01-31") == 0
    assert count(channel="besoeg", consultant_id=me.id) == 1
    for bad in ({"channel": "brev"}, {"from": "2024-13-01"}, {"from": "2024-02-02", "to": "2024-02-01"}):
        assert crm_client.get("/api/v1/activities", params=bad, headers=headers).status_code == 422, bad


def test_csv_export_of_the_list(crm_client, konsulent, factories):
    company = factories.CompanyFactory(name="Østergaard Biler")
    factories.ActivityFactory(company_id=company.id, purposes=["rekruttering", "igu"], summary="Aftalt; ring igen")
    res = crm_client.get("/api/v1/activities", params={"company_id": company.id},
                         headers={**konsulent, "Accept": "text/csv"})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    lines = res.text.lstrip("\ufeff").splitlines()
    assert lines[0] == ",".join(["id", "occurred_at", "company_id", "company_name", "channel", "purposes", "summary",
                                 "consultant_id", "consultant_name", "contact_id", "campaign_id", "follow_up_on",
                                 "follow_up_done_at"])
    assert len(lines) == 2 and "Østergaard Biler" in lines[1] and '"rekruttering, igu"' in lines[1]


def test_staff_only(crm_client, login, factories):
    company = factories.CompanyFactory()
    activity = factories.ActivityFactory(company_id=company.id)
    _, headers = login("virksomhed", company)
    for method, path, kwargs in [
        ("get", "/api/v1/activities", {}),
        ("post", "/api/v1/activities", {"json": _payload(company)}),
        ("get", f"/api/v1/activities/{activity.id}", {}),
        ("patch", f"/api/v1/activities/{activity.id}", {"json": {"summary": "x"}}),
        ("post", f"/api/v1/activities/{activity.id}/follow-up/done", {}),
        ("get", "/api/v1/tasks", {}),
    ]:
        assert getattr(crm_client, method)(path, headers=headers, **kwargs).status_code == 403, (method, path)


def test_update_and_delete(crm_client, login, factories):
    author, headers = login("konsulent")
    _, colleague = login("konsulent")
    _, boss = login("leder")
    company = factories.CompanyFactory()
    created = crm_client.post("/api/v1/activities", json=_payload(company, follow_up_on="2024-04-01"),
                              headers=headers).json()
    url = f"/api/v1/activities/{created['id']}"
    crm_client.post(f"{url}/follow-up/done", headers=headers)
    res = crm_client.patch(url, json={"summary": "Rettet", "follow_up_on": "2024-05-01", "purposes": ["igu"]},
                           headers=headers)
    assert res.status_code == 200, res.text
    assert res.json()["summary"] == "Rettet" and res.json()["purposes"] == ["igu"]
    assert res.json()["follow_up_done_at"] is None  # a new date reopens the task
    assert crm_client.patch(url, json={"follow_up_on": "2024-01-01"}, headers=headers).json()["field"] == "follow_up_on"
    assert crm_client.patch(url, json={"channel": None}, headers=headers).status_code == 422
    assert crm_client.delete(url, headers=colleague).status_code == 403
    assert crm_client.delete(url, headers=boss).status_code == 204
    assert crm_client.get(url, headers=headers).status_code == 404


def test_tasks_list_open_follow_ups_with_due_and_overdue_flags(crm_client, login, factories):
    me, headers = login("konsulent")
    colleague = factories.UserFactory()
    company = factories.CompanyFactory(name="Opfølgning A/S")
    overdue = factories.ActivityFactory(company_id=company.id, consultant_id=me.id,
                                        follow_up_on=TODAY - timedelta(days=3), summary="Ring tilbage")
    due_today = factories.ActivityFactory(company_id=company.id, consultant_id=me.id, follow_up_on=TODAY)
    later = factories.ActivityFactory(company_id=company.id, consultant_id=me.id, follow_up_on=TODAY + timedelta(days=7))
    factories.ActivityFactory(company_id=company.id, consultant_id=me.id, follow_up_on=TODAY - timedelta(days=1),
                              follow_up_done_at=datetime.now(UTC))
    factories.ActivityFactory(company_id=company.id, consultant_id=colleague.id, follow_up_on=TODAY)
    campaign = factories.CampaignFactory(name="Besøgskampagne")
    target = factories.CampaignTargetFactory(campaign_id=campaign.id, company_id=company.id, consultant_id=me.id,
                                             status="kontaktet", follow_up_on=TODAY + timedelta(days=1))
    other = factories.CompanyFactory()
    factories.CampaignTargetFactory(campaign_id=campaign.id, company_id=other.id, consultant_id=me.id,
                                    status="besoegt", follow_up_on=TODAY)  # final: no task

    res = crm_client.get("/api/v1/tasks", params={"consultant_id": me.id}, headers=headers)
    assert res.status_code == 200, res.text
    items = res.json()["items"]
    assert [(i["kind"], i["id"]) for i in items] == [
        ("aktivitet", overdue.id), ("aktivitet", due_today.id), ("kampagne", target.id), ("aktivitet", later.id)]
    assert [(i["due"], i["overdue"]) for i in items] == [(True, True), (True, False), (False, False), (False, False)]
    assert items[0]["company_name"] == "Opfølgning A/S" and items[0]["summary"] == "Ring tilbage"
    assert items[2]["summary"] == "Kampagne: Besøgskampagne" and items[2]["campaign_id"] == campaign.id

    soon = crm_client.get("/api/v1/tasks", params={"consultant_id": me.id, "due_before": TODAY.isoformat()},
                          headers=headers).json()
    assert [i["id"] for i in soon["items"]] == [overdue.id, due_today.id] and soon["total"] == 2
    everyone = crm_client.get("/api/v1/tasks", headers=headers).json()
    assert everyone["total"] == 5

    done = crm_client.post(f"/api/v1/activities/{overdue.id}/follow-up/done", headers=headers)
    assert done.status_code == 200 and done.json()["follow_up_done_at"]
    again = crm_client.post(f"/api/v1/activities/{overdue.id}/follow-up/done", headers=headers)
    assert again.json()["follow_up_done_at"] == done.json()["follow_up_done_at"]
    left = crm_client.get("/api/v1/tasks", params={"consultant_id": me.id}, headers=headers).json()
    assert overdue.id not in [i["id"] for i in left["items"] if i["kind"] == "aktivitet"]
    assert crm_client.get("/api/v1/tasks", params={"due_before": "snart"}, headers=headers).status_code == 422


def test_closing_a_follow_up_that_does_not_exist(crm_client, konsulent, factories):
    plain = factories.ActivityFactory(follow_up_on=None)
    assert crm_client.post(f"/api/v1/activities/{plain.id}/follow-up/done", headers=konsulent).status_code == 409
    assert crm_client.post("/api/v1/activities/999999/follow-up/done", headers=konsulent).status_code == 404


def test_task_without_own_consultant_belongs_to_the_company_consultant(crm_client, login, factories):
    me, headers = login("konsulent")
    company = factories.CompanyFactory(consultant_id=me.id)
    campaign = factories.CampaignFactory()
    target = factories.CampaignTargetFactory(campaign_id=campaign.id, company_id=company.id, follow_up_on=TODAY,
                                             note="Send materiale")
    items = crm_client.get("/api/v1/tasks", params={"consultant_id": me.id}, headers=headers).json()["items"]
    assert [(i["kind"], i["id"], i["summary"]) for i in items] == [("kampagne", target.id, "Send materiale")]


def test_task_pages_put_together_are_the_whole_list_in_order(crm_client, login, factories):
    """Each part of the list (own and unassigned activities and campaign targets) is read only up
    to the page's end: pages of two must still add up to the whole list, in its order."""
    me, headers = login("konsulent")
    colleague = factories.UserFactory()
    mine = factories.CompanyFactory(consultant_id=me.id)
    theirs = factories.CompanyFactory(consultant_id=colleague.id)
    campaign = factories.CampaignFactory(name="Forår")

    def activity(day, company=mine, consultant=me):
        a = factories.ActivityFactory(company_id=company.id, consultant_id=consultant.id if consultant else None,
                                      follow_up_on=TODAY + timedelta(days=day))
        return day, "aktivitet", a.id

    def target(day, company, consultant=me):
        t = factories.CampaignTargetFactory(campaign_id=campaign.id, company_id=company.id, status="kontaktet",
                                            consultant_id=consultant.id if consultant else None,
                                            follow_up_on=TODAY + timedelta(days=day))
        return day, "kampagne", t.id

    def company_of(consultant):
        return factories.CompanyFactory(consultant_id=consultant.id)

    expected = [
        target(-5, mine, consultant=None), activity(-5), activity(-5, consultant=None),  # one day, both kinds
        target(-2, theirs), activity(0, theirs), activity(1), target(1, company_of(me)),
        activity(3, consultant=None), activity(3),
    ]
    activity(0, theirs, consultant=colleague)  # a colleague's own task at their company
    activity(0, mine, consultant=colleague)  # a colleague's task at my company stays theirs
    target(0, company_of(colleague), consultant=None)  # unassigned at a colleague's company
    expected = [(kind, id_) for _, kind, id_ in sorted(expected)]

    whole = crm_client.get("/api/v1/tasks", params={"consultant_id": me.id, "limit": 100}, headers=headers).json()
    assert [(i["kind"], i["id"]) for i in whole["items"]] == expected and whole["total"] == len(expected)
    assert {i["consultant_id"] for i in whole["items"]} == {me.id}
    pages = []
    for offset in range(0, len(expected) + 2, 2):
        page = crm_client.get("/api/v1/tasks", params={"consultant_id": me.id, "limit": 2, "offset": offset},
                              headers=headers).json()
        assert page["total"] == len(expected)
        pages += [(i["kind"], i["id"]) for i in page["items"]]
    assert pages == expected

    at_mine = crm_client.get("/api/v1/tasks", params={"consultant_id": me.id, "company_id": mine.id},
                             headers=headers).json()
    assert at_mine["total"] == 6 and all(i["company_id"] == mine.id for i in at_mine["items"])
    company_page = crm_client.get("/api/v1/tasks", params={"company_id": mine.id}, headers=headers).json()
    assert company_page["total"] == 7  # everyone's tasks at the company, the colleague's too


@pytest.mark.redis
def test_due_followups_reach_the_stream_only_after_commit(db, factories, redis_conn):
    install_after_commit_flush(get_redis)
    day = date(2024, 6, 3)
    consultant = factories.UserFactory(email="karen@jobbro.dk")
    company = factories.CompanyFactory(name="Due ApS", consultant_id=consultant.id)
    due = factories.ActivityFactory(company_id=company.id, consultant_id=consultant.id, follow_up_on=day,
                                    summary="Ring om praktik")
    factories.ActivityFactory(company_id=company.id, consultant_id=consultant.id, follow_up_on=day,
                              follow_up_done_at=datetime.now(UTC))
    factories.ActivityFactory(company_id=company.id, consultant_id=consultant.id, follow_up_on=day + timedelta(days=1))
    campaign = factories.CampaignFactory(name="Besøg 2024")
    target = factories.CampaignTargetFactory(campaign_id=campaign.id, company_id=company.id, follow_up_on=day)
    other = factories.CompanyFactory()
    factories.CampaignTargetFactory(campaign_id=campaign.id, company_id=other.id, follow_up_on=day, status="afslaaet")

    in_stream_at_commit: list[int] = []

    def peek(_session):
        in_stream_at_commit.append(len(read_events(redis_conn)))

    event.listen(db, "before_commit", peek)
    try:
        assert publish_due_followups(db, day) == 2
    finally:
        event.remove(db, "before_commit", peek)
    assert in_stream_at_commit == [0]  # nothing left the process before the commit

    events = [e for e in read_events(redis_conn) if e["type"] == "followup.due"]
    by_kind = {e["payload"]["kind"]: e["payload"] for e in events}
    assert set(by_kind) == {"aktivitet", "kampagne"}
    assert by_kind["aktivitet"] == {
        "key": f"aktivitet:{due.id}:2024-06-03", "kind": "aktivitet", "id": due.id, "company_id": company.id,
        "company_name": "Due ApS", "consultant_id": consultant.id, "consultant_email": "karen@jobbro.dk",
        "consultant_name": consultant.full_name, "follow_up_on": "2024-06-03", "summary": "Ring om praktik",
        "campaign_id": None}
    for e in events:
        validate_event(e["type"], e["payload"])
    assert by_kind["kampagne"]["id"] == target.id and by_kind["kampagne"]["consultant_email"] == "karen@jobbro.dk"
    assert by_kind["kampagne"]["summary"] == "Kampagne: Besøg 2024"

    # A second run publishes again with the same keys: the consumer's deduplication makes it safe.
    assert publish_due_followups(db, day) == 2
    again = [e for e in read_events(redis_conn) if e["type"] == "followup.due"]
    assert len(again) == 4 and {e["payload"]["key"] for e in again} == {e["payload"]["key"] for e in events}
    assert publish_due_followups(db, day - timedelta(days=1)) == 0
