"""Render an edition once: HTML (table layout, CSS inlined), plain text and the MIME template."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import css_inline
from jinja2 import Environment
from markupsafe import Markup

from channels.base import Edition, Rendered
from channels.newsletter.payload import NewsletterMeta, NewsletterPayload
from flows.core.errors import PermanentDeliveryError
from flows.core.i18n import _
from flows.core.settings import Settings
from flows.infra.templates import environment

from .compose import Content, compose, plain_text
from .mime import PLACEHOLDER, MimeTemplate, build_template

TEMPLATES = Path(__file__).parent / "templates"
MAX_HTML_BYTES = 100 * 1024  # Gmail clips a message whose HTML is larger than about 102 KB

# Every colour the template uses. Text pairs (foreground, background) are listed in TEXT_PAIRS
# and tested for a contrast of at least 4.5:1 (WCAG AA for normal text).
PALETTE: dict[str, str] = {
    "page": "#f1f4f7",
    "card": "#ffffff",
    "block": "#f5f9fb",
    "border": "#b8c7d3",
    "brand": "#0b4f6c",
    "on_brand": "#ffffff",
    "text": "#1f2933",
    "heading": "#0b4f6c",
    "link": "#0a58a8",
    "muted": "#4a5563",
}
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("text", "card"),
    ("text", "block"),
    ("heading", "card"),
    ("heading", "block"),
    ("link", "card"),
    ("link", "block"),
    ("link", "page"),
    ("muted", "page"),
    ("muted", "block"),
    ("muted", "card"),
    ("on_brand", "brand"),
)


class TooLarge(PermanentDeliveryError):
    """The HTML is over the size Gmail shows without clipping: this edition is not sent."""


@cache
def _env() -> Environment:
    return environment(
        "channels.newsletter", trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
    )


@cache
def _inliner() -> css_inline.CSSInliner:
    # The <style> block stays for the @media rules (mobile); everything else is inlined because
    # Outlook and some webmail clients drop <style>.
    return css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


def html(content: Content, title: str, unsubscribe: str) -> str:
    """The HTML e-mail with CSS inlined."""
    safe = _mark_safe(content)
    page = (
        _env()
        .get_template("newsletter.html.j2")
        .render(c=safe, p=PALETTE, title=title, unsubscribe=unsubscribe)
    )
    return str(_inliner().inline(page))


def _mark_safe(content: Content) -> Content:
    # Item HTML comes from flows.infra.markdown.to_html (CommonMark without raw HTML, then nh3):
    # it is the only markup from content that is trusted, everything else is escaped.
    from dataclasses import replace

    items = tuple(replace(i, html=Markup(i.html)) for i in content.items)
    staff = replace(content.staff, html=Markup(content.staff.html)) if content.staff else None
    return replace(content, items=items, staff=staff)


NewsletterEdition = Edition[NewsletterPayload]
RenderedNewsletter = Rendered[NewsletterPayload, NewsletterMeta]


def render_edition(edition: NewsletterEdition, settings: Settings) -> RenderedNewsletter:
    """Render once: archive files, the e-mail HTML and text, and the per-recipient template."""
    content = compose(edition, settings)
    mail_html = html(content, edition.campaign_title, PLACEHOLDER)
    if len(mail_html.encode("utf-8")) > MAX_HTML_BYTES:
        raise TooLarge(
            _(
                "edition {key} is {kb} KB of HTML; Gmail cuts off messages over about 100 KB: "
                "plan fewer items per edition"
            ).format(key=edition.key, kb=len(mail_html.encode()) // 1024)
        )
    mail_text = plain_text(content, PLACEHOLDER)
    mailto = f"mailto:{settings.contact_email}?subject=afmelden"
    archive = html(content, edition.campaign_title, mailto)
    files: dict[str, bytes] = {
        f"newsletters/{edition.key}/index.html": archive.encode("utf-8"),
        f"newsletters/{edition.key}/index.txt": plain_text(content, mailto).encode("utf-8"),
    }
    template: MimeTemplate = build_template(edition, content, mail_html, mail_text, settings)
    return Rendered(edition, files, NewsletterMeta(content, mail_html, mail_text, template))
