"""What one installation keeps about its cooperation with other jobcentres.

Each municipality is its own data controller: nothing here is a shared database. The tables hold
the partners this installation trusts, the signed messages it has sent (an outbox, delivered by
crm's worker) and received (their ids, for idempotency), the orders partners shared with us, and
the proposals made across the border in either direction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.models_base import utcnow


class InstallationKey(SQLModel, table=True):
    """This installation's Ed25519 key pair (one row), made at first start.

    Kept in crm's own database rather than a file: every crm replica signs with the same key, and
    the key is backed up and restored with the records it vouches for. It never leaves the
    installation: only the public half is ever served or sent.
    """

    __tablename__ = "cooperation_key"

    id: int = Field(default=1, primary_key=True)
    private_key: str = Field(max_length=200)  # raw 32 bytes, base64
    public_key: str = Field(max_length=200)  # raw 32 bytes, base64
    created_at: datetime = Field(default_factory=utcnow)


class Partner(SQLModel, table=True):
    """A jobcentre this installation cooperates with. Removing one keeps the row (the figures and
    received records name it) and refuses its messages at once."""

    __tablename__ = "cooperation_partner"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    municipality_code: int = Field(index=True)
    base_url: str = Field(max_length=500)
    public_key: str = Field(max_length=200)
    created_by: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    removed_at: datetime | None = None


class OutgoingMessage(SQLModel, table=True):
    """A message to a partner, written in the transaction of the change it reports; crm's worker
    signs and delivers it (at send time, so the timestamp is fresh), retrying with backoff until
    the partner has it. The id travels with it, so a retry the partner already has changes nothing."""

    __tablename__ = "cooperation_outbox"

    id: str = Field(primary_key=True, max_length=36)
    partner_id: int = Field(foreign_key="cooperation_partner.id", index=True)
    type: str = Field(max_length=40)
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = Field(default=None, index=True)
    failed_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)


class ReceivedMessage(SQLModel, table=True):
    """The id of every message accepted from a partner: a replay is answered, never applied twice."""

    __tablename__ = "cooperation_inbox"

    id: str = Field(primary_key=True, max_length=36)
    partner_id: int = Field(foreign_key="cooperation_partner.id", index=True)
    type: str = Field(max_length=40)
    sent_at: datetime
    received_at: datetime = Field(default_factory=utcnow)


class SharedOrder(SQLModel, table=True):
    """One of our orders marked "del med rekrutteringssamarbejdet"."""

    __tablename__ = "cooperation_shared_order"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="recruitment_order.id", unique=True)
    shared_by: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    shared_at: datetime = Field(default_factory=utcnow)
    unshared_at: datetime | None = None


class ReceivedOrder(SQLModel, table=True):
    """An order a partner shared with us: what the message carried, nothing of the company's
    internal notes or its contact persons."""

    __tablename__ = "cooperation_received_order"
    __table_args__ = (UniqueConstraint("partner_id", "remote_order_id", name="uq_coop_received_order"),)

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="cooperation_partner.id", index=True)
    remote_order_id: int
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    scheme: str = Field(max_length=30)
    positions: int = 1
    hours_per_week: float | None = None
    postcode: str | None = Field(default=None, max_length=4)
    deadline: date | None = None
    status: str = Field(default="modtaget", max_length=20, index=True)
    contact: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class OutgoingProposal(SQLModel, table=True):
    """A job seeker of ours proposed to a partner's order. `pseudonym` is all the partner ever
    learns of them; `candidate_ref` goes (NULL) when the job seeker is erased here."""

    __tablename__ = "cooperation_outgoing_proposal"
    __table_args__ = (UniqueConstraint("received_order_id", "candidate_ref", name="uq_coop_outgoing_candidate"),)

    id: int | None = Field(default=None, primary_key=True)
    received_order_id: int = Field(foreign_key="cooperation_received_order.id", index=True)
    candidate_ref: str | None = Field(default=None, max_length=64, index=True)
    pseudonym: str = Field(max_length=40, unique=True)
    cv_summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(default="foreslaaet", max_length=20)
    decided_on: date | None = None
    proposed_on: date
    created_by: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    erased_at: datetime | None = None


class IncomingProposal(SQLModel, table=True):
    """A partner's job seeker proposed to one of our orders, known by the partner's pseudonym."""

    __tablename__ = "cooperation_incoming_proposal"
    __table_args__ = (UniqueConstraint("partner_id", "remote_proposal_id", name="uq_coop_incoming_proposal"),)

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="cooperation_partner.id", index=True)
    remote_proposal_id: int
    order_id: int = Field(foreign_key="recruitment_order.id", index=True)
    pseudonym: str = Field(max_length=40)
    cv_summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    # The partner's consultant to contact (an employee, not the job seeker).
    consultant: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    proposed_on: date
    status: str = Field(default="foreslaaet", max_length=20)
    decided_on: date | None = None
    placement_id: int | None = Field(default=None, foreign_key="placement.id", ondelete="SET NULL")
    received_at: datetime = Field(default_factory=utcnow)
    erased_at: datetime | None = None


class CandidateConsent(SQLModel, table=True):
    """Read model of matching's job seekers who consented to being proposed to other jobcentres
    (event `candidate.cooperation_consent`): only they can be proposed across, with the summary
    they agreed to share. A withdrawn consent or an erasure deletes the row."""

    __tablename__ = "cooperation_candidate_consent"

    candidate_ref: str = Field(primary_key=True, max_length=64)
    cv_summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
