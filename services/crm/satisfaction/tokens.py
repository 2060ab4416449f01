"""The signed link of a satisfaction survey: no sign-in, the signature is the authorisation.

itsdangerous signs the survey, order and contact ids with a timestamp; `read` refuses a token
older than `SURVEY_LINK_DAYS` or signed with another key. The key is `SURVEY_SECRET_KEY`, or one
derived from `JOBBRO_SECRET_KEY` for this purpose alone (a survey link is never a login token or
an unsubscribe link). crm checks the ids against the survey row too, so a link is bound to its
order and its contact: once the contact is erased, their link answers nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from shared.settings import get_settings

SALT = "jobbro/crm/satisfaction/v1"


@dataclass(frozen=True)
class SurveyClaim:
    survey_id: int
    order_id: int
    contact_id: int


class BadToken(ValueError):
    pass


class ExpiredToken(ValueError):
    pass


def _serializer() -> URLSafeTimedSerializer:
    s = get_settings()
    secret = s.survey_secret_key or hmac.new(s.jobbro_secret_key.encode(), SALT.encode(), hashlib.sha256).hexdigest()
    return URLSafeTimedSerializer(secret, salt=SALT)


def max_age_seconds() -> int:
    return max(1, get_settings().survey_link_days) * 86400


def make_token(survey_id: int, order_id: int, contact_id: int) -> str:
    return _serializer().dumps([survey_id, order_id, contact_id])


def read_token(token: str) -> SurveyClaim:
    if not token or len(token) > 400:
        raise BadToken("malformed")
    try:
        ids = _serializer().loads(token, max_age=max_age_seconds())
    except SignatureExpired as exc:
        raise ExpiredToken("expired") from exc
    except BadSignature as exc:
        raise BadToken("bad signature") from exc
    if not (isinstance(ids, list) and len(ids) == 3 and all(isinstance(i, int) and i > 0 for i in ids)):
        raise BadToken("bad payload")
    return SurveyClaim(*ids)
