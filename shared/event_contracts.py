"""The contract of every domain event: a versioned JSON Schema (draft 2020-12) per event type.

`VERSION[type]` is the version a producer publishes today; `schema_for(type, version)` gives the
schema; `validate(type, payload)` checks a payload against it (raises `ContractViolation`).
docs/events.md describes the envelope, every type, who produces and who consumes it, and the
versioning rules: an additive change (a new optional meaning, a new field) keeps the version and
edits the schema here; a breaking change (a field renamed, dropped, retyped or given a new meaning)
is a new version, published alongside the old one until every consumer has moved.

The schemas are closed (`additionalProperties: false`) so the producer's tests catch a field that
is not in the contract, personal data above all; consumers must ignore fields they do not know.

`python -m shared.event_contracts DIR` writes them as `DIR/<type>.v<version>.json` for other
tools. Validation needs `jsonschema` (in the `test` extras): producers and consumers do not
validate at run time; their tests do.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shared.glossary import (
    FINAL_ORDER_STATUSES,
    CampaignKind,
    ConsentMethod,
    FollowUpKind,
    OrderStatus,
    Outcome,
    ReceivedVia,
    Scheme,
    Sector,
    TargetGroup,
)

Schema = dict[str, Any]


class ContractViolation(ValueError):
    """A payload that does not follow its event type's schema."""

    def __init__(self, type_: str, version: int, errors: list[str]):
        self.type = type_
        self.version = version
        self.errors = errors
        super().__init__(f"{type_} v{version}: " + "; ".join(errors))


# -- building blocks ---------------------------------------------------------------------------------

def _values(enum) -> list[str]:
    return [e.value for e in enum]


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


class optional(dict):
    """Marks a property that may be left out (the exception: most are required, nullable or not)."""


def obj(properties: dict[str, Schema], description: str | None = None) -> Schema:
    """A closed object whose properties are required unless marked `optional` (nullable ones say
    so in their type)."""
    out: Schema = {"type": "object", "properties": {k: dict(v) for k, v in properties.items()},
                   "required": [k for k, v in properties.items() if not isinstance(v, optional)],
                   "additionalProperties": False}
    if description:
        out["description"] = description
    return out


def changed(fields: list[str]) -> Schema:
    return {"type": "array", "items": {"enum": fields}, "minItems": 1, "uniqueItems": True,
            "description": "the fields whose value changed in this change"}


ID: Schema = {"type": "integer", "minimum": 1}
DATE: Schema = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
DATETIME: Schema = {"type": "string", "format": "date-time",
                    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"}
TEXT: Schema = {"type": "string", "minLength": 1}
EMAIL: Schema = {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+$"}
POSTCODE: Schema = {"type": "string", "pattern": r"^\d{4}$"}
CVR: Schema = {"type": "string", "pattern": r"^\d{8}$"}
INDUSTRY_CODE: Schema = {"type": "string", "pattern": r"^\d{2,6}$"}
SCHEME: Schema = {"enum": _values(Scheme)}
SECTOR: Schema = {"enum": _values(Sector)}
ORDER_STATUS: Schema = {"enum": _values(OrderStatus)}
SDG_GOALS: Schema = {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 17}, "uniqueItems": True}
# Where a consent change came from: how consent was given (the consent methods), or who withdrew it.
CONSENT_SOURCES = _values(ConsentMethod) + ["afmelding", "medarbejder"]

COMPANY_REF = obj({
    "id": ID, "name": TEXT, "cvr": CVR, "postcode": POSTCODE, "sector": SECTOR,
    "industry_code": nullable(INDUSTRY_CODE),
}, "the company, as a vacancy or a receipt shows it")
USER_REF = obj({"id": ID, "name": {"type": "string"}, "email": EMAIL},
               "a jobcentre employee (an active user), for the mails that go to them")
CONTACT_REF = obj({"id": ID, "name": TEXT, "email": nullable(EMAIL)}, "a contact person at the company")
RECEIPT_CONTACT = obj({"id": ID, "name": TEXT, "email": EMAIL})
ERASURE_ID = optional({"type": "string", "minLength": 1, "maxLength": 36,
                       "description": "the owner's erasure request, which holders of a copy confirm (person.erased)"})

# -- orders ------------------------------------------------------------------------------------------

ORDER_FIELDS: dict[str, Schema] = {
    "order_id": ID,
    "company_id": ID,
    "company_name": TEXT,
    "company": COMPANY_REF,
    "title": TEXT,
    "description": {"type": "string"},
    "scheme": SCHEME,
    "positions": {"type": "integer", "minimum": 1},
    "positions_filled": {"type": "integer", "minimum": 0},
    "hours_per_week": nullable({"type": "number", "minimum": 0}),
    "postcode": POSTCODE,
    "deadline": nullable(DATE),
    "received_via": {"enum": _values(ReceivedVia)},
    "received_on": DATE,
    "status": ORDER_STATUS,
    "consultant_id": nullable(ID),
    "consultant": nullable(USER_REF),
    "contact": nullable(CONTACT_REF),
}
ORDER_CHANGEABLE = ["title", "description", "scheme", "positions", "positions_filled", "hours_per_week", "postcode",
                    "deadline", "received_on", "received_via", "consultant_id", "contact"]

# -- companies and contacts --------------------------------------------------------------------------

COMPANY_FIELDS: dict[str, Schema] = {
    "company_id": ID,
    "cvr": CVR,
    "name": TEXT,
    "sector": SECTOR,
    "industry_code": nullable(INDUSTRY_CODE),
    "postcode": POSTCODE,
    "employees": nullable({"type": "integer", "minimum": 0}),
    "municipality_code": nullable({"type": "integer"}),
    "consultant": nullable(USER_REF),
}
COMPANY_CHANGEABLE = ["cvr", "name", "sector", "industry_code", "postcode", "employees", "municipality_code",
                      "consultant"]

CONTACT_FIELDS: dict[str, Schema] = {
    "contact_id": ID,
    "company_id": ID,
    "name": TEXT,
    "email": nullable(EMAIL),
    "title": nullable({"type": "string"}),
    "newsletter_consent": {"type": "boolean"},
}
CONTACT_CHANGEABLE = ["company_id", "name", "email", "title"]

# -- agreements, campaigns, placements, follow-ups ---------------------------------------------------

AGREEMENT_FIELDS: dict[str, Schema] = {
    "partnership_id": ID,
    "company_id": ID,
    "signed_on": DATE,
    "ends_on": nullable(DATE),
    "sdg_goals": SDG_GOALS,
    "renews_id": nullable(ID),
}

CAMPAIGN_FIELDS: dict[str, Schema] = {
    "campaign_id": ID,
    "name": TEXT,
    "kind": {"enum": _values(CampaignKind)},
    "starts_on": DATE,
    "ends_on": nullable(DATE),
}

PLACEMENT_FIELDS: dict[str, Schema] = {
    "placement_id": ID,
    "company_id": ID,
    "order_id": nullable(ID),
    "scheme": SCHEME,
    "starts_on": DATE,
    "ends_on": nullable(DATE),
    "outcome": nullable({"enum": _values(Outcome)}),
}

FOLLOWUP_FIELDS: dict[str, Schema] = {
    "key": {"type": "string", "pattern": r"^(aktivitet|kampagne):\d+:\d{4}-\d{2}-\d{2}$"},
    "kind": {"enum": _values(FollowUpKind)},
    "id": ID,
    "company_id": ID,
    "company_name": TEXT,
    "consultant_id": nullable(ID),
    "consultant_email": nullable(EMAIL),
    "consultant_name": nullable({"type": "string"}),
    "follow_up_on": DATE,
    "summary": nullable({"type": "string"}),
    "campaign_id": nullable(ID),
}

# -- the contracts -----------------------------------------------------------------------------------

# type -> (producer, description, fields) of version 1.
_V1: dict[str, tuple[str, str, dict[str, Schema]]] = {
    "order.received": ("crm", "A recruitment order was created (any channel).", {
        **ORDER_FIELDS,
        "receipt_contacts": {"type": "array", "items": RECEIPT_CONTACT, "description": (
            "who the company's receipt goes to: the orderer when they have an e-mail address, "
            "otherwise every contact of the company that has one (by id)")},
    }),
    "order.changed": ("crm", "A field of an order other than its status changed.", {
        **ORDER_FIELDS, "changed": changed(ORDER_CHANGEABLE),
    }),
    "order.status_changed": ("crm", "An order's status changed, by hand or automatically.", {
        **ORDER_FIELDS,
        "old_status": ORDER_STATUS,
        "new_status": ORDER_STATUS,
        "automatic": {"type": "boolean", "description": "moved by a proposal, by placements or by the deadline"},
        "reason": nullable({"type": "string"}),
    }),
    "company.created": ("crm", "A company was created (form or import).", COMPANY_FIELDS),
    "company.changed": ("crm", "A field of a company in the payload changed.", {
        **COMPANY_FIELDS, "changed": changed(COMPANY_CHANGEABLE),
    }),
    "company.deleted": ("crm", "A company without history was deleted; its contacts went with it.", {"company_id": ID}),
    "contact.created": ("crm", "A contact person was created (form or import).", CONTACT_FIELDS),
    "contact.changed": ("crm", "A contact's name, e-mail address, title or company changed.", {
        **CONTACT_FIELDS, "changed": changed(CONTACT_CHANGEABLE),
    }),
    "contact.consent_changed": ("crm", "A contact's newsletter consent was given or withdrawn.", {
        **CONTACT_FIELDS,
        "changed_at": DATETIME,
        "source": {"enum": CONSENT_SOURCES, "description": (
            "given: the consent method; withdrawn: afmelding (unsubscribe link), medarbejder (jobcentre staff), "
            "portal (the company's own user) or import")},
    }),
    "contact.erased": ("crm", "A contact person was erased (GDPR art. 17 or retention).", {
        "contact_id": ID, "company_id": ID, "erasure_id": ERASURE_ID,
        "owner": optional({"const": "crm", "description": "with erasure_id: whom person.erased confirms to"}),
    }),
    "contact.unsubscribed": ("notifications", "A contact used the one-click unsubscribe link of a mail (published by notifications).", {
        "contact_id": ID,
        "company_id": {**nullable(ID), "description": "null when notifications did not know the contact yet"},
        "delivery_id": {"type": "integer", "minimum": 0, "description": "the mail whose link was used"},
        "via": {"type": "string", "minLength": 1, "maxLength": 40, "description": "e.g. one-click, link"},
        "unsubscribed_at": DATETIME,
    }),
    "agreement.signed": ("crm", "A partnership agreement (or a renewal) was signed.", AGREEMENT_FIELDS),
    "agreement.changed": ("crm", "An agreement's dates or goals changed (also: ended early by a renewal).", {
        **AGREEMENT_FIELDS, "changed": changed(["signed_on", "ends_on", "sdg_goals"]),
    }),
    "agreement.deleted": ("crm", "An agreement was deleted.", {"partnership_id": ID, "company_id": ID}),
    "campaign.created": ("crm", "A campaign was created; its target list is materialised from the segment.", {
        **CAMPAIGN_FIELDS,
        "company_ids": {"type": "array", "items": ID, "uniqueItems": True,
                        "description": "the companies on the target list"},
    }),
    "campaign.changed": ("crm", "A campaign's name, kind or dates changed.", {
        **CAMPAIGN_FIELDS, "changed": changed(["name", "kind", "starts_on", "ends_on"]),
    }),
    "campaign.deleted": ("crm", "A campaign (with its target list) was deleted.", {"campaign_id": ID}),
    "campaign.target_added": ("crm", "A company was put on a campaign's target list by hand.", {
        "campaign_id": ID, "company_id": ID,
    }),
    "placement.started": ("crm", "A placement was created.", PLACEMENT_FIELDS),
    "placement.ended": ("crm", "A placement got (or changed) its end date or final outcome.", PLACEMENT_FIELDS),
    "candidate.erased": ("matching", "A job seeker was erased where they are owned; holders of copies erase theirs.", {
        "erasure_id": {"type": "string", "minLength": 1, "maxLength": 36},
        "owner": {"type": "string", "minLength": 1},
        "candidate_ref": {"type": "string", "minLength": 1, "maxLength": 64},
        "reason": nullable({"type": "string"}),
        "requested_by": nullable(obj({"id": ID, "email": {"type": "string"}, "role": {"type": "string"}})),
    }),
    "person.erased": ("crm, notifications", "A service erased its copy of a person: a confirmation to the owner.", {
        "erasure_id": {"type": "string", "minLength": 1, "maxLength": 36},
        "owner": {"type": "string", "minLength": 1, "description": "the service that started the erasure"},
        "service": {"type": "string", "minLength": 1, "description": "the service confirming"},
        "subject": {"enum": ["contact", "candidate"]},
        "counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0},
                   "description": "rows erased or pseudonymised, by kind"},
    }),
    "followup.due": ("crm", "A follow-up (activity or campaign target) comes due today.", FOLLOWUP_FIELDS),
    "followup.digest": ("crm", "A consultant's open follow-ups dated before today, for the morning digest.", {
        "day": DATE,
        "consultant": USER_REF,
        "count": {"type": "integer", "minimum": 1, "description": "every overdue follow-up, not only those listed"},
        "tasks": {"type": "array", "maxItems": 100, "description": "the oldest first, at most 100", "items": obj({
            "kind": {"enum": _values(FollowUpKind)},
            "id": ID,
            "company_id": ID,
            "company_name": TEXT,
            "follow_up_on": DATE,
            "summary": {"type": "string", "maxLength": 160, "description": "the first line of the summary"},
        })},
    }),
    # Issue 14 part 2: company centres (services/crm/centres); matching keeps a standing vacancy per
    # centre and scheme while places are free.
    "centre.places_changed": ("crm", "A company centre's agreement or the occupation of its fixed places changed "
                              "(also daily: places come free as placements end).", {
        "centre_id": ID,
        "company_id": ID,
        "company": COMPANY_REF,
        "name": TEXT,
        "title": {**TEXT, "description": "the work the places offer, ranked against like an order's title"},
        "description": {"type": "string"},
        "postcode": POSTCODE,
        "starts_on": DATE,
        "ends_on": nullable(DATE),
        "target_groups": {"type": "array", "items": {"enum": _values(TargetGroup)}, "uniqueItems": True,
                          "description": "the groups the centre takes; empty: every group"},
        "active": {"type": "boolean", "description": "false when the agreement ended or was deleted"},
        "as_of": {**DATE, "description": "the day `free` was counted on"},
        "places": {"type": "array", "items": obj({
            "scheme": SCHEME,
            "places": {"type": "integer", "minimum": 1},
            "free": {"type": "integer", "minimum": 0, "description": "not occupied on `as_of`"},
        }), "description": "per scheme; empty when the agreement was deleted"},
    }),
    # Issue 14 part 1 (docs/satisfaction.md).
    "survey.requested": ("crm", "A recruitment order closed: its ordering contact is asked how satisfied the company "
                                "is, once per order.", {
        "survey_id": ID,
        "order_id": ID,
        "company_id": ID,
        "company_name": TEXT,
        "order_title": TEXT,
        "closed_status": {"enum": [s.value for s in FINAL_ORDER_STATUSES]},
        "contact": {**nullable(CONTACT_REF), "description": (
            "who is asked: the order's contact person (null once they were erased, in the outbox)")},
        "token": {"type": "string", "minLength": 10, "maxLength": 400, "description": (
            "the signed survey token; the answer links are <web>/tilfredshed/<token>/<1-5>")},
        "expires_at": {**DATETIME, "description": "when the links stop answering"},
    }),
    "ranking.action": ("crm", "A consultant shortlisted or proposed a candidate for an order, or a proposal was "
                       "decided (hired, rejected): matching appends it to the ranking record it came from.", {
        "order_id": ID,
        "candidate_ref": {"type": "string", "minLength": 1, "maxLength": 64},
        "action": {"enum": ["kortliste", "foreslaaet", "ansat", "afvist"]},
        "ranking_record_id": {**nullable(ID), "description": (
            "the ranking the consultant acted from (matching's record id, sent by the order page); null for a "
            "decision, which joins the record its proposal came from")},
        "reason": {**nullable({"type": "string", "maxLength": 500}), "description": (
            "the consultant's reason for proposing a candidate outside the ranking's top-N")},
        "user_id": nullable(ID),
        "acted_at": DATETIME,
    }),
}

# Issue 15: the recruitment cooperation across municipal borders (docs/cooperation.md). Between
# installations messages are signed HTTP calls, not events; these two stay inside one installation.
_V1.update({
    "cooperation.order_received": ("crm", "A partner jobcentre shared an order with this one, changed or closed it; "
                                   "matching keeps a vacancy for it, ranked among consenting job seekers only.", {
        "shared_order_id": {**ID, "description": "crm's record of the received order (not an order id)"},
        "partner": obj({"id": ID, "name": TEXT, "municipality_code": {"type": "integer"}}),
        "title": TEXT,
        "description": {"type": "string"},
        "scheme": SCHEME,
        "hours_per_week": nullable({"type": "number", "minimum": 0}),
        "postcode": nullable(POSTCODE),
        "deadline": nullable(DATE),
        "status": {"type": "string", "minLength": 1, "description": "the order's status at the ordering jobcentre"},
    }),
    "candidate.cooperation_consent": ("matching", "A job seeker's consent to being proposed to other jobcentres was "
                                      "given, changed or withdrawn; crm proposes across only those who consented.", {
        "candidate_ref": {"type": "string", "minLength": 1, "maxLength": 64},
        "consent": {"type": "boolean"},
        "cv_summary": {"type": "string", "description": "what the job seeker agreed to share; empty without consent"},
        "changed_at": DATETIME,
    }),
})


def _schema(type_: str, version: int, description: str, fields: dict[str, Schema]) -> Schema:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:jobbro:event:{type_}:v{version}",
        "title": f"{type_} v{version}",
        "description": description,
        **obj(fields),
    }


SCHEMAS: dict[tuple[str, int], Schema] = {
    (type_, 1): _schema(type_, 1, description, fields) for type_, (_, description, fields) in _V1.items()
}
# The service that publishes each type (docs/events.md lists the consumers).
PRODUCER: dict[str, str] = {type_: producer for type_, (producer, _, _) in _V1.items()}
VERSION: dict[str, int] = {type_: max(v for t, v in SCHEMAS if t == type_) for type_, _ in SCHEMAS}


def schema_for(type_: str, version: int | None = None) -> Schema:
    """The schema of `type_` at `version` (default: the version producers publish now)."""
    type_ = str(type_)
    if type_ not in VERSION:
        raise KeyError(f"no contract for event type {type_!r}")
    version = VERSION[type_] if version is None else version
    try:
        return SCHEMAS[(type_, version)]
    except KeyError:
        raise KeyError(f"{type_} has no version {version} (versions: "
                       f"{sorted(v for t, v in SCHEMAS if t == type_)})") from None


def validate(type_: str, payload: Any, version: int | None = None) -> None:
    """Raise `ContractViolation` listing every way `payload` breaks the schema; None when it fits."""
    from jsonschema import Draft202012Validator

    version = VERSION.get(str(type_), 1) if version is None else version
    schema = schema_for(type_, version)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path))
    if errors:
        raise ContractViolation(str(type_), version, [
            f"{'/'.join(map(str, e.absolute_path)) or '(payload)'}: {e.message}" for e in errors])


def write_files(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for (type_, version), schema in sorted(SCHEMAS.items()):
        path = directory / f"{type_}.v{version}.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        out.append(path)
    return out


if __name__ == "__main__":  # python -m shared.event_contracts DIR
    if len(sys.argv) != 2:
        sys.exit("usage: python -m shared.event_contracts DIR")
    for p in write_files(Path(sys.argv[1])):
        print(p)
