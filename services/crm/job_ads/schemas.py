from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.glossary import Scheme
from shared.validators import clean_postcode

Postcode = Annotated[str, AfterValidator(clean_postcode)]


class JobAdPublish(BaseModel):
    """Publish an order as an open job ad, or change the text of its published ad.

    Fields left out keep the ad's text, or for a new ad take the order's (title, description,
    postcode) or the jobcentre's standard text on how to apply.
    """

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=8000, description="Opslagets tekst (ren tekst)")
    postcode: Postcode | None = None
    city: str | None = Field(default=None, max_length=100, description="Byen, fx 'Slagelse'; udeladt: postnummerets by")
    how_to_apply: str | None = Field(default=None, max_length=2000, description="Sådan søger man via jobcentret")
    name_company: bool | None = Field(default=None, description="Vis virksomhedens navn (kun hvis virksomheden har sagt ja)")


class JobAdRead(BaseModel):
    """The ad as staff see it, with its state."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    order_id: int
    title: str
    description: str
    postcode: str
    city: str
    how_to_apply: str
    name_company: bool
    published: bool
    published_at: datetime | None
    withdrawn_at: datetime | None
    withdrawn_reason: str | None
    updated_at: datetime


class JobAdPublic(BaseModel):
    """What anyone may read about an open job ad: the job, never who applies or is proposed."""

    id: int
    title: str
    description: str
    postcode: str
    city: str
    scheme: Scheme
    hours_per_week: float | None
    positions: int
    deadline: date | None = Field(description="Ansøgningsfrist (sidste dag)")
    how_to_apply: str
    employer_name: str | None = Field(description="Virksomhedens navn, kun når virksomheden har sagt ja til at blive nævnt")
    published_at: datetime
    updated_at: datetime = Field(description="Seneste ændring af opslaget eller ordren bag det")


class JobAdPublicList(BaseModel):
    items: list[JobAdPublic]
    total: int
