"""Dependencies notifications routers share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from shared.auth import Principal, require_roles
from shared.db import get_session
from shared.glossary import Role

SessionDep = Annotated[Session, Depends(get_session)]
SERVICE = "notifications"
# Newsletters are written and sent by the jobcentre's staff (admin passes every check).
Writer = Annotated[Principal, Depends(require_roles(Role.konsulent, Role.leder))]
