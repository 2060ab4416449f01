"""The cooperation's API: partners call `messages` and `public-key` (no user token opens anything
else, and no user token is needed or believed there: the signature is the credential); staff use
the rest, admins manage the partners."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, status
from starlette.concurrency import run_in_threadpool

from services.crm.cooperation import service, stats
from services.crm.cooperation.schemas import (
    Decision,
    Identity,
    IncomingProposalRead,
    OutgoingMessageRead,
    OutgoingProposalRead,
    PartnerCreate,
    PartnerRead,
    ProposeAcross,
    ReceivedOrderRead,
    SharedOrderRead,
)
from services.crm.cooperation.signing import SIGNATURE_HEADER
from services.crm.deps import SessionDep
from shared.auth import Principal, Staff, require_roles
from shared.csv_response import csv_response, wants_csv
from shared.errors import Invalid
from shared.glossary import Role

router = APIRouter(prefix="/api/v1", tags=["cooperation"])
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
# An order's text is at most 8,000 characters; nothing a partner sends needs more.
MAX_MESSAGE_BYTES = 256_000
CSV = {200: {"content": {"text/csv": {}}, "description": "JSON, eller CSV med `Accept: text/csv`"}}


# -- between installations ----------------------------------------------------------------------------

@router.get("/cooperation/public-key", response_model=Identity, summary="Jobcentrets offentlige nøgle (til partnere)")
def public_key(session: SessionDep):
    return service.identity(session)


@router.post("/cooperation/messages", summary="Signeret besked fra en samarbejdspartner",
             description="Ingen brugerlogin: signaturen i X-Jobbro-Signature er legitimationen. 401: signaturen "
                         "passer ikke, eller beskeden er for gammel; 403: afsenderen er ikke (længere) "
                         "samarbejdspartner, eller beskeden er til et andet jobcenter.")
async def receive_message(request: Request, session: SessionDep,
                          signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None):
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_MESSAGE_BYTES:  # refused before anything is parsed or verified
            raise Invalid(f"Beskeden er for stor (højst {MAX_MESSAGE_BYTES // 1000} kB).")
    # The database work runs in the thread pool, as a plain route's would.
    return await run_in_threadpool(service.receive, session, raw, signature)


# -- partners (admin) ---------------------------------------------------------------------------------

@router.get("/cooperation/partners", response_model=list[PartnerRead], summary="Samarbejdspartnere")
def list_partners(session: SessionDep, _: Staff):
    return service.list_partners(session)


@router.post("/cooperation/partners", response_model=PartnerRead, status_code=status.HTTP_201_CREATED,
             summary="Tilføj et samarbejdende jobcenter")
def add_partner(data: PartnerCreate, session: SessionDep, principal: Admin):
    return service.add_partner(session, principal, data)


@router.delete("/cooperation/partners/{partner_id}", response_model=PartnerRead,
               summary="Fjern en samarbejdspartner (dens beskeder afvises straks)")
def remove_partner(partner_id: int, session: SessionDep, principal: Admin):
    return service.remove_partner(session, principal, partner_id)


@router.get("/cooperation/outbox", response_model=list[OutgoingMessageRead], summary="Beskeder til partnere")
def outbox(session: SessionDep, _: Admin, limit: Annotated[int, Query(ge=1, le=500)] = 100):
    return service.outbox(session, limit)


# -- our orders ----------------------------------------------------------------------------------------

@router.post("/orders/{order_id}/cooperation", response_model=SharedOrderRead, status_code=status.HTTP_201_CREATED,
             summary="Del ordren med rekrutteringssamarbejdet")
def share_order(order_id: int, session: SessionDep, principal: Staff):
    return service.share_order(session, principal, order_id)


@router.get("/orders/{order_id}/cooperation", summary="Er ordren delt med rekrutteringssamarbejdet?")
def shared_state(order_id: int, session: SessionDep, _: Staff) -> dict:
    return service.shared_state(session, order_id)


@router.delete("/orders/{order_id}/cooperation", status_code=status.HTTP_204_NO_CONTENT,
               summary="Træk ordren tilbage fra rekrutteringssamarbejdet")
def unshare_order(order_id: int, session: SessionDep, principal: Staff):
    service.unshare_order(session, principal, order_id)


@router.get("/orders/{order_id}/partner-proposals", response_model=list[IncomingProposalRead],
            summary="Kandidater foreslået af samarbejdspartnere (læsningen logges)")
def partner_proposals(order_id: int, session: SessionDep, principal: Staff):
    return [_incoming(p, partner) for p, partner in service.incoming_proposals(session, principal, order_id)]


@router.post("/cooperation/partner-proposals/{proposal_id}/outcome", response_model=IncomingProposalRead,
             summary="Registrér udfaldet af en partners forslag (sendes tilbage)")
def decide(proposal_id: int, data: Decision, session: SessionDep, principal: Staff):
    p = service.decide(session, principal, proposal_id, data)
    from services.crm.cooperation.models import Partner

    return _incoming(p, session.get(Partner, p.partner_id))


def _incoming(p, partner) -> IncomingProposalRead:
    return IncomingProposalRead(id=p.id, order_id=p.order_id, partner_id=partner.id, partner_name=partner.name,
                                partner_municipality_code=partner.municipality_code, candidate=p.pseudonym,
                                cv_summary=p.cv_summary, consultant=p.consultant, proposed_on=p.proposed_on,
                                status=p.status, decided_on=p.decided_on, placement_id=p.placement_id,
                                erased_at=p.erased_at)


# -- partners' orders ----------------------------------------------------------------------------------

def _received(ro, partner) -> ReceivedOrderRead:
    return ReceivedOrderRead(**ro.model_dump(), partner_name=partner.name,
                             partner_municipality_code=partner.municipality_code)


@router.get("/cooperation/orders", response_model=list[ReceivedOrderRead],
            summary="Ordrer delt af samarbejdspartnere")
def received_orders(session: SessionDep, _: Staff, open_only: Annotated[bool, Query(alias="open")] = False):
    return [_received(ro, p) for ro, p in service.received_orders(session, open_only=open_only)]


@router.get("/cooperation/orders/{received_order_id}", response_model=ReceivedOrderRead)
def received_order(received_order_id: int, session: SessionDep, _: Staff):
    return _received(*service.received_order(session, received_order_id))


@router.post("/cooperation/orders/{received_order_id}/proposals", response_model=OutgoingProposalRead,
             status_code=status.HTTP_201_CREATED, summary="Foreslå en jobsøger til partnerens ordre")
def propose(received_order_id: int, data: ProposeAcross, session: SessionDep, principal: Staff):
    return service.propose(session, principal, received_order_id, data)


@router.get("/cooperation/orders/{received_order_id}/proposals", response_model=list[OutgoingProposalRead],
            summary="Vores forslag til partnerens ordre (læsningen logges)")
def outgoing(received_order_id: int, session: SessionDep, principal: Staff):
    return service.outgoing_proposals(session, principal, received_order_id)


# -- figures -------------------------------------------------------------------------------------------

@router.get("/cooperation/stats", responses=CSV, summary="Samarbejdet pr. partner og måned")
def cooperation_stats(request: Request, session: SessionDep, _: Staff,
                      from_: Annotated[date | None, Query(alias="from")] = None, to: date | None = None):
    figures = stats.cooperation_stats(session, from_, to)
    if wants_csv(request):
        return csv_response(figures["rows"], stats.COLUMNS, "rekrutteringssamarbejde.csv")
    return figures
