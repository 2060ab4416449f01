from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    newsletter_id: int | None
    contact_id: int | None
    user_id: int | None
    to_email: str
    to_name: str | None = None
    subject: str | None = None
    status: str
    status_label: str = ""
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    smtp_code: int | None
    last_error: str | None
    unsubscribed_at: datetime | None
    created_at: datetime
