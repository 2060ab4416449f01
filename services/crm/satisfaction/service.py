"""Satisfaction surveys: one per closed recruitment order, answered from a signed link.

- `request_survey` runs inside the transaction that closes the order (lifecycle.set_status, so a
  consultant's click, a placement that fills the last position, the company's own cancellation
  and the daily expiry alike). The order's unique survey row and the `survey.requested` event
  commit with the new status or not at all; a second closing (after a reopening) finds the row
  and sends nothing.
- `answer` records a score (1-5) and an optional comment from the link; the latest answer wins.
- `report` (leder, admin) and `company_answers` (staff; a company user its own company only).
See docs/satisfaction.md.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from services.crm import events
from services.crm.access import ensure_company_visible
from services.crm.companies.models import Company, Contact
from services.crm.deps import SERVICE
from services.crm.kpi.service import local_midnight_utc, period, share
from services.crm.orders.models import Order
from services.crm.satisfaction import queries, tokens
from services.crm.satisfaction.models import SatisfactionSurvey
from services.crm.satisfaction.schemas import (
    CompanyAnswer,
    CompanySatisfaction,
    SatisfactionComment,
    SatisfactionMonth,
    SatisfactionReport,
    SurveyAnswer,
    SurveyPublic,
)
from shared import audit
from shared.auth import Principal
from shared.errors import DomainError, NotFound
from shared.glossary import SATISFACTION_QUESTION, SATISFACTION_SCORE_LABELS, SATISFIED_SCORES
from shared.models_base import utcnow
from shared.settings import get_settings


class Gone(DomainError):
    status_code = 410


UNKNOWN_LINK = "Linket til tilfredshedsmålingen er ikke gyldigt. Brug linket fra e-mailen, eller kontakt jobcentret."
EXPIRED_LINK = "Linket til tilfredshedsmålingen er udløbet (det gælder i {days} dage). Tak for jeres interesse."


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# -- sending -------------------------------------------------------------------------------------

def request_survey(session: Session, order: Order) -> SatisfactionSurvey | None:
    """Create the order's survey and its `survey.requested` event, in the caller's transaction.

    Nothing when the order has no ordering contact with an e-mail address (nobody to ask), or
    when the order already had its survey.
    """
    if order.contact_id is None:
        return None
    contact = session.get(Contact, order.contact_id)
    if contact is None or not (contact.email or "").strip():
        return None
    if queries.survey_of_order(session, order.id) is not None:
        return None
    now = utcnow()
    survey = SatisfactionSurvey(order_id=order.id, company_id=order.company_id, contact_id=contact.id,
                                closed_status=order.status, sent_at=now,
                                expires_at=now + timedelta(days=get_settings().survey_link_days))
    # No savepoint here: the callers hold the order's row lock (SQLite: the write lock), so two
    # closings of one order are serialised; the unique order id is the backstop. (A savepoint
    # would also fire the session's after-commit event push inside the open transaction.)
    session.add(survey)
    session.flush()
    token = tokens.make_token(survey.id, order.id, contact.id)
    events.publish_survey_requested(session, survey, order, contact, token)
    return survey


# -- answering (public, the link is the authorisation) ------------------------------------------

def _survey_for(session: Session, token: str, *, lock: bool = False) -> SatisfactionSurvey:
    try:
        claim = tokens.read_token(token)
    except tokens.ExpiredToken as exc:
        raise Gone(EXPIRED_LINK.format(days=get_settings().survey_link_days), field="token") from exc
    except tokens.BadToken as exc:
        raise NotFound(UNKNOWN_LINK, field="token") from exc
    survey = queries.locked(session, claim.survey_id) if lock else session.get(SatisfactionSurvey, claim.survey_id)
    # Bound to the order and the contact: an erased contact's link answers nothing.
    if survey is None or survey.order_id != claim.order_id or survey.contact_id != claim.contact_id:
        raise NotFound(UNKNOWN_LINK, field="token")
    if _aware(survey.expires_at) < utcnow():
        raise Gone(EXPIRED_LINK.format(days=get_settings().survey_link_days), field="token")
    return survey


def _public(session: Session, survey: SatisfactionSurvey) -> SurveyPublic:
    order = session.get(Order, survey.order_id)
    company = session.get(Company, survey.company_id)
    return SurveyPublic(question=SATISFACTION_QUESTION, company_name=company.name if company else "",
                        order_title=order.title if order else "", score=survey.score, comment=survey.comment,
                        answered_at=survey.answered_at, expires_at=survey.expires_at,
                        choices={str(k): v for k, v in sorted(SATISFACTION_SCORE_LABELS.items())})


def read_survey(session: Session, token: str) -> SurveyPublic:
    return _public(session, _survey_for(session, token))


def answer(session: Session, token: str, data: SurveyAnswer) -> SurveyPublic:
    """Record the answer; answering again replaces it. A comment is part of the answer it was given
    with: a new score without a comment drops the old comment, the same score keeps it."""
    survey = _survey_for(session, token, lock=True)
    if "comment" in data.model_fields_set:
        survey.comment = data.comment
    elif survey.score != data.score:
        survey.comment = None
    survey.score = data.score
    survey.answered_at = utcnow()
    survey.answers += 1
    session.add(survey)
    session.commit()
    session.refresh(survey)
    return _public(session, survey)


# -- figures -------------------------------------------------------------------------------------

def _local_month(at: datetime) -> str:
    return _aware(at).astimezone(ZoneInfo(get_settings().jobbro_timezone)).strftime("%Y-%m")


def _months(start: date, end: date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def report(session: Session, principal: Principal, start: date | None, end: date | None) -> SatisfactionReport:
    """The period's surveys: sent by sending date, answers by answer date (Danish days)."""
    start, end = period(start, end)
    lo, hi = local_midnight_utc(start), local_midnight_utc(end + timedelta(days=1))
    sent = queries.sent_between(session, lo, hi)
    answers = queries.answered_between(session, lo, hi)
    months = {m: {"sent": 0, "answered": 0, "satisfied": 0} for m in _months(start, end)}
    for sent_at, _ in sent:
        months.setdefault(_local_month(sent_at), {"sent": 0, "answered": 0, "satisfied": 0})["sent"] += 1
    by_score = {str(k): 0 for k in range(1, 6)}
    satisfied = 0
    for _, _, _, score, _, answered_at in answers:
        by_score[str(score)] += 1
        month = months.setdefault(_local_month(answered_at), {"sent": 0, "answered": 0, "satisfied": 0})
        month["answered"] += 1
        if score in SATISFIED_SCORES:
            satisfied += 1
            month["satisfied"] += 1
    comments = [SatisfactionComment(order_id=order_id, company=company, score=score, comment=comment,
                                    answered_at=answered_at)
                for _, order_id, company, score, comment, answered_at in answers if comment]
    if comments:
        # The comments are the contacts' own words (personal data): who read them is logged.
        audit.record(session, principal, SERVICE, "read", "satisfaction_comment", None,
                     {"survey_ids": [a[0] for a in answers if a[4]]})
        session.commit()
    return SatisfactionReport(
        period_from=start, period_to=end, sent=len(sent), answered=len(answers),
        response_rate=share(sum(1 for _, answered in sent if answered), len(sent)),
        satisfied_share=share(satisfied, len(answers)), by_score=by_score,
        by_month=[SatisfactionMonth(month=m, **v, satisfied_share=share(v["satisfied"], v["answered"]))
                  for m, v in sorted(months.items())],
        comments=comments,
    )


def report_csv_rows(r: SatisfactionReport) -> list[dict]:
    """One row per month and a total row: the figures, not the comments (personal data)."""
    rows = [{"month": m.month, "sent": m.sent, "answered": m.answered, "satisfied": m.satisfied,
             "satisfied_share": _fmt_share(m.satisfied_share)} for m in r.by_month]
    rows.append({"month": "i alt", "sent": r.sent, "answered": r.answered,
                 "satisfied": sum(m.satisfied for m in r.by_month), "satisfied_share": _fmt_share(r.satisfied_share),
                 "response_rate": _fmt_share(r.response_rate), **{f"score_{k}": v for k, v in r.by_score.items()}})
    return rows


REPORT_CSV_COLUMNS = ["month", "sent", "answered", "satisfied", "satisfied_share", "response_rate",
                      "score_1", "score_2", "score_3", "score_4", "score_5"]


def _fmt_share(value: float | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def company_answers(session: Session, principal: Principal, company_id: int, limit: int = 50) -> CompanySatisfaction:
    ensure_company_visible(principal, company_id)
    if session.get(Company, company_id) is None:
        raise NotFound(f"Virksomhed {company_id} findes ikke.")
    sent, answered, satisfied = queries.company_totals(session, company_id)
    items = [CompanyAnswer(order_id=s.order_id, order_title=title, closed_status=s.closed_status, sent_at=s.sent_at,
                           score=s.score, comment=s.comment, answered_at=s.answered_at)
             for s, title in queries.of_company(session, company_id, limit)]
    if any(i.comment for i in items):
        audit.record(session, principal, SERVICE, "read", "satisfaction_comment", None,
                     {"company_id": company_id, "order_ids": [i.order_id for i in items if i.comment]})
        session.commit()
    return CompanySatisfaction(company_id=company_id, sent=sent, answered=answered,
                               satisfied_share=share(satisfied, answered), items=items)


# -- personal data -------------------------------------------------------------------------------

def surveys_of_contact(session: Session, contact_id: int) -> list[SatisfactionSurvey]:
    """The contact's surveys, for their access request (privacy/service.py)."""
    return queries.of_contact(session, contact_id)


def forget_contact(session: Session, contact_id: int) -> int:
    """Erasure of a contact (privacy/service.py), in the caller's transaction: their comments go
    and their answers are no longer linked to them; the scores stay as anonymous figures."""
    return queries.forget_contact(session, contact_id)
