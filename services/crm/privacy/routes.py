from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.crm.companies import service as companies
from services.crm.deps import SessionDep
from services.crm.privacy import mail_trail, service
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
def export_contact(company_id: int, contact_id: int, request: Request, session: SessionDep, principal: Staff,
                   fetch_mail_trail: Annotated[mail_trail.Fetch, Depends(mail_trail.get_fetcher)]) -> ContactExport:
    contact = companies.get_contact(session, principal, company_id, contact_id)
    trail = fetch_mail_trail(contact.id, request.headers.get("authorization", ""))
    return service.export_contact(session, principal, contact, trail)
