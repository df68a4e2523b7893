"""The posters channel through its contract, on the bundled content: plan, render, deliver.

Two editions of week 1 are rendered once for the module (one message with a resource, one
without, whose QR code falls back to the public address) and written to a temporary out/.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import zxingcpp

from channels.base import Context, DeliveryReport
from channels.posters import CHANNEL
from channels.posters.channel import PosterEdition, PosterRendered
from channels.shared.qr import short_address
from channels.shared.shortlinks import short_code, short_url, tag_for
from flows.core.i18n import language
from flows.core.settings import load_settings
from flows.library.loader import Library, load_library
from tests.conftest import CONTENT
from tests.test_posters_render import page_image, run
from tests.test_shortlinks import unshout

DAY = date(2027, 1, 4)
BASE_URL = "https://veerkracht.example.org"
WITH_LINK, WITHOUT_LINK = "ouders-jonge-kinderen", "jongeren"


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(CONTENT)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Context:
    return Context(load_settings(public_base_url=BASE_URL), tmp_path_factory.mktemp("out"))


@pytest.fixture(scope="module")
def editions(library: Library) -> dict[str, PosterEdition]:
    planned = CHANNEL.plan(library, None, library.campaigns, DAY)
    return {
        e.payload.audience: e for e in planned if e.payload.audience in {WITH_LINK, WITHOUT_LINK}
    }


@pytest.fixture(scope="module")
def rendered(editions: dict[str, PosterEdition], ctx: Context) -> dict[str, PosterRendered]:
    return {audience: CHANNEL.render(edition, ctx) for audience, edition in editions.items()}


@pytest.fixture(scope="module")
def delivered(rendered: dict[str, PosterRendered], ctx: Context) -> dict[str, DeliveryReport]:
    return {audience: CHANNEL.deliver(r, ctx) for audience, r in rendered.items()}


def test_files_land_under_posters_week_audience(
    delivered: dict[str, DeliveryReport], ctx: Context
) -> None:
    written = sorted(p.relative_to(ctx.out_dir).as_posix() for p in ctx.out_dir.rglob("*.pdf"))
    assert written == [
        f"posters/2027-w01/{audience}.{size}.pdf"
        for audience in sorted((WITH_LINK, WITHOUT_LINK))
        for size in ("a3", "a4")
    ]
    for report in delivered.values():
        assert (report.delivered, report.skipped, report.failed) == (2, 0, 0)
        assert report.notes[0].startswith("posters/2027-w01/: 2 PDFs")


def test_delivering_again_writes_nothing(
    delivered: dict[str, DeliveryReport], rendered: dict[str, PosterRendered], ctx: Context
) -> None:
    again = CHANNEL.deliver(rendered[WITH_LINK], ctx)
    assert again.nothing_new and (again.delivered, again.skipped) == (0, 2)
    assert again.notes == [f"posters/2027-w01/: nothing new for {WITH_LINK}"]


def test_rendering_again_gives_the_same_bytes(
    editions: dict[str, PosterEdition], rendered: dict[str, PosterRendered], ctx: Context
) -> None:
    """What a golden test of the whole out/ tree relies on."""
    assert CHANNEL.render(editions[WITHOUT_LINK], ctx).files == rendered[WITHOUT_LINK].files


@pytest.mark.parametrize("audience", [WITH_LINK, WITHOUT_LINK])
def test_each_pdf_shows_the_message_and_scans(
    delivered: dict[str, DeliveryReport],
    editions: dict[str, PosterEdition],
    rendered: dict[str, PosterRendered],
    ctx: Context,
    audience: str,
) -> None:
    edition = editions[audience]
    message = edition.messages[0]
    # A resource is printed as its short link (the QR tagged with the poster's week and
    # audience, the address to type without); a message without one gets the public address.
    if message.resources:
        resource = message.resources[0].url
        url = short_url(BASE_URL, resource, "posters", edition.target)
        address = f"veerkracht.example.org/r/{short_code(resource)}"
        assert url == f"{BASE_URL}/r/{short_code(resource)}?p={tag_for('posters', edition.target)}"
    else:
        url, address = BASE_URL, short_address(BASE_URL)
    assert rendered[audience].meta.url == url
    if message.resources:  # delivered: the static redirect page is there
        assert (ctx.out_dir / "r" / short_code(resource) / "index.html").is_file()
    for rel in rendered[audience].files:
        pdf = ctx.out_dir / rel
        size = "A3" if rel.endswith(".a3.pdf") else "A4"
        assert re.search(rf"Page size:.*\({size}\)", run("pdfinfo", pdf))
        text = " ".join(run("pdftotext", pdf, "-").split())
        for expected in (message.screen.headline, message.screen.text, edition.campaign_title):
            assert expected in text, (rel, expected)
        assert address in text.replace(" ", "")
        codes = zxingcpp.read_barcodes(page_image(pdf, 150 if size == "A4" else 110))
        # Scheme and host may come back upper case (QR's compact alphanumeric mode).
        assert [unshout(c.text) for c in codes] == [url]


def test_text_too_long_for_any_type_fails_without_a_file(
    editions: dict[str, PosterEdition], ctx: Context, tmp_path: Path
) -> None:
    edition = editions[WITHOUT_LINK]
    message = edition.messages[0]
    screen = message.screen.model_copy(update={"text": "Veel ouders herkennen dit. " * 80})
    long = replace(edition, messages=(message.model_copy(update={"screen": screen}),))
    out = Context(ctx.settings, tmp_path)
    result = CHANNEL.render(long, out)
    assert result.files == {} and result.meta.too_long == ("A4", "A3")
    report = CHANNEL.deliver(result, out)
    assert report.failed == 2 and not list(tmp_path.rglob("*.pdf"))
    assert message.id in report.notes[0] and "shorten" in report.notes[0]


def test_preview_writes_one_a4_poster(library: Library, tmp_path: Path) -> None:
    message = library.message("vast-slaapritueel", "nl")
    assert message is not None
    ctx = Context(load_settings(public_base_url=BASE_URL), tmp_path)
    (path,) = CHANNEL.preview(message, library, None, ctx, DAY)
    assert path == tmp_path / "poster.a4.pdf"
    assert re.search(r"Page size:.*\(A4\)", run("pdfinfo", path))
    assert message.screen.headline in " ".join(run("pdftotext", path, "-").split())


def test_registered_as_an_entry_point() -> None:
    (point,) = [p for p in entry_points(group="veerkracht.channels") if p.name == "posters"]
    assert point.load() is CHANNEL


def test_the_report_line_speaks_dutch(
    delivered: dict[str, DeliveryReport], rendered: dict[str, PosterRendered], ctx: Context
) -> None:
    with language("nl"):
        again = CHANNEL.deliver(rendered[WITHOUT_LINK], ctx)
    assert again.notes == [f"posters/2027-w01/: niets nieuws voor {WITHOUT_LINK}"]
