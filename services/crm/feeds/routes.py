from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from services.crm.deps import SessionDep
from services.crm.feeds import service
from services.crm.feeds.service import Feed
from shared.auth import Principal, require_roles
from shared.glossary import Role

router = APIRouter(prefix="/api/v1/feeds", tags=["feeds"])
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]


class FeedItem(BaseModel):
    type: str
    occurred_at: str
    payload: dict[str, Any]


class FeedPage(BaseModel):
    items: list[FeedItem]
    next_after_id: int | None


@router.get("/{feed}", response_model=FeedPage,
            summary="crm's records as event payloads, for rebuilding another service's read model (admin)")
def read_feed(feed: Feed, session: SessionDep, _: Admin, after_id: Annotated[int, Query(ge=0)] = 0,
              limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> FeedPage:
    return FeedPage.model_validate(service.page(session, feed, after_id, limit))
