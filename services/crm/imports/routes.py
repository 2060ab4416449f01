from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse

from services.crm.deps import SessionDep
from services.crm.imports import service
from services.crm.imports.schemas import ImportResult
from shared.auth import Staff

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])

DryRun = Annotated[bool, Query(description="Vis hvad der ville ske, uden at gemme noget")]
CsvFile = Annotated[UploadFile, File(description="CSV i UTF-8 (med eller uden BOM), adskilt med ; eller ,")]

# A 422 is either the import report (rows rejected, nothing saved) or a request that could not be
# read at all (no file): both shapes are documented.
_DOC = {422: {
    "description": "Mindst én række er afvist (intet er gemt), eller filen mangler",
    "content": {"application/json": {"schema": {"anyOf": [
        {"$ref": "#/components/schemas/ImportResult"},
        {"$ref": "#/components/schemas/HTTPValidationError"},
    ]}}},
}}


def _answer(result: ImportResult):
    if result.rejected and not result.dry_run:
        body = {"detail": f"Intet er importeret: {len({r.row for r in result.rejected})} række(r) er afvist.",
                **result.model_dump()}
        return JSONResponse(body, status_code=422)
    return result


@router.post("/companies", response_model=ImportResult, responses=_DOC,
             summary="Importér virksomheder (opdaterer efter CVR)")
def import_companies(session: SessionDep, principal: Staff, file: CsvFile, dry_run: DryRun = False):
    # Sync on purpose: FastAPI runs it in a worker thread, so the import never blocks the event loop.
    raw = file.file.read(service.MAX_BYTES + 1)
    return _answer(service.import_companies(session, principal, raw, dry_run))


@router.post("/contacts", response_model=ImportResult, responses=_DOC,
             summary="Importér kontaktpersoner (opdaterer efter virksomhedens CVR og e-mail)")
def import_contacts(session: SessionDep, principal: Staff, file: CsvFile, dry_run: DryRun = False):
    raw = file.file.read(service.MAX_BYTES + 1)
    return _answer(service.import_contacts(session, principal, raw, dry_run))

