"""Markdown to sanitised HTML and plain text, inside the jobcentre's e-mail layout (Jinja2).

The body is rendered once per newsletter; only the unsubscribe link differs per recipient, so
the layout holds a placeholder that `personalise()` swaps for each recipient's signed link.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt

from shared.settings import get_settings

TEMPLATES = Path(__file__).resolve().parent / "templates"
# ASCII, no characters HTML or quoted-printable would change, so it survives every step intact.
UNSUBSCRIBE_PLACEHOLDER = "https://jobbro.invalid/UNSUBSCRIBE-LINK"

# Raw HTML in the Markdown is not passed through (html=False) and nh3 cleans what markdown-it
# makes, so a <script> typed into a newsletter ends up as visible text, never as markup.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(["table", "strikethrough"])

_ALLOWED_TAGS = {
    "a", "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "s", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "img",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"},
                       "ol": {"start"}}


@lru_cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def markdown_to_html(body_markdown: str) -> str:
    raw = _md.render(body_markdown or "")
    return nh3.clean(raw, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


_BLANK_RUNS = re.compile(r"\n{3,}")


def markdown_to_text(body_markdown: str) -> str:
    """Markdown reads well as plain text; only markup someone typed into it is removed."""
    cleaned = html_lib.unescape(nh3.clean(body_markdown or "", tags=set()))
    cleaned = _MD_ESCAPED.sub(r"\1", cleaned)
    return _BLANK_RUNS.sub("\n\n", cleaned.replace("\r\n", "\n")).strip() + "\n"


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str

    def personalise(self, unsubscribe_url: str | None) -> tuple[str, str]:
        url = unsubscribe_url or ""
        return self.html.replace(UNSUBSCRIBE_PLACEHOLDER, url), self.text.replace(UNSUBSCRIBE_PLACEHOLDER, url)


def render_mail(subject: str, body_markdown: str, *, unsubscribable: bool, preheader: str = "") -> Rendered:
    """The whole e-mail in both forms; `unsubscribable` adds the footer link (newsletters)."""
    settings = get_settings()
    context = {
        "subject": subject,
        "preheader": preheader,
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER if unsubscribable else None,
        "sender_name": sender_display_name(settings.notifications_from),
        "municipality_code": settings.jobbro_municipality_code,
    }
    html = _env().get_template("layout.html").render(body_html=markdown_to_html(body_markdown), **context)
    text = _env().get_template("layout.txt").render(body_text=markdown_to_text(body_markdown), **context)
    return Rendered(subject=subject, html=html, text=text)


def render_template_mail(name: str, **context) -> tuple[str, str]:
    """(subject, Markdown body) of a transactional mail from `templates/<name>.md.j2`.

    The first line of the template is the subject; values are escaped for Markdown so a company
    called `*Bager* <b>` is shown as written, not as markup (keys ending in `_url` are links).
    """
    safe = {k: (v if k.endswith("_url") else _escape_all(v)) for k, v in context.items()}
    rendered = _env().get_template(f"{name}.md.j2").render(**safe)
    subject, _, body = rendered.partition("\n")
    return _unescape_subject(subject.strip()), body.strip() + "\n"


# Only what could turn inline text into markup; `-`, `.` or `#` matter at a line start alone.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")


def _escape_all(value):
    if isinstance(value, str):
        return markdown_escape(value)
    if isinstance(value, dict):
        return {k: _escape_all(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escape_all(v) for v in value]
    return value


def markdown_escape(value: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", value)


def _unescape_subject(subject: str) -> str:
    # Subjects are plain text headers, not Markdown: undo the escaping there.
    return re.sub(r"\\(.)", r"\1", subject)


def sender_display_name(from_header: str) -> str:
    from email.utils import parseaddr

    name, addr = parseaddr(from_header)
    return name or addr
