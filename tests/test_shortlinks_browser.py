"""A screen's QR code as a phone at 3 m sees it, in real Chromium, and where it leads.

The screen is published by the real screens channel (render and deliver), served over HTTP
from 127.0.0.1 and shown at 1920x1080 (a 43" landscape screen). A phone at 3 m sees that
screen at about 0.45 times the size the screenshot has: the screenshot is scaled to that and
decoded with zxing-cpp. The decoded short link is then asked of the public endpoint under a
real uvicorn: a 302 to the resource, counted for this screen.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from channels.shared import reach
from channels.shared.shortlinks import short_code, short_url
from flows.infra.state import open_state
from tests.chromium import ARGS, CHROMIUM
from tests.screen_editions import TEST_SCREEN
from tests.test_newsletter_support import settings_for
from tests.test_public_endpoint import running
from tests.test_screens_browser import (  # noqa: F401  (fixtures)
    URLS,
    Site,
    library,
    open_page,
    playwright_api,
    pytestmark,
    site,
)
from tests.test_shortlinks import unshout

PHONE_AT_3_M = 0.45  # what a phone camera at 3 m sees of a 43" screen, relative to 1080p
BASE = "https://veerkracht.example.org"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def test_qr_code_scans_from_three_metres_and_redirects(
    site: Site,  # noqa: F811
    open_page: Any,  # noqa: F811
) -> None:
    site.publish(["slaap-ritueel"], seconds=30)
    resource = URLS["slaap-ritueel"]
    expected = short_url(BASE, resource, "screens", TEST_SCREEN)
    page, watch = open_page(site.url(), viewport=(1920, 1080), reduced_motion="reduce")
    page.locator('.slide.active[data-slide-id="slaap-ritueel.nl"] .qr-code').wait_for()
    page.wait_for_function("document.querySelector('.slide.active .qr-code').complete")
    assert page.locator(".slide.active .short").inner_text() == (
        f"veerkracht.example.org/r/{short_code(resource)}"
    )
    shot = Image.open(io.BytesIO(page.screenshot()))
    assert shot.size == (1920, 1080)
    far = shot.resize(
        (round(1920 * PHONE_AT_3_M), round(1080 * PHONE_AT_3_M)), Image.Resampling.BILINEAR
    )
    found = zxingcpp.read_barcodes(far)
    assert [unshout(code.text) for code in found] == [expected]
    extra: dict[str, Any] = found[0].extra  # type: ignore[assignment]
    modules = 17 + 4 * int(extra["Version"])  # read from the scanned symbol itself
    assert modules <= 29 and found[0].ec_level == "M"
    assert watch.errors == []

    # The redirect page was written beside the screens, and the endpoint answers the link.
    assert (site.out / "r" / short_code(resource) / "index.html").is_file()
    s = settings_for(site.out)
    with running(s) as endpoint:
        parts = urlsplit(expected)
        answer = httpx.get(f"{endpoint}{parts.path}?{parts.query}")
    assert answer.status_code == 302 and answer.headers["location"] == resource
    with open_state(s.resolved_state_url()).connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(reach.reach_counts))]
    assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
        (short_code(resource), "screens", TEST_SCREEN, 1)
    ]
