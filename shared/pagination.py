"""List envelopes of the contract: `?limit=&offset=` in, `{"items": [...], "total": N}` out."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int


class PageParams(BaseModel):
    limit: int = 50
    offset: int = 0


def page_params(
    limit: Annotated[int, Query(ge=1, le=1000, description="Højst antal rækker")] = 50,
    offset: Annotated[int, Query(ge=0, description="Spring over så mange rækker")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


def paginate(session, stmt, params: PageParams) -> tuple[list, int]:
    """Run `stmt` for one page and count the whole result in SQL."""
    from sqlalchemy import func, select

    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.exec(stmt.limit(params.limit).offset(params.offset)).all()
    return list(rows), int(total)
