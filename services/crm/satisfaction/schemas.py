"""The satisfaction report, a company's answers and the public survey page, as the API shows them."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator


class SatisfactionComment(BaseModel):
    order_id: int
    company: str = Field(description="Virksomhedens navn")
    score: int = Field(ge=1, le=5)
    comment: str
    answered_at: datetime


class SatisfactionMonth(BaseModel):
    month: str = Field(description="ÅÅÅÅ-MM (dansk tid)")
    sent: int = Field(description="Målinger sendt i måneden")
    answered: int = Field(description="Svar givet i måneden")
    satisfied: int = Field(description="Svar på 4 eller 5 givet i måneden")
    satisfied_share: float | None = Field(description="satisfied / answered; null uden svar")


class SatisfactionReport(BaseModel):
    period_from: date = Field(serialization_alias="from")
    period_to: date = Field(serialization_alias="to")
    sent: int = Field(description="Tilfredshedsmålinger sendt i perioden (én pr. afsluttet ordre med en kontaktperson "
                                  "med e-mail)")
    answered: int = Field(description="Svar givet i perioden (efter svardato; et svar der er ændret, tæller én gang, "
                                      "på datoen for det seneste svar)")
    response_rate: float | None = Field(description="Af målingerne sendt i perioden, andelen der er besvaret")
    satisfied_share: float | None = Field(description="Svar på 4 eller 5 / svar, efter svardato")
    by_score: dict[str, int] = Field(description="Svar i perioden pr. karakter \"1\"-\"5\"")
    by_month: list[SatisfactionMonth] = Field(description="Udviklingen måned for måned")
    comments: list[SatisfactionComment] = Field(description="Svar med kommentar i perioden, nyeste først")


class CompanyAnswer(BaseModel):
    order_id: int
    order_title: str
    closed_status: str
    sent_at: datetime
    score: int | None
    comment: str | None
    answered_at: datetime | None


class CompanySatisfaction(BaseModel):
    company_id: int
    sent: int
    answered: int
    satisfied_share: float | None
    items: list[CompanyAnswer] = Field(description="Virksomhedens målinger, nyeste først")


class SurveyPublic(BaseModel):
    """What the survey page shows the person holding the link."""

    question: str
    company_name: str
    order_title: str
    score: int | None
    comment: str | None
    answered_at: datetime | None
    expires_at: datetime
    choices: dict[str, str] = Field(description="Karakter -> tekst")


class SurveyAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=1, le=5, description="1 (meget utilfredse) til 5 (meget tilfredse)")
    comment: str | None = Field(default=None, max_length=2000,
                                description="Valgfri kommentar; udeladt beholdes kommentaren kun når karakteren er "
                                            "den samme som før")

    @field_validator("comment")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        return value or None
