"""Sign-in with OpenID Connect: "Log ind med MitID Erhverv" (the municipality's NemLog-in broker)
and the staff's own provider (Entra ID / AD FS).

Authlib does the relying party's work: the authorisation code flow with PKCE (S256), state and
nonce kept in the signed session, the ID token's signature checked against the provider's JWKS,
issuer, audience and expiry checked with the configured clock skew. The web then hands the ID
token to crm, which verifies it again, decides who the person is in Jobbro (CVR -> company, group ->
role), audits, and issues the same bearer token as a password login. Sign-out ends Jobbro's
session and, where the provider offers it, the provider's (RP-initiated logout).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import httpx
from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from joserfc.errors import JoseError

from services.web.api import Api, ApiError
from services.web.rendering import render
from services.web.session import start_session
from shared.glossary import Role
from shared.settings import get_settings

log = logging.getLogger("jobbro.web.signin")

router = APIRouter()


@dataclass(frozen=True)
class SigninProvider:
    key: str
    button: str
    issuer: str
    client_id: str
    client_secret: str | None
    scopes: str


def providers() -> dict[str, SigninProvider]:
    """The configured providers, in the order their buttons are shown."""
    s = get_settings()
    found = {}
    if s.oidc_company_issuer and s.oidc_company_client_id:
        found["virksomhed"] = SigninProvider("virksomhed", "Log ind med MitID Erhverv", s.oidc_company_issuer,
                                             s.oidc_company_client_id, s.oidc_company_client_secret,
                                             s.oidc_company_scopes)
    if s.oidc_staff_issuer and s.oidc_staff_client_id:
        found["personale"] = SigninProvider("personale", "Medarbejder: log ind med kommunens login",
                                            s.oidc_staff_issuer, s.oidc_staff_client_id, s.oidc_staff_client_secret,
                                            s.oidc_staff_scopes)
    return found


def provider_origins() -> list[str]:
    origins = []
    for p in providers().values():
        url = httpx.URL(p.issuer)
        origins.append(f"{url.scheme}://{url.netloc.decode()}")
    return sorted(set(origins))


@lru_cache
def _oauth() -> OAuth:
    oauth = OAuth()
    for p in providers().values():
        oauth.register(
            name=p.key,
            server_metadata_url=p.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_id=p.client_id,
            client_secret=p.client_secret,
            client_kwargs={"scope": p.scopes, "code_challenge_method": "S256", "timeout": 10},
        )
    return oauth


def _client(key: str):
    if key not in providers():
        return None
    return _oauth().create_client(key)


def _refused(request: Request, title: str, message: str, status: int = 403, *, retry: str | None = None):
    return render(request, "signin_refused.html", {"title": title, "message": _after_title(title, message),
                                                   "retry_url": retry}, status)


def _after_title(title: str, message: str) -> str:
    """crm's message often opens with what the heading already says; the page says it once."""
    if not message.lower().startswith(title.lower()):
        return message
    rest = message[len(title):].lstrip(" .,:;—–-")
    return rest[:1].upper() + rest[1:] if rest else message


REFUSED_PATH = "/login/ikke-logget-ind"


def _refused_at_callback(request: Request, title: str, message: str, status: int = 403, *, retry: str | None = None):
    """Show a refusal at its own address (post/redirect/get): the callback's URL carries a
    single-use code, so a reload or a bookmark of it would only be refused again, differently."""
    request.session["signin_refused"] = {"title": title, "message": message, "status": status, "retry": retry}
    return RedirectResponse(REFUSED_PATH, status_code=303)


def _safe_next(next_url: str | None) -> str | None:
    if next_url and next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return None


async def _report_refusal(request: Request, provider: str, reason: str) -> None:
    # Refusals found here (state, nonce, code, signature) go into crm's audit log like crm's own.
    try:
        await Api(request.app.state.http, None).request(
            "POST", "crm", f"/api/v1/auth/oidc/{provider}/refusals", json={"reason": reason}, login_call=True,
            headers={"X-Forwarded-For": request.client.host} if request.client else None)
    except Exception as exc:  # the refusal stands whether or not it could be recorded
        log.warning("sign-in refusal not recorded in crm: %s", exc)


@router.get(REFUSED_PATH, name="signin_refused")
def refused(request: Request):
    seen = request.session.get("signin_refused")
    if not isinstance(seen, dict):
        return RedirectResponse("/login", status_code=303)
    return _refused(request, seen["title"], seen["message"], seen["status"], retry=seen.get("retry"))


@router.get("/login/{provider}")
async def start(request: Request, provider: str, next: str | None = None):
    client = _client(provider)
    if client is None:
        return _refused(request, "Dette login er ikke slået til", "Brug et af de andre login på forsiden.", 404)
    request.session.pop("signin_refused", None)
    # Only the outstanding sign-in's own state stays: an abandoned attempt is not kept in the cookie.
    for key in [k for k in request.session if k.startswith("_state_")]:
        request.session.pop(key)
    request.session["signin_next"] = _safe_next(next) or ""
    redirect_uri = str(request.url_for("signin_callback", provider=provider))
    try:
        return await client.authorize_redirect(request, redirect_uri)
    except (httpx.HTTPError, OAuthError, ValueError) as exc:
        log.warning("sign-in provider %s unavailable: %s", provider, exc)
        return _refused(request, "Login-udbyderen svarer ikke",
                        "Prøv igen om lidt. Bliver det ved, så kontakt jobcentret.", 503, retry=f"/login/{provider}")


@router.get("/login/{provider}/callback", name="signin_callback")
async def callback(request: Request, provider: str):
    client = _client(provider)
    if client is None:
        return _refused(request, "Dette login er ikke slået til", "Brug et af de andre login på forsiden.", 404)
    retry = f"/login/{provider}"
    try:
        token = await client.authorize_access_token(request, leeway=get_settings().oidc_clock_skew_seconds)
    except OAuthError as exc:
        reason = {"access_denied": "provider_denied", "mismatching_state": "state",
                  "invalid_grant": "code_refused"}.get(exc.error, f"oauth:{exc.error}"[:60])
        log.info("sign-in refused at callback: provider=%s reason=%s (%s)", provider, reason, exc.description)
        await _report_refusal(request, provider, reason)
        if exc.error == "access_denied":
            return _refused_at_callback(request, "Du blev ikke logget ind",
                            "Login-udbyderen gav ikke adgang. Er din bruger lukket, så kontakt din leder eller "
                            "jobcentret.", retry=retry)
        return _refused_at_callback(request, "Login mislykkedes", "Dit login kunne ikke gennemføres. Start forfra.", 400,
                        retry=retry)
    except JoseError as exc:
        # Signature, issuer, audience, nonce or expiry of the ID token did not hold.
        reason = f"id_token:{exc.error}"[:60]
        log.warning("ID token refused: provider=%s reason=%s (%s)", provider, reason, exc)
        await _report_refusal(request, provider, reason)
        return _refused_at_callback(request, "Login mislykkedes", "Beviset for dit login kunne ikke godkendes. Start forfra.",
                        400, retry=retry)
    except httpx.HTTPError as exc:
        log.warning("sign-in provider %s unavailable: %s", provider, exc)
        return _refused_at_callback(request, "Login-udbyderen svarer ikke", "Prøv igen om lidt.", 503, retry=retry)
    id_token = token.get("id_token")
    if not id_token:
        await _report_refusal(request, provider, "no_id_token")
        return _refused_at_callback(request, "Login mislykkedes", "Login-udbyderen sendte ikke et ID-token.", 400, retry=retry)
    api = Api(request.app.state.http, None)
    try:
        res = await api.request("POST", "crm", f"/api/v1/auth/oidc/{provider}", json={"id_token": id_token},
                                login_call=True)
        jobbro_token = res.json()["access_token"]
        me = await Api(request.app.state.http, jobbro_token).get("crm", "/api/v1/users/me")
    except ApiError as exc:
        reason = exc.body.get("reason")
        if reason == "unknown_cvr":
            title = "Jeres virksomhed er ikke kendt af jobcentret endnu"
        elif reason == "loa_too_low":
            title = "Dit login er ikke sikkert nok"
        elif reason == "no_role":
            title = "Du har ikke adgang til Jobbro"
        else:
            title = "Du blev ikke logget ind"
        return _refused_at_callback(request, title, exc.detail, 403 if exc.status in (401, 403) else exc.status,
                        retry=None if reason in ("unknown_cvr", "no_role") else retry)
    next_url = _safe_next(request.session.get("signin_next"))
    start_session(request, jobbro_token, me)
    # Kept for sign-out: the provider's session is ended with the ID token as the hint.
    request.session["signin"] = {"provider": provider, "id_token": id_token}
    from services.web.common.routes import START_PAGES

    return RedirectResponse(next_url or START_PAGES[Role(me["role"])], status_code=303)


async def provider_logout_url(request: Request, signin: dict | None) -> str | None:
    """Where to send the browser to end the provider's session too, or None when it offers none."""
    if not signin or signin.get("provider") not in providers():
        return None
    client = _client(signin["provider"])
    try:
        metadata = await client.load_server_metadata()
        if not metadata.get("end_session_endpoint"):
            return None
        result = await client.create_logout_url(post_logout_redirect_uri=str(request.url_for("signed_out")),
                                                id_token_hint=signin.get("id_token"), client_id=client.client_id)
        return result["url"]
    except (httpx.HTTPError, OAuthError, RuntimeError, ValueError) as exc:
        log.warning("provider logout unavailable (%s): %s", signin.get("provider"), exc)
        return None


@router.get("/logget-ud", name="signed_out")
def signed_out(request: Request):
    return RedirectResponse("/login?logget_ud=1", status_code=303)
