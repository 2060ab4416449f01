"""Dependencies matching routers share: the session and who may see candidate data."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from shared.auth import Principal, require_roles
from shared.db import get_session
from shared.glossary import Role

SessionDep = Annotated[Session, Depends(get_session)]
SERVICE = "matching"
# Candidate data can reveal health or origin: consultants and managers only (admin passes),
# never a company's portal user.
MatchingStaff = Annotated[Principal, Depends(require_roles(Role.konsulent, Role.leder))]
