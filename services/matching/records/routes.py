from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.matching.deps import MatchingStaff, SessionDep
from services.matching.records import audit, service
from shared.auth import Principal, require_roles
from shared.csv_response import csv_response, wants_csv
from shared.errors import Invalid
from shared.glossary import Role
from shared.pagination import PageParams, page_params

router = APIRouter(prefix="/api/v1", tags=["ranking records"])
Params = Annotated[PageParams, Depends(page_params)]
# Reading what the system did to whom, and auditing it, is oversight: managers (and admin) only.
Overseer = Annotated[Principal, Depends(require_roles(Role.leder))]
Ref = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]


EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _in_range(since: date | None, until: date | None) -> None:
    for name, value in (("from", since), ("to", until)):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise Invalid(f"Datoen skal ligge mellem {EARLIEST.isoformat()} og {LATEST.isoformat()}.", field=name)


def _period(since: date | None, until: date | None) -> tuple[date, date]:
    _in_range(since, until)
    until = until or date.today()
    since = since or until - timedelta(days=90)
    if since > until:
        raise Invalid("Fra-datoen ligger efter til-datoen.", field="from")
    if (until - since).days > 3 * 366:
        raise Invalid("Perioden må højst være tre år.", field="from")
    return since, until


@router.get("/ranking-records", summary="Rangeringer vist til konsulenter, og hvad der blev gjort (læsningen logges)")
def list_records(session: SessionDep, principal: Overseer, params: Params,
                 vacancy_id: int | None = None, order_id: int | None = None, candidate_ref: Ref = None,
                 since: Annotated[date | None, Query(alias="from")] = None,
                 until: Annotated[date | None, Query(alias="to")] = None):
    _in_range(since, until)
    items, total = service.list_page(session, principal, params, vacancy_id=vacancy_id, order_id=order_id,
                                     candidate_ref=candidate_ref, since=since, until=until)
    return {"items": items, "total": total}


@router.get("/ranking-records/{record_id}", summary="Én rangering som den blev vist: kandidater, scorer, begrundelser")
def get_record(record_id: int, session: SessionDep, principal: Overseer):
    return service.get(session, principal, record_id)


@router.get("/ranking-records/{record_id}/rank",
            summary="Kandidatens plads i en vist rangering (forslag uden for top-N kræver en begrundelse)")
def rank_in_record(record_id: int, session: SessionDep, principal: MatchingStaff,
                   candidate_ref: Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]):
    return service.rank_in(session, principal, record_id, candidate_ref)


@router.get("/audit/ranking", summary="Skævhedsrevision af rangeringerne: eksponering pr. gruppe (CSV med format=csv)")
def ranking_audit(request: Request, session: SessionDep, principal: Overseer,
                  since: Annotated[date | None, Query(alias="from")] = None,
                  until: Annotated[date | None, Query(alias="to")] = None):
    since, until = _period(since, until)
    result = audit.from_records(session, principal, since, until)
    if wants_csv(request):
        return csv_response(audit.csv_rows(result), audit.CSV_COLUMNS,
                            f"rangeringsrevision-{since.isoformat()}-{until.isoformat()}.csv")
    return result
