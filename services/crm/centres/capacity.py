"""Whether a centre has a free place: used by reservations and by changes to a centre's placements."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from services.crm.centres import occupancy, queries
from services.crm.centres.models import CentreAgreement
from shared.errors import Conflict, Invalid
from shared.glossary import SCHEME_LABELS, Scheme


def label(scheme: str) -> str:
    return SCHEME_LABELS.get(Scheme(scheme), scheme)


def period(start: date, end: date | None) -> str:
    return f"{start.isoformat()} – {end.isoformat() if end else 'uden slutdato'}"


def check_free(session: Session, agreement: CentreAgreement, scheme: str, start: date, end: date | None,
               exclude_id: int | None = None) -> None:
    """409 unless a place in `scheme` is free on every day of start..end (the agreement locked)."""
    places = queries.places_of(session, [agreement.id]).get(agreement.id, {})
    if scheme not in places:
        offered = ", ".join(label(s).lower() for s in sorted(places)) or "ingen ordninger"
        raise Invalid(f"{agreement.name} har ingen faste pladser til {label(scheme).lower()} (kun {offered}).",
                      field="scheme")
    if start < agreement.starts_on or (agreement.ends_on is not None and (end is None or end > agreement.ends_on)):
        raise Invalid(f"Perioden {period(start, end)} ligger uden for aftalens periode "
                      f"{period(agreement.starts_on, agreement.ends_on)}.", field="starts_on")
    rows = queries.occupying(session, [agreement.id], start, end, scheme=scheme, exclude_id=exclude_id)
    peak = occupancy.peak(rows, start, end)
    if peak >= places[scheme]:
        # The first day every place is taken, and when one comes free after it.
        days = sorted({start} | {p.starts_on for p in rows if p.starts_on > start})
        full_on = next(d for d in days if occupancy.count_on(rows, d) >= places[scheme])
        ends = [p.ends_on for p in rows if occupancy.runs_on(p, full_on) and p.ends_on is not None]
        hint = f" Den første plads bliver ledig {(min(ends) + timedelta(days=1)).isoformat()}." if ends else ""
        raise Conflict(
            f"Der er ingen ledig plads til {label(scheme).lower()} i {agreement.name} i perioden "
            f"{period(start, end)}: alle {places[scheme]} pladser er optaget den {full_on.isoformat()}.{hint}",
            field="starts_on", figures={"pladser": places[scheme], "optaget": peak, "fuldt_den": full_on.isoformat()})
