"""Turning what a form sent into what an API takes, with Danish messages for what is missing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from starlette.datastructures import FormData

from services.web.rendering import TZ


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    return text(form, name) or None


def many(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


def values_of(form: FormData, multi: tuple[str, ...] = ()) -> dict:
    """What was typed, to put back in the form when it comes back with errors."""
    out: dict = {k: v for k, v in form.items() if k != "csrf_token" and k not in multi}
    for name in multi:
        out[name] = many(form, name)
    return out


def as_int(form: FormData, name: str, errors: dict[str, str], label: str, *, required: bool = False,
           minimum: int | None = None) -> int | None:
    raw = text(form, name)
    if not raw:
        if required:
            errors[name] = f"{label} skal udfyldes."
        return None
    try:
        value = int(raw)
    except ValueError:
        errors[name] = f"{label} skal være et helt tal."
        return None
    if minimum is not None and value < minimum:
        errors[name] = f"{label} skal være mindst {minimum}."
    return value


def as_float(form: FormData, name: str, errors: dict[str, str], label: str) -> float | None:
    raw = text(form, name).replace(",", ".")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        errors[name] = f"{label} skal være et tal, fx 37 eller 18,5."
        return None


def as_date(form: FormData, name: str, errors: dict[str, str], label: str, *, required: bool = False) -> str | None:
    raw = text(form, name)
    if not raw:
        if required:
            errors[name] = f"{label} skal udfyldes."
        return None
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        errors[name] = f"{label} skal være en dato (ÅÅÅÅ-MM-DD)."
        return None


def local_now_input() -> str:
    """The value of a datetime-local input for now, Danish time, to the minute."""
    return datetime.now(TZ).strftime("%Y-%m-%dT%H:%M")


def as_local_datetime(form: FormData, name: str, errors: dict[str, str], label: str) -> str | None:
    raw = text(form, name)
    if not raw:
        return datetime.now(TZ).isoformat(timespec="seconds")
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        errors[name] = f"{label} skal være dato og klokkeslæt."
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=TZ)
    return value.isoformat(timespec="seconds")


def quick_dates(today: date | None = None) -> list[tuple[str, str]]:
    """Follow-up shortcuts a consultant taps instead of picking a date."""
    today = today or datetime.now(TZ).date()
    return [
        ((today + timedelta(days=7)).isoformat(), "Om 1 uge"),
        ((today + timedelta(days=14)).isoformat(), "Om 2 uger"),
        ((today + timedelta(days=30)).isoformat(), "Om 1 måned"),
        ((today + timedelta(days=91)).isoformat(), "Om 3 måneder"),
    ]
