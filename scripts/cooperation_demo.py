"""`make run-cooperation`'s set-up: two municipalities that recruit across the border, working.

Waits for both installations' crm and matching, makes each the other's partner (with the key each
publishes), gives the second municipality (Vordingborg) a consultant, a manager and job seekers —
most of whom consented to being proposed to other jobcentres — then plays the story once: the
first municipality (Slagelse) shares an order, Vordingborg's matching ranks its consenting job
seekers, a Vordingborg consultant proposes the best, Slagelse hires them. Both managers'
dashboards then show the cooperation. Idempotent: a second run changes nothing it already did.

Only HTTP: the same calls a person makes in the web front.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta

import httpx

ADMIN = (os.environ.get("JOBBRO_ADMIN_EMAIL", "admin@jobbro.dk"),
         os.environ.get("JOBBRO_ADMIN_PASSWORD", "jobbro-admin-2026"))
PASSWORD = "jobbro-demo-2026"
SUMMARY = ("Pædagogmedhjælper med {years} års erfaring fra børnehave og vuggestue; planlægger aktiviteter, "
           "samarbejder med forældre; førstehjælpskursus.")
JOB_SEEKERS = [  # (reference, postcode, years, consent)
    ("VB-2001", "4760", 8, True), ("VB-2002", "4750", 3, True), ("VB-2003", "4780", 5, True),
    ("VB-2004", "4760", 6, False),
]


def wait(what: str, probe, timeout: float = 180.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            got = probe()
            if got:
                return got
        except (httpx.HTTPError, KeyError, IndexError, ValueError):
            pass
        time.sleep(1)
    sys.exit(f"cooperation demo: timed out waiting for {what}")


class Side:
    def __init__(self, crm: str, matching: str):
        self.crm_url, self.matching_url = crm.rstrip("/"), matching.rstrip("/")
        self.headers: dict[str, str] = {}

    def login(self, email: str, password: str) -> dict[str, str]:
        r = httpx.post(self.crm_url + "/api/v1/auth/token", data={"username": email, "password": password}, timeout=30)
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def crm(self, method: str, path: str, as_: dict | None = None, **kw) -> httpx.Response:
        return httpx.request(method, self.crm_url + path, headers=as_ or self.headers, timeout=60, **kw)

    def matching(self, method: str, path: str, as_: dict | None = None, **kw) -> httpx.Response:
        return httpx.request(method, self.matching_url + path, headers=as_ or self.headers, timeout=120, **kw)

    def identity(self) -> dict:
        return httpx.get(self.crm_url + "/api/v1/cooperation/public-key", timeout=30).json()

    def user(self, email: str, name: str, role: str) -> dict[str, str]:
        r = self.crm("POST", "/api/v1/users", json={"email": email, "password": PASSWORD, "full_name": name,
                                                     "role": role})
        if r.status_code not in (201, 409):
            r.raise_for_status()
        return self.login(email, PASSWORD)


def connect(a: Side, b: Side) -> None:
    for me, other in ((a, b), (b, a)):
        them = other.identity()
        partners = me.crm("GET", "/api/v1/cooperation/partners").json()
        if any(p["municipality_code"] == them["municipality_code"] and not p["removed_at"] for p in partners):
            continue
        r = me.crm("POST", "/api/v1/cooperation/partners", json={
            "name": them["name"], "municipality_code": them["municipality_code"], "base_url": other.crm_url,
            "public_key": them["public_key"]})
        r.raise_for_status()
        print(f"cooperation demo: {me.identity()['name']} added {them['name']} as partner")


def run(a: Side, b: Side) -> None:
    for side in (a, b):
        wait(f"{side.crm_url}", lambda: httpx.get(side.crm_url + "/health", timeout=2).status_code == 200)
        wait(f"{side.matching_url}", lambda: httpx.get(side.matching_url + "/health", timeout=2).status_code == 200)
        side.headers = wait(f"the admin login at {side.crm_url}", lambda: side.login(*ADMIN))
    connect(a, b)
    b_name, a_name = b.identity()["name"], a.identity()["name"]
    vera = b.user("konsulent@vordingborg.jobbro.dk", "Vera Vestergaard", "konsulent")
    b.user("leder@vordingborg.jobbro.dk", "Lars Lindholm", "leder")
    for ref, postcode, years, consent in JOB_SEEKERS:
        r = b.matching("POST", "/api/v1/candidates", as_=vera, json={
            "candidate_ref": ref, "postcode": postcode, "municipality_code": 390, "hours_available": 37,
            "cv_text": SUMMARY.format(years=years) + " Jeg holder af at arbejde med børn og leg.",
            "desired_occupations": ["pædagogmedhjælper"], "consent_cooperation": consent,
            "cooperation_summary": SUMMARY.format(years=years) if consent else ""})
        if r.status_code not in (201, 409):
            r.raise_for_status()

    signe = a.user("samarbejde@jobbro.dk", "Signe Samarbejde", "konsulent")
    orders = a.crm("GET", "/api/v1/orders", as_=signe, params={"q": "Pædagogmedhjælper (samarbejde)", "limit": 1}).json()
    if orders["items"]:
        order = orders["items"][0]
    else:
        companies = a.crm("GET", "/api/v1/companies", as_=signe, params={"limit": 1}).json()["items"]
        if companies:
            company = companies[0]
        else:
            company = a.crm("POST", "/api/v1/companies", as_=signe, json={
                "cvr": "13585628", "name": "Børnehuset Solsikken", "sector": "kommunal", "postcode": "4200"}).json()
        r = a.crm("POST", "/api/v1/orders", as_=signe, json={
            "company_id": company["id"], "title": "Pædagogmedhjælper (samarbejde)", "scheme": "ordinaer",
            "positions": 1, "hours_per_week": 32, "postcode": "4200",
            "description": "Børnehave søger pædagogmedhjælper til leg og aktiviteter med børn og samarbejde med forældre.",
            "deadline": (date.today() + timedelta(days=30)).isoformat()})
        r.raise_for_status()
        order = r.json()
    state = a.crm("GET", f"/api/v1/orders/{order['id']}/cooperation", as_=signe).json()
    if not state["shared"] and order["status"] not in ("besat", "annulleret", "udloebet"):
        a.crm("POST", f"/api/v1/orders/{order['id']}/cooperation", as_=signe).raise_for_status()
        print(f"cooperation demo: {a_name} shared order {order['id']} '{order['title']}'")

    received = wait(f"the shared order at {b_name}", lambda: [
        o for o in b.crm("GET", "/api/v1/cooperation/orders", as_=vera).json() if o["remote_order_id"] == order["id"]])
    ro = received[0]
    ours = b.crm("GET", f"/api/v1/cooperation/orders/{ro['id']}/proposals", as_=vera).json()
    if not ours:
        vacancy = wait(f"{b_name}'s matching to have the order", lambda: b.matching(
            "GET", "/api/v1/vacancies", as_=vera, params={"shared_order_id": ro["id"]}).json()["items"][0])
        best = wait("a ranked job seeker", lambda: b.matching(
            "GET", f"/api/v1/vacancies/{vacancy['id']}/matches", as_=vera).json()["items"][0])
        proposal = wait("the consent at crm", lambda: (lambda r: r.json() if r.status_code == 201 else None)(
            b.crm("POST", f"/api/v1/cooperation/orders/{ro['id']}/proposals", as_=vera,
                  json={"candidate_ref": best["candidate_ref"]})))
        print(f"cooperation demo: {b_name} proposed {best['candidate_ref']} as {proposal['pseudonym']}")
    incoming = wait(f"the proposal at {a_name}", lambda: a.crm(
        "GET", f"/api/v1/orders/{order['id']}/partner-proposals", as_=signe).json())
    for p in incoming:
        if p["status"] == "foreslaaet":
            a.crm("POST", f"/api/v1/cooperation/partner-proposals/{p['id']}/outcome", as_=signe,
                  json={"status": "ansat"}).raise_for_status()
            print(f"cooperation demo: {a_name} hired {p['candidate']} from {b_name}")
            break
    print(f"cooperation demo: ready. {a_name}: the order /ordrer/{order['id']} and the manager dashboard /leder; "
          f"{b_name}: /samarbejde (konsulent@vordingborg.jobbro.dk) and /leder (leder@vordingborg.jobbro.dk), "
          f"password {PASSWORD}.")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--a-crm", default="http://127.0.0.1:8001")
    p.add_argument("--a-matching", default="http://127.0.0.1:8002")
    p.add_argument("--b-crm", default="http://127.0.0.1:8101")
    p.add_argument("--b-matching", default="http://127.0.0.1:8102")
    p.add_argument("--stay", action="store_true", help="keep running afterwards (honcho stops all when one exits)")
    args = p.parse_args(argv)
    run(Side(args.a_crm, args.a_matching), Side(args.b_crm, args.b_matching))
    while args.stay:
        time.sleep(3600)


if __name__ == "__main__":
    main()
