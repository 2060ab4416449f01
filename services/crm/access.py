"""Who may see which company: a `virksomhed` user sees only its own; others do not exist for it."""

from __future__ import annotations

from shared.auth import Principal
from shared.errors import NotFound
from shared.glossary import Role

STAFF_ROLES = (Role.konsulent, Role.leder)


def company_not_found(company_id: int) -> NotFound:
    return NotFound(f"Virksomhed {company_id} findes ikke.")


def ensure_company_visible(principal: Principal, company_id: int) -> None:
    # 404 rather than 403: a company must not learn which other ids exist.
    if principal.role is Role.virksomhed and principal.company_id != company_id:
        raise company_not_found(company_id)


def is_staff(principal: Principal) -> bool:
    return principal.has_role(*STAFF_ROLES)
