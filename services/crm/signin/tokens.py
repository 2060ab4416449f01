"""ID tokens checked again in crm: signature against the provider's JWKS, issuer, audience, expiry.

The web front has already checked the token (with the nonce it alone knows), but crm issues
Jobbro's bearer tokens and so trusts no caller's word: it verifies the token itself with joserfc
(the JOSE library under Authlib). Keys are fetched from the provider's discovery document and kept
a while; a token signed with a key not seen yet fetches them again once (the provider rotated).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from shared.settings import get_settings

log = logging.getLogger("jobbro.crm.signin")

# Asymmetric only: a token "signed" with the client secret (HS256) or with none is never accepted.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
KEYS_TTL_SECONDS = 600


@dataclass(frozen=True)
class Provider:
    key: str  # "virksomhed" (MitID Erhverv through the broker) or "personale" (staff)
    issuer: str
    client_id: str


class InvalidIdToken(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProviderUnavailable(Exception):
    pass


def provider(key: str) -> Provider | None:
    s = get_settings()
    issuer, client_id = {
        "virksomhed": (s.oidc_company_issuer, s.oidc_company_client_id),
        "personale": (s.oidc_staff_issuer, s.oidc_staff_client_id),
    }.get(key, (None, None))
    if not issuer or not client_id:
        return None
    return Provider(key, issuer, client_id)


_lock = threading.Lock()
_keys: dict[str, tuple[float, KeySet]] = {}


def _fetch_keys(issuer: str) -> KeySet:
    try:
        meta = httpx.get(issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=5).raise_for_status().json()
        if meta.get("issuer") != issuer:
            raise ProviderUnavailable(f"discovery names issuer {meta.get('issuer')!r}, expected {issuer!r}")
        jwks = httpx.get(meta["jwks_uri"], timeout=5).raise_for_status().json()
        return KeySet.import_key_set(jwks)
    except (httpx.HTTPError, ValueError, KeyError, JoseError) as exc:
        raise ProviderUnavailable(f"{issuer}: {exc.__class__.__name__}: {exc}") from exc


def _key_set(issuer: str, refresh: bool) -> KeySet:
    with _lock:
        cached = _keys.get(issuer)
        if cached and not refresh and time.monotonic() - cached[0] < KEYS_TTL_SECONDS:
            return cached[1]
    keys = _fetch_keys(issuer)
    with _lock:
        _keys[issuer] = (time.monotonic(), keys)
    return keys


def verify(p: Provider, id_token: str) -> dict[str, Any]:
    """The token's claims, or InvalidIdToken naming what was wrong (for the audit log)."""
    token = None
    for refresh in (False, True):
        keys = _key_set(p.issuer, refresh)
        try:
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
            break
        except InvalidKeyIdError as exc:
            # An unknown key id may be a rotation: fetch the keys once more.
            if refresh:
                raise InvalidIdToken(f"signature: {exc.__class__.__name__}") from exc
        except (JoseError, ValueError, TypeError) as exc:
            raise InvalidIdToken(f"signature: {exc.__class__.__name__}") from exc
    assert token is not None
    registry = jwt.JWTClaimsRegistry(
        leeway=get_settings().oidc_clock_skew_seconds,
        iss={"essential": True, "value": p.issuer},
        aud={"essential": True, "value": p.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(token.claims)
    except JoseError as exc:
        raise InvalidIdToken(f"claims: {exc.__class__.__name__}: {exc}") from exc
    claims = dict(token.claims)
    # Several audiences: the token must name Jobbro as the party it was issued to (OIDC Core 3.1.3.7).
    if isinstance(claims.get("aud"), list) and len(claims["aud"]) > 1 and claims.get("azp") != p.client_id:
        raise InvalidIdToken("claims: azp")
    return claims
