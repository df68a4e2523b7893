"""One poster as a print-ready PDF: HTML and CSS from the template, set by WeasyPrint.

Nothing is fetched from outside the package: the fonts are bundled, images are data: URIs, and
the URL fetcher refuses everything else, so a poster renders the same offline and on any host.
Same poster, same bytes: the dates in the PDF come from the edition day and the file identifier
from the poster's key, never from the clock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from jinja2 import Template
from weasyprint import HTML, URLFetcher
from weasyprint.urls import FatalURLFetchingError

from channels.posters.icons import data_uri, icon_svg
from channels.posters.layout import Fit, Size, first_fit, fits, measures
from channels.shared.qr import qr_svg, short_address
from channels.shared.themes import PALETTES, theme_name
from flows.core.clock import TIMEZONE
from flows.core.models import THEMES
from flows.infra.templates import environment

PACKAGE = Path(__file__).resolve().parent
CALL_TO_ACTION = {"nl": "Scan de code of ga naar:", "en": "Scan the code or go to:"}


@dataclass(frozen=True)
class PosterText:
    """Everything one poster prints, already resolved (the URL included)."""

    key: str
    day: date
    lang: str
    theme: str
    headline: str
    text: str
    url: str  # what the QR code holds
    campaign_title: str
    attribution: str = ""
    address: str = ""  # what is printed to type; empty: the URL without its scheme

    @property
    def printed(self) -> str:
        """The address printed under the QR code."""
        return self.address or short_address(self.url)


@dataclass(frozen=True)
class PosterPdf:
    """A rendered poster: the PDF (None when even the smallest fit needs a second page)."""

    data: bytes | None
    fit: Fit
    fit_index: int


class RefusedFetch(ValueError):
    """A resource outside the package was asked for (a template bug, never content)."""


class PackageFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Fetches data: URIs and files inside this package; refuses everything else."""

    def __init__(self) -> None:
        # fail_on_errors: a refused or missing font stops the render instead of a silent
        # fallback to whatever fonts the host has.
        super().__init__(allowed_protocols=("file", "data"), fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> Any:
        """The resource at `url`, when it is a data: URI or a file inside the package."""
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if parts.scheme == "file" and not parts.netloc:
            path = Path(url2pathname(parts.path)).resolve()
            if path.is_relative_to(PACKAGE) and path.is_file():
                return super().fetch(url, headers)
        raise RefusedFetch(f"posters only load files from {PACKAGE}, not {url}")


@cache
def _template() -> Template:
    return environment("channels.posters", "").get_template("poster.html.j2")


def address_parts(address: str) -> list[str]:
    """The short address cut after each '/', where a long one may wrap to the next line."""
    parts = address.split("/")
    return [p + "/" for p in parts[:-1]] + [parts[-1]]


def poster_html(poster: PosterText, size: Size, fit: Fit) -> str:
    """The HTML of one poster at one size and fit."""
    palette = PALETTES[theme_name(poster.theme)]
    address = poster.printed
    created = datetime.combine(poster.day, time(0, 0), tzinfo=TIMEZONE).isoformat()
    return _template().render(
        lang=poster.lang,
        m=measures(size, fit),
        bg=palette.background,
        fg=palette.text,
        accent=palette.accent,
        icon_uri=data_uri(icon_svg(poster.theme, palette.background)),
        qr_uri=data_uri(qr_svg(poster.url)),
        theme_label=THEMES.get(poster.theme, poster.theme),
        headline=poster.headline,
        text=poster.text,
        campaign_title=poster.campaign_title,
        attribution=poster.attribution,
        call_to_action=CALL_TO_ACTION.get(poster.lang, CALL_TO_ACTION["nl"]),
        address=address,
        address_parts=address_parts(address),
        created=created,
    )


def render_pdf(poster: PosterText, size: Size, first: int | None = None) -> PosterPdf:
    """The poster as PDF in the largest fit (from `first` on) that stays on one page.

    `first` defaults to an estimate; A4 passes the index A3 needed, since it is the same
    layout scaled, so most posters take one render per size.
    """
    ladder = fits()
    if first is None:
        first = first_fit(poster.headline, poster.text, poster.printed)
    identifier = hashlib.sha256(f"{poster.key}.{size}".encode()).hexdigest()[:32].encode()
    for index in range(first, len(ladder)):
        fit = ladder[index]
        html = HTML(
            string=poster_html(poster, size, fit),
            base_url=PACKAGE.as_uri() + "/",
            url_fetcher=PackageFetcher(),
        )
        try:
            document = html.render()
        except FatalURLFetchingError as exc:  # a BaseException: keep it an ordinary error
            raise RefusedFetch(str(exc)) from exc.__cause__
        if len(document.pages) == 1:
            data = document.write_pdf(pdf_identifier=identifier)
            return PosterPdf(bytes(data), fit, index)
    return PosterPdf(None, ladder[-1], len(ladder) - 1)
