"""Sign-in with OpenID Connect against real providers (infra/oidc-dev: panva's oidc-provider on node).

The web front is the relying party (Authlib: code flow, PKCE, state, nonce, JWKS); crm verifies
the ID token again and maps it to a Jobbro user. These tests drive the whole way over HTTP: the
web's /login/<provider>, the provider's login page, the callback, crm; and they take ID tokens
straight from the provider (Authlib as a second client) to show what crm refuses.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from sqlmodel import Session, select

from tests.web.conftest import WebClient
from tests.web.oidc_dev import CONFIG, UNKNOWN_CVR


@pytest.fixture(scope="module")
def oidc(stack):
    if stack.oidc is None:
        pytest.skip(f"sign-in tests skipped: {stack.oidc_missing}")
    return stack.oidc


class _Rows(list):
    def one(self):
        assert len(self) == 1, self
        return self[0]

    def first(self):
        return self[0] if self else None

    def all(self):
        return list(self)


class CrmDb:
    """Reads of crm's database, each in a transaction of its own that ends at once: a transaction
    left open would hold SQLite's lock while crm writes."""

    def __init__(self, engine) -> None:
        self.engine = engine

    def exec(self, statement) -> _Rows:
        with Session(self.engine, expire_on_commit=False) as session:
            return _Rows(session.exec(statement).all())

    def get(self, model, key):
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(model, key)

    def expire_all(self) -> None:
        pass  # every read is fresh


@pytest.fixture
def crm_db(stack):
    from shared.db import make_engine
    from tests.conftest import service_database_url

    engine = make_engine(service_database_url(stack.database_url, "crm"))
    yield CrmDb(engine)
    engine.dispose()


def _issuer(oidc, provider: str) -> str:
    return oidc.company_issuer if provider == "virksomhed" else oidc.staff_issuer


def _at_provider(authorize_url: str, identity: str) -> str:
    """Log in at the provider as `identity`; return where it sends the browser back (not followed)."""
    with httpx.Client(follow_redirects=False, timeout=15) as op:
        res = op.get(authorize_url)
        for _ in range(10):
            location = res.headers.get("location", "")
            if res.status_code == 200 and "/interaction/" in str(res.url):
                uid = str(res.url).rstrip("/").rsplit("/", 1)[-1]
                base = f"{res.url.scheme}://{res.url.netloc.decode()}"
                res = op.post(f"{base}/interaction/{uid}/login", data={"identity": identity})
                continue
            assert res.status_code in (302, 303), res.text[:500]
            if "/interaction/" not in location and "/auth/" not in location and "/auth?" not in location:
                return location
            res = op.get(location if location.startswith("http") else str(res.url.join(location)))
    raise AssertionError("the provider never sent the browser back")


def _start(web: WebClient, provider: str, **params) -> str:
    res = web.get(f"/login/{provider}" + (f"?{urlencode(params)}" if params else ""))
    assert res.status_code in (302, 303), res.text[:300]
    return res.headers["location"]


def _callback_path(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def sign_in(web: WebClient, provider: str, identity: str) -> httpx.Response:
    callback = _at_provider(_start(web, provider), identity)
    return web.get(_callback_path(callback))


def refusal_page(web: WebClient, res: httpx.Response) -> httpx.Response:
    """A refused sign-in is shown at its own address, without the callback's single-use code."""
    assert res.status_code == 303 and res.headers["location"] == "/login/ikke-logget-ind", res.text[:300]
    return web.get("/login/ikke-logget-ind")


def _session_of(web: WebClient) -> dict:
    # Starlette's session cookie: base64(JSON).timestamp.signature (read, never forged, here).
    value = web.cookie.split("=", 1)[1].strip('"').split(".", 1)[0]
    return json.loads(base64.b64decode(value + "=" * (-len(value) % 4)))


def _audit(crm_db, **detail) -> list:
    from shared.audit import AuditLog

    crm_db.expire_all()
    rows = crm_db.exec(select(AuditLog).where(AuditLog.entity.in_(["signin", "user"]))
                       .order_by(AuditLog.id.desc())).all()
    return [r for r in rows if all((r.detail or {}).get(k) == v for k, v in detail.items())]


def raw_id_token(oidc, web_url: str, provider: str, identity: str) -> str:
    """An ID token straight from the provider, as the web would have received it (Authlib as client)."""
    from authlib.integrations.httpx_client import OAuth2Client

    conf = CONFIG["company" if provider == "virksomhed" else "staff"]
    issuer = _issuer(oidc, provider)
    meta = httpx.get(issuer + "/.well-known/openid-configuration").json()
    client = OAuth2Client(conf["client_id"], conf["client_secret"], scope="openid profile nemlogin email groups",
                          redirect_uri=web_url + conf["redirect_path"], code_challenge_method="S256")
    verifier = secrets.token_urlsafe(48)
    url, _state = client.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier,
                                                  nonce=secrets.token_urlsafe(16))
    back = _at_provider(url, identity)
    code = parse_qs(urlsplit(back).query)["code"][0]
    token = client.fetch_token(meta["token_endpoint"], code=code, code_verifier=verifier)
    client.close()
    return token["id_token"]


def _exchange(stack, provider: str, id_token: str) -> httpx.Response:
    return httpx.post(f"{stack.crm_url}/api/v1/auth/oidc/{provider}", json={"id_token": id_token}, timeout=15)


# -- companies: MitID Erhverv through the broker ------------------------------------------------------

def test_a_company_person_signs_in_with_mitid_erhverv_and_sees_their_company(stack, oidc, web, crm_db):
    from services.crm.users.models import User

    login_page = web.get("/login").text
    assert "Log ind med MitID Erhverv" in login_page and "kommunens login" in login_page

    res = sign_in(web, "virksomhed", "test-sofie")
    assert res.status_code == 303 and res.headers["location"] == "/portal", res.text[:500]
    portal = web.get("/portal")
    assert portal.status_code == 200
    assert stack.seeded.company_name in portal.text

    crm_db.expire_all()
    user = crm_db.exec(select(User).where(User.full_name == "Sofie Svejser")).one()
    assert user.role == "virksomhed" and user.company_id == stack.seeded.company_id
    assert user.password_hash is None
    assert user.external_issuer == oidc.company_issuer
    assert user.external_subject == "urn:uuid:5a1e0000-0000-4000-8000-00000000501e"
    created = [r for r in _audit(crm_db, provider="virksomhed") if r.action == "create" and r.entity_id == str(user.id)]
    assert len(created) == 1
    assert any(r.action == "login" and r.entity_id == str(user.id) for r in _audit(crm_db, method="oidc"))

    # The same person signing in again is the same user, not a second one.
    again = WebClient(stack.web_url)
    assert sign_in(again, "virksomhed", "test-sofie").headers["location"] == "/portal"
    crm_db.expire_all()
    assert len(crm_db.exec(select(User).where(User.full_name == "Sofie Svejser")).all()) == 1


def test_the_same_person_signing_in_for_another_cvr_sees_that_company_only(stack, oidc, web, crm_db):
    from services.crm.users.models import User

    assert sign_in(web, "virksomhed", "test-sofie").status_code == 303
    other = WebClient(stack.web_url)
    assert sign_in(other, "virksomhed", "test-sofie-other").headers["location"] == "/portal"
    crm_db.expire_all()
    user = crm_db.exec(select(User).where(User.full_name == "Sofie Svejser")).one()
    assert user.company_id == stack.seeded.other_company_id
    portal = other.get("/portal").text
    assert stack.seeded.company_name not in portal
    # The first company's orders are no longer hers.
    res = other.get(f"/portal/ordrer/{stack.seeded.order_id}")
    assert res.status_code in (403, 404)
    # Back to the first company: she sees it again.
    assert sign_in(WebClient(stack.web_url), "virksomhed", "test-sofie").status_code == 303
    crm_db.expire_all()
    assert crm_db.get(User, user.id).company_id == stack.seeded.company_id


def test_an_unknown_cvr_gets_a_danish_page_and_the_consultants_see_the_attempt(stack, oidc, web, crm_db):
    res = refusal_page(web, sign_in(web, "virksomhed", "test-unknown"))
    assert res.status_code == 403
    assert "Jeres virksomhed er ikke kendt af jobcentret endnu" in res.text
    assert "Ring til" in res.text and "endnu — ring til" not in res.text  # the heading is not said twice
    assert _session_of(web).get("user") is None
    refused = _audit(crm_db, reason="unknown_cvr", cvr=UNKNOWN_CVR)
    assert refused and refused[0].action == "refuse" and refused[0].actor_id is None

    consultant = WebClient(stack.web_url)
    consultant.login(stack.seeded.konsulent_email, stack.seeded.password)
    page = consultant.get("/virksomheder").text
    assert "Ukendte virksomheder, der har forsøgt at logge ind" in page
    assert UNKNOWN_CVR in page and "Ukendt Smedje ApS" in page
    # A company person may not read the list.
    firma = WebClient(stack.web_url)
    firma.login(stack.seeded.firma_email, stack.seeded.password)
    token = _session_of(firma)["token"]
    assert httpx.get(f"{stack.crm_url}/api/v1/signin/unknown-companies",
                     headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_a_level_of_assurance_below_the_municipalitys_is_refused(stack, oidc, web, crm_db):
    from services.crm.users.models import User

    res = refusal_page(web, sign_in(web, "virksomhed", "test-low-loa"))
    assert res.status_code == 403
    assert "Dit login er ikke sikkert nok" in res.text and "Betydelig" in res.text
    crm_db.expire_all()
    assert crm_db.exec(select(User).where(User.full_name == "Lone Lavniveau")).first() is None
    assert _audit(crm_db, reason="loa_too_low")


# -- what is refused ---------------------------------------------------------------------------------

def test_a_wrong_nonce_is_refused(stack, oidc, web, crm_db):
    authorize = _start(web, "virksomhed")
    parts = urlsplit(authorize)
    query = parse_qs(parts.query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] and query["nonce"]
    query["nonce"] = ["en-anden-nonce-end-den-web-gemte"]
    forged = urlunsplit(parts._replace(query=urlencode({k: v[0] for k, v in query.items()})))
    res = refusal_page(web, web.get(_callback_path(_at_provider(forged, "test-sofie"))))
    assert res.status_code == 400 and "Login mislykkedes" in res.text
    # A reload shows the same page: the refusal is kept in the session, not in the address.
    again = web.get("/login/ikke-logget-ind")
    assert again.status_code == 400 and "Beviset for dit login kunne ikke godkendes" in again.text
    # Nothing to show without a refusal of one's own.
    stranger = WebClient(stack.web_url).get("/login/ikke-logget-ind")
    assert stranger.status_code == 303 and stranger.headers["location"] == "/login"
    assert _session_of(web).get("user") is None
    assert any(r.detail["reason"].startswith("id_token:") for r in _audit(crm_db, checked_by="web"))


def test_a_replayed_code_is_refused(stack, oidc, web, crm_db):
    callback = _callback_path(_at_provider(_start(web, "virksomhed"), "test-sofie"))
    before = web.cookie  # the session as it was when the code came back (state, nonce, verifier)
    assert web.get(callback).status_code == 303
    # The same code again, with the session that belongs to it: the provider refuses it.
    attacker = WebClient(stack.web_url)
    attacker.cookie = before
    res = refusal_page(attacker, attacker.get(callback))
    assert res.status_code == 400 and "Login mislykkedes" in res.text
    assert _audit(crm_db, reason="code_refused", checked_by="web")
    # And the same callback in the session that already used it: the state is gone.
    res = refusal_page(web, web.get(callback))
    assert res.status_code == 400


def test_an_expired_id_token_is_refused(stack, oidc, crm_db):
    # This identity's ID tokens live one second; the clock skew the tests allow is one second. The
    # web checks a token the moment it arrives, so an expired one is shown where it can be held
    # back: crm, which would otherwise issue a Jobbro token for it.
    token = raw_id_token(oidc, stack.web_url, "virksomhed", "test-expiring")
    time.sleep(3.5)
    refused = _exchange(stack, "virksomhed", token)
    assert refused.status_code == 401, refused.text
    assert refused.json()["reason"] == "invalid_token"
    assert any("expired" in r.detail.get("check", "").lower() for r in _audit(crm_db, reason="invalid_token"))


def test_crm_refuses_a_tampered_a_replayed_and_a_foreign_id_token(stack, oidc, crm_db):
    token = raw_id_token(oidc, stack.web_url, "virksomhed", "test-sofie")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    # Another company's CVR, with the provider's signature left as it was.
    claims["https://data.gov.dk/model/core/eid/professional/cvr"] = "99999999"
    tampered_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    res = _exchange(stack, "virksomhed", f"{header}.{tampered_payload}.{signature}")
    assert res.status_code == 401 and res.json()["reason"] == "invalid_token"
    # Signed "with" nothing.
    none_header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    assert _exchange(stack, "virksomhed", f"{none_header}.{payload}.").status_code == 401

    first = _exchange(stack, "virksomhed", token)
    assert first.status_code == 200, first.text
    replay = _exchange(stack, "virksomhed", token)
    assert replay.status_code == 401 and replay.json()["reason"] == "replayed_token"
    assert _audit(crm_db, reason="replayed_token")

    # A token from the staff provider is not one from the broker (issuer and audience differ).
    staff_token = raw_id_token(oidc, stack.web_url, "personale", "test-new-konsulent")
    res = _exchange(stack, "virksomhed", staff_token)
    assert res.status_code == 401 and res.json()["reason"] == "invalid_token"


# -- staff: the municipality's provider ---------------------------------------------------------------

def test_a_consultant_signs_in_through_the_staff_provider_with_the_role_from_the_group(stack, oidc, web, crm_db):
    from services.crm.users.models import User

    res = sign_in(web, "personale", "test-new-konsulent")
    assert res.status_code == 303 and res.headers["location"] == "/min-dag", res.text[:300]
    assert web.get("/min-dag").status_code == 200
    crm_db.expire_all()
    user = crm_db.exec(select(User).where(User.email == "nikolaj@test.jobbro.dk")).one()
    assert user.role == "konsulent" and user.password_hash is None and user.company_id is None
    assert _audit(crm_db, provider="personale", role="konsulent")


def test_a_colleague_jobbro_knew_keeps_their_record_when_signing_in_through_the_provider(stack, oidc, web, crm_db):
    from services.crm.users.models import User

    crm_db.expire_all()
    before = crm_db.exec(select(User).where(User.email == stack.seeded.leder_email)).one()
    res = sign_in(web, "personale", "test-leder")
    assert res.headers["location"] == "/leder"
    assert _session_of(web)["user"]["id"] == before.id


def test_staff_without_a_mapped_role_or_deactivated_at_the_provider_are_refused(stack, oidc, web, crm_db):
    from services.crm.users.models import User

    res = refusal_page(web, sign_in(web, "personale", "test-no-role"))
    assert res.status_code == 403 and "Du har ikke adgang til Jobbro" in res.text
    crm_db.expire_all()
    assert crm_db.exec(select(User).where(User.email == "ib@test.jobbro.dk")).first() is None
    assert _audit(crm_db, reason="no_role")

    denied = WebClient(stack.web_url)
    res = refusal_page(denied, sign_in(denied, "personale", "deaktiveret"))
    assert res.status_code == 403 and "Du blev ikke logget ind" in res.text
    assert _audit(crm_db, reason="provider_denied", checked_by="web")


def test_sign_out_ends_the_providers_session_too(stack, oidc, web):
    assert sign_in(web, "personale", "test-new-konsulent").status_code == 303
    id_token = _session_of(web)["signin"]["id_token"]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/min-dag").text).group(1)
    res = web.post("/logout", data={"csrf_token": csrf})
    assert res.status_code == 303
    target = urlsplit(res.headers["location"])
    assert f"{target.scheme}://{target.netloc}" == oidc.staff_issuer and target.path == "/session/end"
    query = parse_qs(target.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == [stack.web_url + "/logget-ud"]
    assert web.get("/min-dag").status_code == 303  # Jobbro's session is over
    # The web's form may send the browser to the provider (the CSP names its origin).
    assert oidc.staff_issuer in web.get("/login").headers["content-security-policy"]
