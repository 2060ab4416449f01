"""From a verified ID token to a Jobbro user and bearer token, with every outcome in the audit log.

Companies: the CVR claim decides the company, the NSIS level of assurance must reach the
municipality's minimum, and the person (a persistent pseudonym, never a CPR number) becomes a
`virksomhed` user on first sign-in. Staff: the role comes from a group or app-role claim mapped
in settings; without a mapped role there is no access.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from services.crm.companies.models import Company
from services.crm.signin.models import UnknownCompanySignin, UsedIdToken
from services.crm.signin.tokens import InvalidIdToken, Provider, ProviderUnavailable, provider, verify
from services.crm.users.models import User
from services.crm.users.service import principal_of
from shared import audit
from shared.auth import Principal, create_access_token
from shared.errors import DomainError
from shared.glossary import Role
from shared.models_base import utcnow
from shared.settings import get_settings

log = logging.getLogger("jobbro.crm.signin")

# NSIS levels of assurance as OIOSAML 3 names them, and their Danish names.
LOA_RANK = {"low": 0, "lav": 0, "substantial": 1, "betydelig": 1, "high": 2, "høj": 2}
LOA_DANISH = {0: "Lav", 1: "Betydelig", 2: "Høj"}
ROLE_STRENGTH = {"konsulent": 1, "leder": 2, "admin": 3}


class SigninRefused(DomainError):
    """The provider vouched for the person, but Jobbro does not let them in (a 403 with a reason)."""

    status_code = 403


class TokenRejected(DomainError):
    status_code = 401


class SigninUnavailable(DomainError):
    status_code = 503

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "5"}


class SigninOff(DomainError):
    status_code = 404


def _claim(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _audit(session: Session, principal: Principal | None, action: str, entity_id: object | None,
           detail: dict[str, Any], entity: str = "signin") -> None:
    audit.record(session, principal, "crm", action, entity, entity_id, detail)


def _refuse(session: Session, p: Provider, reason: str, message: str, *, status: type[DomainError] = SigninRefused,
            user: User | None = None, **extra: Any) -> DomainError:
    _audit(session, principal_of(user) if user else None, "refuse", user.id if user else None,
           {"provider": p.key, "issuer": p.issuer, "reason": reason, **extra})
    session.commit()
    log.info("sign-in refused: provider=%s reason=%s", p.key, reason)
    return status(message, reason=reason, **extra)


def _hash(id_token: str) -> str:
    return hashlib.sha256(id_token.encode()).hexdigest()


def _remember_token(session: Session, token_hash: str, claims: dict[str, Any]) -> None:
    now = utcnow()
    skew = timedelta(seconds=get_settings().oidc_clock_skew_seconds)
    expires = datetime.fromtimestamp(int(claims["exp"]), UTC) + skew
    # Tokens past their expiry (and the skew) are refused anyway: their rows are no longer needed.
    for old in session.exec(select(UsedIdToken).where(UsedIdToken.expires_at < now - skew).limit(100)):
        session.delete(old)
    session.add(UsedIdToken(token_hash=token_hash, expires_at=expires))


def sign_in(session: Session, provider_key: str, id_token: str) -> str:
    p = provider(provider_key)
    if p is None:
        raise SigninOff("Dette login er ikke slået til i Jobbro.", reason="not_configured")
    try:
        claims = verify(p, id_token)
    except ProviderUnavailable as exc:
        log.warning("sign-in provider unavailable: %s", exc)
        raise SigninUnavailable("Login-udbyderen svarer ikke lige nu. Prøv igen om lidt.",
                                reason="provider_unavailable") from exc
    except InvalidIdToken as exc:
        raise _refuse(session, p, "invalid_token", "Beviset for dit login kunne ikke godkendes. Log ind igen.",
                      status=TokenRejected, check=exc.reason) from exc
    token_hash = _hash(id_token)
    if session.get(UsedIdToken, token_hash) is not None:
        raise _refuse(session, p, "replayed_token", "Dette login er allerede brugt. Log ind igen.", status=TokenRejected)
    if p.key == "virksomhed":
        user = _company_user(session, p, claims)
    else:
        user = _staff_user(session, p, claims)
    _remember_token(session, token_hash, claims)
    principal = principal_of(user)
    _audit(session, principal, "login", user.id, {"provider": p.key, "issuer": p.issuer, "method": "oidc"})
    try:
        session.commit()
    except IntegrityError as exc:
        # The same token exchanged twice at the same moment: the second commit meets the first's row.
        session.rollback()
        raise TokenRejected("Dette login er allerede brugt. Log ind igen.", reason="replayed_token") from exc
    return create_access_token(principal)


def _by_identity(session: Session, issuer: str, subject: str) -> User | None:
    return session.exec(select(User).where(User.external_issuer == issuer, User.external_subject == subject)).first()


def _email_free(session: Session, email: str | None) -> bool:
    return bool(email) and session.exec(select(User.id).where(func.lower(User.email) == email.lower())).first() is None


def _company_user(session: Session, p: Provider, claims: dict[str, Any]) -> User:
    s = get_settings()
    cvr = _claim(claims, s.oidc_company_claim_cvr)
    subject = _claim(claims, s.oidc_company_claim_subject)
    if not cvr or not re.fullmatch(r"\d{8}", cvr) or not subject:
        raise _refuse(session, p, "missing_claims",
                      "Login-udbyderen sendte ikke jeres CVR-nummer. Log ind med MitID Erhverv for virksomheden.")
    loa_value = _claim(claims, s.oidc_company_claim_loa)
    loa = LOA_RANK.get((loa_value or "").lower())
    required = LOA_RANK[s.oidc_company_min_loa.lower()]
    if loa is None or loa < required:
        shown = LOA_DANISH.get(loa, "ukendt") if loa is not None else "ukendt"
        raise _refuse(session, p, "loa_too_low",
                      f"Dit login har sikringsniveau {shown}, men jobcentret kræver mindst {s.oidc_company_min_loa}. "
                      "Log ind igen med MitID på et højere sikringsniveau.", cvr=cvr, loa=loa_value,
                      required=s.oidc_company_min_loa)
    org_name = (_claim(claims, s.oidc_company_claim_org_name) or "")[:200] or None
    company = session.exec(select(Company).where(Company.cvr == cvr)).first()
    if company is None:
        _note_unknown_company(session, cvr, org_name)
        raise _refuse(session, p, "unknown_cvr",
                      "Jeres virksomhed er ikke kendt af jobcentret endnu — ring til "
                      f"{s.oidc_company_help_phone}, så opretter vi jer.", cvr=cvr, org_name=org_name)
    name = (_claim(claims, s.oidc_company_claim_name) or _claim(claims, "name") or f"Medarbejder i {company.name}")[:200]
    user = _by_identity(session, p.issuer, subject)
    if user is None:
        email = _claim(claims, s.oidc_company_claim_email)
        if not _email_free(session, email):
            # The address identifies nobody here and must be unique: a placeholder that can never receive mail.
            email = f"mitid-{_hash(p.issuer + '|' + subject)[:20]}@virksomhed.invalid"
        user = User(email=email.lower(), password_hash=None, full_name=name, role=Role.virksomhed.value,
                    company_id=company.id, external_issuer=p.issuer, external_subject=subject)
        session.add(user)
        session.flush()
        _audit(session, principal_of(user), "create", user.id,
               {"provider": p.key, "role": user.role, "company_id": company.id, "cvr": cvr}, entity="user")
        return user
    if not user.is_active:
        raise _refuse(session, p, "inactive", "Din bruger er lukket i Jobbro. Kontakt jobcentret.", user=user)
    if user.role != Role.virksomhed.value:
        raise _refuse(session, p, "not_company_user", "Denne bruger kan ikke logge ind med MitID Erhverv.", user=user)
    if user.company_id != company.id:
        # The person now acts for another company: they see that company only.
        _audit(session, principal_of(user), "update", user.id,
               {"provider": p.key, "company_id": {"from": user.company_id, "to": company.id}, "cvr": cvr},
               entity="user")
        user.company_id = company.id
    user.full_name = name
    session.add(user)
    return user


def _note_unknown_company(session: Session, cvr: str, org_name: str | None) -> None:
    row = session.exec(select(UnknownCompanySignin).where(UnknownCompanySignin.cvr == cvr)).first()
    if row is None:
        row = UnknownCompanySignin(cvr=cvr, org_name=org_name)
    else:
        row.attempts += 1
        row.last_at = utcnow()
        row.org_name = org_name or row.org_name
    session.add(row)


def _staff_role(claims: dict[str, Any]) -> Role | None:
    s = get_settings()
    values = claims.get(s.oidc_staff_claim_roles) or []
    if isinstance(values, str):
        values = values.split()
    roles = [s.oidc_staff_role_map[str(v)] for v in values if str(v) in s.oidc_staff_role_map]
    return Role(max(roles, key=ROLE_STRENGTH.__getitem__)) if roles else None


def _staff_user(session: Session, p: Provider, claims: dict[str, Any]) -> User:
    s = get_settings()
    subject = _claim(claims, s.oidc_staff_claim_subject)
    email = _claim(claims, s.oidc_staff_claim_email)
    if not subject or not email or "@" not in email:
        raise _refuse(session, p, "missing_claims", "Kommunens login sendte ikke din e-mailadresse. Kontakt IT.")
    role = _staff_role(claims)
    user = _by_identity(session, p.issuer, subject)
    if role is None:
        raise _refuse(session, p, "no_role",
                      "Du har ikke adgang til Jobbro. Bed din leder om at give dig adgang i kommunens brugerstyring.",
                      user=user)
    name = (_claim(claims, s.oidc_staff_claim_name) or email)[:200]
    if user is None:
        existing = session.exec(select(User).where(func.lower(User.email) == email.lower())).first()
        if existing is not None and (existing.external_issuer is not None or existing.role == Role.virksomhed.value):
            # Nobody else's account is taken over by an address; the other user is not the actor here.
            raise _refuse(session, p, "email_taken",
                          "Din e-mailadresse er knyttet til en anden bruger i Jobbro. Kontakt administratoren.")
        if existing is not None and not existing.is_active:
            raise _refuse(session, p, "inactive", "Din bruger er lukket i Jobbro. Kontakt administratoren.",
                          user=existing)
        if existing is not None:
            # A colleague Jobbro knew before (with their portfolio): the municipality's own provider
            # vouches for the address, so the record becomes theirs instead of a second one.
            user = existing
            user.external_issuer, user.external_subject = p.issuer, subject
            _audit(session, principal_of(user), "update", user.id, {"provider": p.key, "linked": True}, entity="user")
        else:
            user = User(email=email.lower(), password_hash=None, full_name=name, role=role.value,
                        external_issuer=p.issuer, external_subject=subject)
            session.add(user)
            session.flush()
            _audit(session, principal_of(user), "create", user.id, {"provider": p.key, "role": role.value},
                   entity="user")
    if not user.is_active:
        raise _refuse(session, p, "inactive", "Din bruger er lukket i Jobbro. Kontakt administratoren.", user=user)
    if user.role != role.value:
        _audit(session, principal_of(user), "update", user.id,
               {"provider": p.key, "role": {"from": user.role, "to": role.value}}, entity="user")
        user.role = role.value
    user.full_name = name
    session.add(user)
    return user


def unknown_companies(session: Session, limit: int = 50) -> list[UnknownCompanySignin]:
    """Unknown CVRs that tried to sign in, newest first, until a company with that CVR exists."""
    known = select(Company.id).where(Company.cvr == UnknownCompanySignin.cvr).exists()
    return list(session.exec(select(UnknownCompanySignin).where(~known)
                             .order_by(UnknownCompanySignin.last_at.desc()).limit(limit)))


def record_web_refusal(session: Session, provider_key: str, reason: str) -> None:
    """A sign-in the web front refused before crm saw a token (state, nonce, code, signature)."""
    p = provider(provider_key)
    _audit(session, None, "refuse", None,
           {"provider": provider_key, "issuer": p.issuer if p else None, "reason": reason, "checked_by": "web"})
    session.commit()
