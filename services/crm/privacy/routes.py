from __future__ import annotations

from fastapi import APIRouter

from services.crm.companies import service as companies
from services.crm.deps import SessionDep
from services.crm.privacy import service
from services.crm.privacy.schemas import ContactExport
from shared.auth import Staff

router = APIRouter(prefix="/api/v1/companies", tags=["personal data"])


@router.get(
    "/{company_id}/contacts/{contact_id}/export",
    response_model=ContactExport,
    summary="Indsigt: alt hvad Jobbro har om kontaktpersonen",
    description="Kontaktpersonen, samtykke og afmelding, aktiviteter, aftaler og ordrer hvor personen er nævnt, "
                "e-mails sendt til personen og loggen over hvem der har set eller ændret oplysningerne. "
                "Udtrækket logges selv. Kun for jobcentrets medarbejdere (aktiviteter er interne noter).",
)
def export_contact(company_id: int, contact_id: int, session: SessionDep, principal: Staff) -> ContactExport:
    contact = companies.get_contact(session, principal, company_id, contact_id)
    return service.export_contact(session, principal, contact)
