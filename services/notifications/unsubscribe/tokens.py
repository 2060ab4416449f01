"""Signed unsubscribe tokens: `<contact>.<delivery>.<signature>`, HMAC-SHA256 with the shared secret.

No expiry: an unsubscribe link in a years-old newsletter must still work (RFC 8058 clients may
POST to it long after). The key is derived from the secret for this one purpose, so a token
can never be confused with a login token signed by the same secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache

from shared.settings import get_settings

_TOKEN = re.compile(r"^(\d{1,12})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class UnsubscribeClaim:
    contact_id: int
    delivery_id: int


class BadToken(ValueError):
    pass


def _key() -> bytes:
    return _derive(get_settings().jobbro_secret_key)


@lru_cache(maxsize=4)
def _derive(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"jobbro/notifications/unsubscribe/v1", hashlib.sha256).digest()


def _sign(contact_id: int, delivery_id: int) -> str:
    mac = hmac.new(_key(), f"{contact_id}.{delivery_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def make_token(contact_id: int, delivery_id: int) -> str:
    return f"{contact_id}.{delivery_id}.{_sign(contact_id, delivery_id)}"


def read_token(token: str) -> UnsubscribeClaim:
    match = _TOKEN.match(token or "")
    if not match:
        raise BadToken("malformed")
    contact_id, delivery_id, signature = int(match[1]), int(match[2]), match[3]
    if not hmac.compare_digest(signature, _sign(contact_id, delivery_id)):
        raise BadToken("bad signature")
    return UnsubscribeClaim(contact_id, delivery_id)


def unsubscribe_url(contact_id: int, delivery_id: int) -> str:
    settings = get_settings()
    base = (settings.notifications_public_url or settings.notifications_url).rstrip("/")
    return f"{base}/unsubscribe/{make_token(contact_id, delivery_id)}"
