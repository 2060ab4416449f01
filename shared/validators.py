"""Validators for Danish identifiers and codes, with messages users understand."""

from __future__ import annotations

import re

from stdnum.dk import cvr as stdnum_cvr
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError


def clean_cvr(value: str) -> str:
    raw = str(value).strip()
    try:
        return stdnum_cvr.validate(raw)
    except InvalidLength as exc:
        raise ValueError(f"CVR-nummeret '{raw}' skal have 8 cifre") from exc
    except InvalidFormat as exc:
        raise ValueError(f"CVR-nummeret '{raw}' må kun indeholde cifre og kan ikke starte med 0") from exc
    except InvalidChecksum as exc:
        raise ValueError(f"CVR-nummeret '{raw}' er ikke gyldigt (kontrolcifferet passer ikke)") from exc
    except ValidationError as exc:
        raise ValueError(f"CVR-nummeret '{raw}' er ugyldigt") from exc


_P_NUMBER = re.compile(r"^\d{10}$")


def clean_p_number(value: str) -> str:
    # No checksum: a series of P-numbers was issued with wrong weights (domain-rules.md).
    raw = re.sub(r"\s", "", str(value))
    if not _P_NUMBER.match(raw):
        raise ValueError(f"P-nummeret '{value}' skal have 10 cifre")
    return raw


_POSTCODE = re.compile(r"^\d{4}$")


def clean_postcode(value: str) -> str:
    raw = str(value).strip()
    if not _POSTCODE.match(raw) or int(raw) < 555:
        raise ValueError(f"Postnummeret '{value}' skal være et dansk postnummer med 4 cifre")
    return raw


def clean_municipality_code(value: int | None) -> int | None:
    if value is None:
        return None
    if not 101 <= int(value) <= 860:
        raise ValueError(f"Kommunekoden {value} findes ikke (gyldige koder er 101-860)")
    return int(value)


# A CPR number is 10 digits, often written DDMMYY-XXXX; it must never reach Jobbro's tables
# (Databeskyttelsesloven § 11), so a reference that contains one is refused outright.
_CPR_LIKE = re.compile(r"(?<!\d)\d{6}[- ]?\d{4}(?!\d)")


def clean_candidate_ref(value: str) -> str:
    raw = str(value).strip()
    if not raw:
        raise ValueError("Kandidatreferencen skal udfyldes")
    if _CPR_LIKE.search(raw):
        raise ValueError("CPR-numre må ikke gemmes: brug kandidatens pseudonyme reference fra sagssystemet")
    return raw


def has_cpr_like(text: str) -> bool:
    """Whether free text holds something written like a CPR number (job ads refuse it: they are public)."""
    return bool(_CPR_LIKE.search(text))
