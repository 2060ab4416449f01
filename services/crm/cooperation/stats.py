"""The cooperation in figures, per partner and month (docs/cooperation.md, kpi-definitions.md):

- `orders_shared`: our orders sent to the partner (`order.shared` messages written in the month);
- `orders_received`: orders the partner shared with us, by the day they first arrived;
- `proposals_sent` / `proposals_received`: job seekers proposed across, by proposal day;
- `hires_received`: the partner's job seekers hired on our orders (counted in our fill rate,
  not local in our local share), by decision day;
- `hires_sent` ("formidlet til anden kommune"): our job seekers hired on the partner's orders.

Counted in SQL, grouped by partner, year and month.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import extract, func
from sqlmodel import Session, select

from services.crm.cooperation.models import (
    IncomingProposal,
    OutgoingMessage,
    OutgoingProposal,
    Partner,
    ReceivedOrder,
)
from services.crm.cooperation.service import ORDER_SHARED

FIGURES = ("orders_shared", "orders_received", "proposals_sent", "proposals_received", "hires_received", "hires_sent")
COLUMNS = ["partner", "municipality_code", "month", *FIGURES]


def _grouped(session: Session, partner_col, day_col, *where) -> list[tuple[int, int, int, int]]:
    y, m = extract("year", day_col), extract("month", day_col)
    stmt = select(partner_col, y, m, func.count()).where(*where).group_by(partner_col, y, m)
    return [(int(p), int(yy), int(mm), int(n)) for p, yy, mm, n in session.exec(stmt).all()]


def cooperation_stats(session: Session, from_: date | None, to: date | None) -> dict[str, Any]:
    today = date.today()
    from_ = from_ or date(today.year, 1, 1)
    to = to or today

    def between(col):
        return (col >= from_, col <= to) if col.type.python_type is date else (func.date(col) >= from_,
                                                                                  func.date(col) <= to)

    out: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))

    def add(figure: str, rows) -> None:
        for partner_id, year, month, n in rows:
            out[(partner_id, f"{year:04d}-{month:02d}")][figure] += n

    add("orders_shared", _grouped(session, OutgoingMessage.partner_id, OutgoingMessage.created_at,
                                  OutgoingMessage.type == ORDER_SHARED, *between(OutgoingMessage.created_at)))
    add("orders_received", _grouped(session, ReceivedOrder.partner_id, ReceivedOrder.received_at,
                                    *between(ReceivedOrder.received_at)))
    add("proposals_received", _grouped(session, IncomingProposal.partner_id, IncomingProposal.proposed_on,
                                       *between(IncomingProposal.proposed_on)))
    add("hires_received", _grouped(session, IncomingProposal.partner_id, IncomingProposal.decided_on,
                                   IncomingProposal.status == "ansat", *between(IncomingProposal.decided_on)))
    out_join = (select(ReceivedOrder.partner_id, OutgoingProposal.proposed_on, OutgoingProposal.decided_on,
                       OutgoingProposal.status)
                .join(ReceivedOrder, ReceivedOrder.id == OutgoingProposal.received_order_id).subquery())
    add("proposals_sent", _grouped(session, out_join.c.partner_id, out_join.c.proposed_on,
                                   out_join.c.proposed_on >= from_, out_join.c.proposed_on <= to))
    add("hires_sent", _grouped(session, out_join.c.partner_id, out_join.c.decided_on, out_join.c.status == "ansat",
                               out_join.c.decided_on >= from_, out_join.c.decided_on <= to))
    partners = {p.id: p for p in session.exec(select(Partner)).all()}
    rows = []
    for (partner_id, month), figures in sorted(out.items(), key=lambda kv: (partners[kv[0][0]].name, kv[0][1])):
        p = partners[partner_id]
        rows.append({"partner_id": p.id, "partner": p.name, "municipality_code": p.municipality_code,
                     "month": month, **figures})
    totals = {f: sum(r[f] for r in rows) for f in FIGURES}
    return {"from": from_, "to": to, "rows": rows, "totals": totals}
