"""Dependencies crm routers share: the request's session and the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from shared.db import get_session

SessionDep = Annotated[Session, Depends(get_session)]
SERVICE = "crm"
