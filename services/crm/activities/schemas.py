from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from shared.glossary import Channel, FollowUpKind, Purpose
from shared.settings import get_settings


def local_tz() -> ZoneInfo:
    return ZoneInfo(get_settings().jobbro_timezone)


def local_today() -> date:
    return datetime.now(local_tz()).date()


def local_date(at: datetime) -> date:
    return at.astimezone(local_tz()).date()


def _aware(value: datetime | None) -> datetime | None:
    # A consultant typing "10:00" means Danish time; stored values are aware UTC.
    if value is None or value.utcoffset() is not None:
        return value
    return value.replace(tzinfo=local_tz())


def _occurred_not_in_future(value: datetime | None) -> datetime | None:
    value = _aware(value)
    if value is not None and local_date(value) > local_today():
        raise ValueError("Aktiviteten kan ikke ligge i fremtiden; planlagte kontakter registreres som opfølgning")
    return value


def _unique_purposes(value: list[Purpose] | None) -> list[Purpose] | None:
    return None if value is None else list(dict.fromkeys(value))


def _follow_up_not_before_activity(value: date | None, info: ValidationInfo) -> date | None:
    occurred = info.data.get("occurred_at")
    if value is not None and occurred is not None and value < local_date(occurred):
        raise ValueError(
            f"Opfølgningsdatoen {value.isoformat()} ligger før aktiviteten ({local_date(occurred).isoformat()})"
        )
    return value


class ActivityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_id: int
    channel: Channel
    purposes: list[Purpose] = Field(min_length=1, max_length=len(Purpose))
    occurred_at: datetime = Field(description="Tidspunkt; uden tidszone læses det som dansk tid")
    summary: str = Field(min_length=1, max_length=4000)
    follow_up_on: date | None = Field(default=None, description="Dato for opfølgning: bliver en opgave")
    campaign_id: int | None = None
    contact_id: int | None = None

    _when = field_validator("occurred_at")(_occurred_not_in_future)
    _purposes = field_validator("purposes")(_unique_purposes)
    _follow_up = field_validator("follow_up_on")(_follow_up_not_before_activity)

    @field_validator("summary")
    @classmethod
    def _summary_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Referatet skal udfyldes")
        return value.strip()


class ActivityUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel | None = None
    purposes: list[Purpose] | None = Field(default=None, min_length=1, max_length=len(Purpose))
    occurred_at: datetime | None = None
    summary: str | None = Field(default=None, min_length=1, max_length=4000)
    follow_up_on: date | None = None
    contact_id: int | None = None

    _when = field_validator("occurred_at")(_occurred_not_in_future)
    _purposes = field_validator("purposes")(_unique_purposes)
    _follow_up = field_validator("follow_up_on")(_follow_up_not_before_activity)


class ActivityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    company_id: int
    company_name: str | None = None
    consultant_id: int | None
    consultant_name: str | None = None
    contact_id: int | None
    campaign_id: int | None
    channel: Channel
    channel_label: str | None = None
    purposes: list[Purpose]
    occurred_at: datetime
    summary: str
    follow_up_on: date | None
    follow_up_done_at: datetime | None
    created_at: datetime


class TaskRead(BaseModel):
    """An open follow-up (opfølgning): from an activity or a campaign target."""

    kind: FollowUpKind
    id: int
    company_id: int
    company_name: str
    consultant_id: int | None
    campaign_id: int | None
    follow_up_on: date
    summary: str
    due: bool = Field(description="Opfølgningen er nået (i dag eller tidligere)")
    overdue: bool = Field(description="Opfølgningsdatoen er overskredet")
