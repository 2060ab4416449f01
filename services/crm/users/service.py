"""Users and logins. Lockout lives in the database so it holds across replicas."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, func, select

from services.crm.companies.models import Company
from services.crm.users.models import User
from services.crm.users.schemas import UserCreate
from shared import audit
from shared.auth import Principal, burn_verify_time, create_access_token, hash_password, verify_password
from shared.errors import Conflict, DomainError, Invalid
from shared.glossary import Role
from shared.models_base import utcnow
from shared.settings import get_settings

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


class LoginFailed(DomainError):
    status_code = 401


def principal_of(user: User) -> Principal:
    return Principal(user_id=user.id, email=user.email, role=Role(user.role), company_id=user.company_id)


def get_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(func.lower(User.email) == email.lower())).first()


def by_ids(session: Session, ids: list[int]) -> list[User]:
    """The users among `ids`; an id no user has any more is simply not among them."""
    if not ids:
        return []
    return list(session.exec(select(User).where(User.id.in_(set(ids))).order_by(User.id)).all())


def create_user(session: Session, data: UserCreate) -> User:
    if get_by_email(session, data.email):
        raise Conflict(f"Der findes allerede en bruger med e-mailen {data.email}.", field="email")
    if data.role is Role.virksomhed:
        if data.company_id is None:
            raise Invalid("En virksomhedsbruger skal være knyttet til en virksomhed.", field="company_id")
        if session.get(Company, data.company_id) is None:
            raise Invalid(f"Virksomhed {data.company_id} findes ikke.", field="company_id")
    elif data.company_id is not None:
        raise Invalid("Kun virksomhedsbrugere kan knyttes til en virksomhed.", field="company_id")
    user = User(
        email=data.email.lower(),
        password_hash=hash_password(data.password),
        full_name=data.full_name,
        role=data.role.value,
        company_id=data.company_id,
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def _password_login_allowed(email: str) -> bool:
    # Companies and staff sign in through their providers (services/crm/signin); a local password
    # remains for the bootstrap admin (the break-glass login) and the demo, as JOBBRO_PASSWORD_LOGIN says.
    settings = get_settings()
    mode = settings.jobbro_password_login
    if mode == "all":
        return True
    return mode == "admin" and bool(settings.jobbro_admin_email) and email.lower() == settings.jobbro_admin_email.lower()


def login(session: Session, email: str, password: str) -> str:
    if not _password_login_allowed(email):
        raise LoginFailed("Login med adgangskode er slået fra. Brug knappen til MitID Erhverv eller kommunens login.")
    user = get_by_email(session, email)
    now = utcnow()
    if user is None or not user.is_active or not user.password_hash:
        session.commit()  # nothing written: ends the read before the deliberate slow check
        burn_verify_time(password)
        raise LoginFailed("Forkert e-mail eller adgangskode.")
    if user.locked_until and user.locked_until > now:
        raise LoginFailed("For mange forkerte forsøg. Kontoen er låst i 15 minutter.")
    user_id, password_hash = user.id, user.password_hash
    # The read ends before the password is checked (a commit of nothing): argon2 costs a good part
    # of a second of CPU, and a transaction open meanwhile would hold the database (on SQLite its
    # one write lock).
    session.commit()
    ok = verify_password(password, password_hash)
    # Counted on the row as it is now (locked on PostgreSQL), so concurrent attempts all count.
    user = session.exec(select(User).where(User.id == user_id).with_for_update()
                        .execution_options(populate_existing=True)).one()
    if not ok:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        session.add(user)
        session.commit()
        raise LoginFailed("Forkert e-mail eller adgangskode.")
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    audit.record(session, principal_of(user), "crm", "login", "signin", user.id, {"method": "password"})
    session.commit()
    return create_access_token(principal_of(user))


def ensure_admin(session: Session, email: str | None, password: str | None) -> None:
    """Create the configured admin at start-up when missing (contract: JOBBRO_ADMIN_*)."""
    if not email or not password or get_by_email(session, email):
        return
    session.add(User(email=email.lower(), password_hash=hash_password(password), full_name="Administrator", role=Role.admin.value))
    session.commit()
