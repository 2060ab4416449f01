"""The morning digest of overdue follow-ups, as facts for notifications to mail.

crm owns the tasks; notifications owns the mail. crm's morning round publishes one
`followup.digest` event per consultant with open follow-ups dated before today (their first 100,
oldest first, and how many there are in all); notifications makes one mail per consultant and
day of it (delivery key `digest:<user>:<date>`), so a round run twice mails nobody twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlmodel import Session, select

from services.crm.activities import queries
from services.crm.users.models import User
from shared.events import EventType, publish

DIGEST_TASKS = 100


def publish_overdue_digests(session: Session, day: date) -> int:
    rows = session.exec(queries.open_tasks(due_before=day - timedelta(days=1))).all()
    by_consultant: dict[int, list] = defaultdict(list)
    for row in rows:
        m = row._mapping
        if m["consultant_id"] is not None:
            by_consultant[m["consultant_id"]].append(m)
    users = {uid: (email, name) for uid, email, name in session.exec(
        select(User.id, User.email, User.full_name).where(User.id.in_(set(by_consultant)), User.is_active)).all()}
    published = 0
    for user_id, tasks in sorted(by_consultant.items()):
        email, name = users.get(user_id, (None, None))
        if not email:
            continue  # a deactivated login, or one without an address: nobody to write to
        publish(session, EventType.follow_up_digest, {
            "day": day.isoformat(), "consultant": {"id": user_id, "email": email, "name": name},
            "count": len(tasks),
            "tasks": [{"kind": t["kind"], "id": t["id"], "company_id": t["company_id"],
                       "company_name": t["company_name"], "follow_up_on": t["follow_up_on"].isoformat(),
                       "summary": ((t["summary"] or "").splitlines() or [""])[0][:160]}
                      for t in tasks[:DIGEST_TASKS]],
        })
        published += 1
    return published
