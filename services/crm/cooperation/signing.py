"""The installation's key pair and the signed envelope every cooperation message travels in.

Envelope (JSON, UTF-8, keys sorted, no spaces — the exact bytes are what is signed):

    {"id": "<uuid>", "type": "order.shared", "sent_at": "<ISO 8601 UTC>",
     "from": <sender municipality code>, "to": <recipient municipality code>, "body": {...}}

The Ed25519 signature over those bytes travels base64-encoded in the `X-Jobbro-Signature`
header. The receiver verifies it over the bytes it received, before it parses anything it trusts.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.crm.cooperation.models import InstallationKey

SIGNATURE_HEADER = "X-Jobbro-Signature"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def ensure_key(session: Session) -> InstallationKey:
    """The installation's key pair, made on first use (first start). Replicas starting together
    agree on one: the second insert fails on the primary key and reads the first's."""
    key = session.get(InstallationKey, 1)
    if key is not None:
        return key
    private = Ed25519PrivateKey.generate()
    key = InstallationKey(
        id=1,
        private_key=_b64(private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())),
        public_key=_b64(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)),
    )
    session.add(key)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        key = session.get(InstallationKey, 1)
    return key


def parse_public_key(text: str) -> Ed25519PublicKey | None:
    """A partner's public key as an admin pastes it (base64 of the raw 32 bytes); None if it is not one."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        return None


def canonical(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def envelope(message_id: str | None, type_: str, sender: int, recipient: int, body: dict[str, Any],
             sent_at: datetime | None = None) -> dict[str, Any]:
    return {"id": message_id or str(uuid.uuid4()), "type": type_,
            "sent_at": (sent_at or datetime.now(UTC)).isoformat(), "from": sender, "to": recipient, "body": body}


def sign(session: Session, data: bytes) -> str:
    key = ensure_key(session)
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key.private_key))
    return _b64(private.sign(data))


def verify(public_key: str, data: bytes, signature: str | None) -> bool:
    key = parse_public_key(public_key)
    if key is None or not signature:
        return False
    try:
        key.verify(base64.b64decode(signature, validate=True), data)
        return True
    except (InvalidSignature, binascii.Error, ValueError):
        return False
