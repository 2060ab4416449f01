from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status
from fastapi.responses import HTMLResponse

from services.notifications.deps import SessionDep, Writer
from services.notifications.newsletters import service
from services.notifications.newsletters.schemas import (
    NewsletterCreate,
    NewsletterRead,
    NewsletterUpdate,
    Preview,
    SendAccepted,
    SendRequest,
)
from shared.glossary import NewsletterStatus
from shared.pagination import Page

router = APIRouter(prefix="/api/v1/newsletters", tags=["newsletters"])


@router.get("", response_model=Page[NewsletterRead], summary="Nyhedsbreve, nyeste først")
def list_newsletters(
    session: SessionDep,
    _: Writer,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    status_: Annotated[NewsletterStatus | None, Query(alias="status")] = None,
):
    items, total = service.list_newsletters(session, limit, offset, status_.value if status_ else None)
    return Page(items=items, total=total)


@router.post("", response_model=NewsletterRead, status_code=status.HTTP_201_CREATED, summary="Skriv et nyhedsbrev")
def create_newsletter(data: NewsletterCreate, session: SessionDep, principal: Writer):
    return service.to_read(session, service.create(session, principal, data))


@router.get("/{newsletter_id}", response_model=NewsletterRead, summary="Nyhedsbrev med status og tal")
def get_newsletter(newsletter_id: int, session: SessionDep, _: Writer):
    return service.to_read(session, service.get(session, newsletter_id))


@router.patch("/{newsletter_id}", response_model=NewsletterRead)
def update_newsletter(newsletter_id: int, data: NewsletterUpdate, session: SessionDep, _: Writer):
    return service.to_read(session, service.update_newsletter(session, newsletter_id, data))


@router.delete("/{newsletter_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_newsletter(newsletter_id: int, session: SessionDep, _: Writer) -> Response:
    service.delete(session, newsletter_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{newsletter_id}/preview", response_model=Preview, summary="Forhåndsvisning og antal modtagere")
def preview(newsletter_id: int, session: SessionDep, _: Writer):
    return service.preview(session, newsletter_id)


@router.get("/{newsletter_id}/preview.html", response_class=HTMLResponse, summary="Forhåndsvisning som side")
def preview_html(newsletter_id: int, session: SessionDep, _: Writer):
    return HTMLResponse(service.preview(session, newsletter_id).html,
                        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src *"})


@router.post("/{newsletter_id}/test", status_code=status.HTTP_202_ACCEPTED, summary="Send en testudgave til mig selv")
def send_test(newsletter_id: int, session: SessionDep, principal: Writer):
    delivery_id = service.send_test(session, principal, newsletter_id)
    return {"delivery_id": delivery_id, "to": principal.email}


@router.post("/{newsletter_id}/send", response_model=SendAccepted, status_code=status.HTTP_202_ACCEPTED,
             summary="Send nu, eller planlæg med `at`")
def send(newsletter_id: int, session: SessionDep, principal: Writer,
         data: Annotated[SendRequest | None, Body()] = None):
    return service.send(session, principal, newsletter_id, data.at if data else None)


@router.post("/{newsletter_id}/cancel", response_model=NewsletterRead, summary="Annullér en planlagt udsendelse")
def cancel(newsletter_id: int, session: SessionDep, _: Writer):
    return service.to_read(session, service.cancel_schedule(session, newsletter_id))
