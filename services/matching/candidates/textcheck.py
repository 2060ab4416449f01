"""Checks on free CV/vacancy text and extraction from uploaded files."""

from __future__ import annotations

import io
import re

from services.matching.esco.text import STOPWORDS, words
from shared.errors import Invalid

MAX_TEXT_CHARS = 100_000
MIN_TEXT_CHARS = 20
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_CPR = re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])\d{2}-?\d{4}(?!\d)")
_ENGLISH = frozenset("the and of to in for with is are have has was were my i you your work experience".split())


def looks_like_cpr(value: str) -> bool:
    return bool(_CPR.search(value or ""))


def clean_text(text: str, field: str) -> str:
    text = (text or "").replace("\x00", "").strip()
    if len(text) > MAX_TEXT_CHARS:
        raise Invalid(f"{field} er for lang: {len(text):,} tegn, højst {MAX_TEXT_CHARS:,}.".replace(",", "."), field=field)
    if len(text) < MIN_TEXT_CHARS:
        raise Invalid(f"{field} skal indeholde mindst {MIN_TEXT_CHARS} tegn tekst.", field=field)
    return text


def language_warning(text: str) -> str | None:
    """A warning when the text does not look Danish: recognition reads Danish labels only."""
    ws = words(text)
    if len(ws) < 8:
        return None
    da = sum(w in STOPWORDS for w in ws) + sum(any(c in w for c in "æøå") for w in ws)
    en = sum(w in _ENGLISH for w in ws)
    if da < 0.05 * len(ws) or en > 1.5 * da:
        return ("Teksten ser ikke ud til at være på dansk. Kompetencer og stillinger genkendes kun ud fra danske "
                "ord, så matchet bygger mest på tekstligheden.")
    return None


def detect_language(text: str) -> str | None:
    """The CV's language as an ISO 639-1 code, by py3langid (a naive Bayes model over byte n-grams
    trained on 97 languages, shipped inside the wheel), or None for a text too short to tell.
    Danish, Norwegian and Swedish are close: a short Norwegian CV may come out as Danish."""
    if len(words(text or "")) < 5:
        return None
    import py3langid

    code, _ = py3langid.classify(text[:5000])
    return str(code)


def extract_upload(filename: str, data: bytes) -> str:
    name = (filename or "").lower()
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid(f"Filen er for stor ({len(data) // 1024} kB); højst {MAX_UPLOAD_BYTES // 1024 // 1024} MB.",
                      field="file")
    if not data:
        raise Invalid("Filen er tom.", field="file")
    try:
        if name.endswith(".txt"):
            for enc in ("utf-8", "cp1252"):
                try:
                    return data.decode(enc)
                except UnicodeDecodeError:
                    continue
            raise ValueError("unknown encoding")
        if name.endswith(".docx"):
            import docx

            doc = docx.Document(io.BytesIO(data))
            parts = [p.text for p in doc.paragraphs]
            for table in doc.tables:
                for row in table.rows:
                    parts.append(" ".join(cell.text for cell in row.cells))
            return "\n".join(parts)
        if name.endswith(".pdf"):
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            return "\n".join((page.extract_text() or "") for page in reader.pages)
    except Exception as exc:
        raise Invalid(f"Filen '{filename}' kunne ikke læses ({exc.__class__.__name__}). Gem den igen som .txt, "
                      ".docx eller .pdf med tekst (ikke et scannet billede).", field="file") from exc
    raise Invalid("Filtypen understøttes ikke: upload .txt, .docx eller .pdf.", field="file")
