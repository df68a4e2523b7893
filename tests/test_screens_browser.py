"""The screen page in real headless Chromium, served over HTTP from 127.0.0.1.

One browser for the whole module; each test gets its own output folder, server and page. The
page's clock is set with playwright's `page.clock` to Tuesday 12 January 2027, 10:00 in
Amsterdam (inside opening hours), and the browser itself runs in New York time, so a page that
used the machine's timezone instead of Europe/Amsterdam would fail.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import zxingcpp
from PIL import Image

from channels.base import Context
from channels.screens import CHANNEL
from channels.shared.shortlinks import tag_for
from channels.shared.themes import MIN_CONTRAST, contrast
from flows.cli.commands.serve import make_server
from flows.core.clock import TIMEZONE
from flows.core.settings import load_settings
from flows.library.loader import Library, load_library
from tests.chromium import ARGS, CHROMIUM
from tests.conftest import FIXTURES, REPO
from tests.screen_editions import TEST_SCREEN, wachtkamer_edition
from tests.serving import serving

playwright_api = pytest.importorskip("playwright.sync_api")

CONTENT = FIXTURES / "screens" / "content"
OUTPUT = REPO / "tests" / "output"
NOW = datetime(2027, 1, 12, 10, 0, tzinfo=TIMEZONE)  # Tuesday, screen open 08:00-17:00
NOW_DAY = NOW.date()
SUNDAY = datetime(2027, 1, 17, 11, 0, tzinfo=TIMEZONE)  # no opening hours on Sunday
URLS = {
    "slaap-ritueel": "https://www.ncj.nl/themadossiers/ouderschap/jgz-en-ouderschap/",
}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    b = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    yield b
    b.close()


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(CONTENT)


@dataclass
class Site:
    """A served output folder and a way to (re)publish a screen into it."""

    out: Path
    server: ThreadingHTTPServer
    library: Library
    base: str = ""

    def publish(
        self,
        ids: list[str],
        *,
        seconds: int = 1,
        day: date = NOW_DAY,
        hours: dict[str, str] | None = None,
        campaign_until: date | None = None,
        offline_wait: int = 8,
    ) -> None:
        update: dict[str, Any] = {"slide_seconds": seconds, "offline_wait_seconds": offline_wait}
        if hours is not None:
            update["opening_hours"] = hours
        edition = wachtkamer_edition(
            self.library, ids, day=day, campaign_until=campaign_until, **update
        )
        ctx = Context(load_settings(out_dir=self.out), self.out)
        CHANNEL.deliver(CHANNEL.render(edition, ctx), ctx)

    def url(self, query: str = "") -> str:
        return f"{self.base}/screens/wachtkamer-test/{query}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site(tmp_path: Path, library: Library) -> Iterator[Site]:
    server = make_server(tmp_path, 0)
    with serving(server):
        yield Site(tmp_path, server, library, f"http://127.0.0.1:{server.server_address[1]}")


@dataclass
class Watch:
    """What a page did: console errors, page errors, every request, every navigation."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    navigations: int = 0
    started: float = 0.0  # time.monotonic() just before the page was requested


# Installed before the page's own script: notes every change of the active slide with its time.
OBSERVER = """
window.slideChanges = [];
document.addEventListener('DOMContentLoaded', () => {
  const note = () => {
    const s = document.querySelector('.slide.active');
    const key = s ? s.getAttribute('data-slide-id') : null;
    const last = window.slideChanges[window.slideChanges.length - 1];
    if (!last || last[1] !== key) window.slideChanges.push([performance.now(), key]);
  };
  new MutationObserver(note).observe(document.getElementById('stage'),
    {subtree: true, childList: true, attributes: true, attributeFilter: ['class']});
  note();
});
"""


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., tuple[Any, Watch]]]:
    contexts: list[Any] = []

    def opener(
        url: str,
        *,
        at: datetime = NOW,
        viewport: tuple[int, int] = (1280, 720),
        reduced_motion: str = "no-preference",
        wait: bool = True,
    ) -> tuple[Any, Watch]:
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            timezone_id="America/New_York",
            reduced_motion=reduced_motion,
            service_workers="block",
        )
        contexts.append(context)
        context.add_init_script(script=OBSERVER)
        page = context.new_page()
        watch = Watch()
        page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.errors.append(str(e)))
        page.on("request", lambda r: watch.requests.append(r.url))

        def navigated(frame: Any) -> None:
            if frame == page.main_frame:
                watch.navigations += 1

        page.on("framenavigated", navigated)
        page.clock.install(time=at)
        watch.started = time.monotonic()
        page.goto(url, wait_until="commit" if not wait else "load")
        return page, watch

    yield opener
    for context in contexts:
        context.close()


def active(page: Any) -> str | None:
    value: str | None = page.evaluate(
        "() => { const s = document.querySelector('.slide.active');"
        " return s ? s.getAttribute('data-slide-id') : null; }"
    )
    return value


def record(page: Any, seconds: float) -> list[tuple[float, str | None]]:
    """The active slide over the next `seconds`: (seconds from now, slide id) at every change.

    Changes are noted inside the page (see OBSERVER), so a busy test machine cannot blur the
    timing the way polling from here would.
    """
    t0 = page.evaluate("performance.now()")
    page.wait_for_timeout(seconds * 1000)
    changes: list[list[Any]] = page.evaluate("window.slideChanges")
    before = [c for c in changes if c[0] <= t0]
    out = [(0.0, before[-1][1])] if before else []
    return out + [((t - t0) / 1000, key) for t, key in changes if t > t0]


def shown_after(changes: list[tuple[float, str | None]], t0: float) -> set[str | None]:
    """Every slide on screen at some moment after `t0` seconds."""
    before = [c for c in changes if c[0] <= t0]
    return {c[1] for c in changes if c[0] > t0} | ({before[-1][1]} if before else set())


def test_first_slide_fast_no_errors_no_other_origin(site: Site, open_page: Any) -> None:
    site.publish(["slaap-ritueel", "samen-eten", "om-hulp-vragen"])
    page, watch = open_page(site.url(), wait=False)
    # The first slide is there at load, before any timer: how fast is bench/screens.py's.
    page.locator('.slide.active[data-slide-id="slaap-ritueel.nl"]').wait_for(timeout=10000)
    assert page.locator(".slide.active .headline").inner_text() == (
        "Elke avond hetzelfde ritueel geeft rust"
    )
    assert page.locator(".slide.active .foot").inner_text() == "Testcampagne"
    assert page.locator(".slide.active .short").inner_text() == "veerkracht.example.org/r/e7ryd"
    page.wait_for_timeout(2500)  # a few rotations, with images and visuals drawn
    assert watch.errors == []
    origin = site.base
    assert watch.requests, "the page request itself is recorded"
    foreign = [u for u in watch.requests if not u.startswith((origin + "/", "data:"))]
    assert foreign == []
    assert page.evaluate("document.cookie") == ""
    assert {urlsplit(u).path for u in watch.requests} == {"/screens/wachtkamer-test/"}


def test_each_slide_shows_for_its_seconds_in_planner_order(site: Site, open_page: Any) -> None:
    """On the page's own (fake) clock, so a busy machine cannot blur it: the clock is paused
    and moved on in steps of 100 ms; each slide must stay exactly its 10 steps."""
    site.publish(["slaap-ritueel", "samen-eten", "om-hulp-vragen"], seconds=1)
    page, _ = open_page(site.url())
    page.locator(".slide.active").wait_for()
    page.clock.pause_at(NOW + timedelta(seconds=10))  # fires what is due, then stands still
    seen: list[str | None] = []
    for _ in range(50):
        page.clock.run_for(100)
        seen.append(active(page))
    runs = [(key, len(list(group))) for key, group in itertools.groupby(seen)]
    order = ["slaap-ritueel.nl", "samen-eten.nl", "om-hulp-vragen.nl"]
    ids = [key for key, _ in runs]
    assert ids[0] in order
    start = order.index(ids[0])
    assert ids == [order[(start + i) % 3] for i in range(len(ids))]  # planner order, looping
    assert len(ids) >= 4  # looped past the end back to the first
    middle = [n for _, n in runs[1:-1]]  # the first and last run are cut by the window
    assert middle and all(n == 10 for n in middle), runs


def test_expired_message_never_appears(site: Site, open_page: Any) -> None:
    # Published on 9 January, when oud-bericht was still valid; by the screen's own clock it is
    # now 12 January (as if its server had been gone since), and oud-bericht ended on 10 January.
    site.publish(["oud-bericht", "slaap-ritueel", "samen-eten"], day=date(2027, 1, 9))
    page, _ = open_page(site.url())
    seen = {c[1] for c in record(page, 3.5)}
    assert "oud-bericht.nl" not in seen
    assert {"slaap-ritueel.nl", "samen-eten.nl"} <= seen


def test_message_disappears_at_midnight_after_valid_until(site: Site, open_page: Any) -> None:
    site.publish(["oud-bericht", "slaap-ritueel"], day=date(2027, 1, 10), hours={})
    page, _ = open_page(site.url(), at=datetime(2027, 1, 10, 23, 59, 58, tzinfo=TIMEZONE))
    assert active(page) == "oud-bericht.nl"  # still its last day in Amsterdam
    site.stop()  # offline from now on: only the page's own clock decides
    after_midnight = shown_after(record(page, 4.5), 2.5)
    assert after_midnight == {"slaap-ritueel.nl"}


def test_new_playlist_is_picked_up_without_reload(site: Site, open_page: Any) -> None:
    site.publish(["slaap-ritueel", "samen-eten"])
    page, watch = open_page(site.url("?refresh=1"))
    page.evaluate("window.stillTheSamePage = true")
    site.publish(["nieuw-bericht"])
    page.locator('.slide.active[data-slide-id="nieuw-bericht.nl"]').wait_for(timeout=5000)
    assert page.evaluate("window.stillTheSamePage") is True
    assert watch.navigations == 1
    assert page.locator(".slide").count() <= 2  # the old slide fades out, nothing piles up
    assert any(u.endswith("/playlist.json") for u in watch.requests)


def test_broken_playlist_and_stopped_server_keep_last_good(site: Site, open_page: Any) -> None:
    site.publish(["slaap-ritueel", "samen-eten"])
    page, _ = open_page(site.url("?refresh=1"))
    playlist = site.out / "screens" / "wachtkamer-test" / "playlist.json"
    playlist.write_text('{"slides": [', encoding="utf-8")  # half a file: must be ignored
    page.wait_for_timeout(1500)
    site.stop()
    seen = [c[1] for c in record(page, 3.5)]
    assert {"slaap-ritueel.nl", "samen-eten.nl"} <= set(seen)
    assert len(seen) >= 3  # still rotating


def test_broken_slide_is_skipped_and_nothing_showable_rests(site: Site, open_page: Any) -> None:
    site.publish(["slaap-ritueel", "samen-eten"])
    folder = site.out / "screens" / "wachtkamer-test"
    data = json.loads((folder / "playlist.json").read_text(encoding="utf-8"))
    broken = dict(data["slides"][0], id="kapot", headline=None)
    bad_qr = dict(data["slides"][1], id="kapotte-qr", qr="<script>alert(1)</script>")
    data["slides"] = [broken, data["slides"][1], bad_qr, "geen slide", data["slides"][0]]
    data["version"] = "handmade"
    (folder / "playlist.json").write_text(json.dumps(data), encoding="utf-8")
    page, watch = open_page(site.url("?refresh=1"))
    seen = {c[1] for c in record(page, 4.0)}
    assert seen >= {"samen-eten.nl", "slaap-ritueel.nl"}
    assert not seen & {"kapot", "kapotte-qr.nl", None}
    data["slides"] = [broken, bad_qr]
    data["version"] = "all-broken"
    (folder / "playlist.json").write_text(json.dumps(data), encoding="utf-8")
    page.locator('.slide.active[data-slide-id="rest"]').wait_for(timeout=4000)
    assert page.locator(".slide.active .headline").inner_text() == "Fijn dat je er bent"
    assert watch.errors == []


def test_outside_opening_hours_shows_the_resting_slide(site: Site, open_page: Any) -> None:
    site.publish(["slaap-ritueel", "samen-eten"])
    page, _ = open_page(site.url(), at=SUNDAY)
    seen = {c[1] for c in record(page, 1.5)}
    assert seen == {"rest"}
    assert page.locator(".slide.active .foot").inner_text() == "Consultatiebureau Test, wachtkamer"


def test_opening_hours_follow_amsterdam_summer_time(site: Site, open_page: Any) -> None:
    # Monday 29 March 2027, the day after clocks went forward: 06:30 UTC is 08:30 in Amsterdam
    # (open), and 15:00 UTC is 17:00 (closed). Winter time or UTC would get both wrong.
    site.publish(["slaap-ritueel", "samen-eten"], seconds=30)
    morning, _ = open_page(site.url(), at=datetime(2027, 3, 29, 6, 30, tzinfo=UTC))
    assert active(morning) == "slaap-ritueel.nl"
    evening, _ = open_page(site.url(), at=datetime(2027, 3, 29, 15, 0, tzinfo=UTC))
    assert active(evening) == "rest"


def test_qr_code_decodes_to_the_resource_url(site: Site, open_page: Any) -> None:
    site.publish(["slaap-ritueel"], seconds=30)
    page, _ = open_page(site.url(), reduced_motion="reduce")
    qr = page.locator('.slide.active[data-slide-id="slaap-ritueel.nl"] .qr-code')
    qr.wait_for(timeout=1000)
    page.wait_for_function("document.querySelector('.slide.active .qr-code').complete")
    image = Image.open(io.BytesIO(qr.screenshot()))
    decoded = [r.text for r in zxingcpp.read_barcodes(image)]
    # The short link tagged with the screen (tests/test_shortlinks_browser.py: from 3 m).
    assert decoded == [
        "HTTPS://VEERKRACHT.EXAMPLE.ORG/r/e7ryd?s=" + tag_for("screens", TEST_SCREEN)
    ]


@pytest.mark.parametrize(
    ("name", "viewport"), [("landscape", (1920, 1080)), ("portrait", (1080, 1920))]
)
def test_layout_is_readable_from_three_metres(
    site: Site, open_page: Any, name: str, viewport: tuple[int, int]
) -> None:
    site.publish(["samen-eten"], seconds=30)
    page, _ = open_page(site.url(), viewport=viewport, reduced_motion="reduce")
    page.locator(".slide.active .qr-code").wait_for(timeout=1000)
    page.wait_for_function("document.querySelector('.slide.active .qr-code').complete")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"screens-{name}.png"))
    width, height = viewport
    for selector in (".headline", ".text", ".qr-code", ".short", ".foot"):
        box = page.locator(f".slide.active {selector}").bounding_box()
        assert box is not None, selector
        assert box["x"] >= 0 and box["y"] >= 0, selector
        assert box["x"] + box["width"] <= width + 1, selector
        assert box["y"] + box["height"] <= height + 1, selector  # nothing cut off
    headline = page.locator(".slide.active .headline")
    assert headline.bounding_box()["height"] >= 0.05 * height
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.slide.active .headline')).lineHeight)"
    )
    assert line >= 0.05 * height  # every line of the headline, not only the whole block
    colours = page.evaluate("""() => {
        const s = document.querySelector('.slide.active');
        const pick = el => getComputedStyle(el).color;
        return {bg: getComputedStyle(s).backgroundColor,
                texts: ['.headline', '.text', '.short', '.foot']
                    .map(q => pick(s.querySelector(q)))};
    }""")
    for text in colours["texts"]:
        assert contrast(_hex(text), _hex(colours["bg"])) >= MIN_CONTRAST


def test_cross_fade_is_slow_and_off_when_motion_is_reduced(site: Site, open_page: Any) -> None:
    site.publish(["slaap-ritueel", "samen-eten"], seconds=30)
    script = (
        "parseFloat(getComputedStyle(document.querySelector('.slide.active')).transitionDuration)"
    )
    page, _ = open_page(site.url())
    page.wait_for_function("!document.querySelector('.slide.instant')")  # first paint is instant
    assert page.evaluate(script) >= 0.5  # no flashing: a calm cross-fade
    calm, _ = open_page(site.url(), reduced_motion="reduce")
    assert calm.evaluate(script) == 0


def _hex(css: str) -> str:
    """'rgb(27, 37, 64)' -> '#1b2540' (opaque colours only)."""
    inside = css[css.index("(") + 1 : css.index(")")]
    parts = [p.strip() for p in inside.split(",")]
    assert len(parts) == 3 or float(parts[3]) == 1, css
    return "#" + "".join(f"{int(float(p)):02x}" for p in parts[:3])


# A 43" 16:9 screen in landscape is 535.5 mm high; parents sit 3 m away.
SCREEN_HEIGHT_MM = 43 * 25.4 * 9 / math.hypot(16, 9)
DISTANCE_MM = 3000.0
MIN_X_HEIGHT_ARCMIN = 16.0


def test_body_text_x_height_is_16_arcminutes_at_three_metres(site: Site, open_page: Any) -> None:
    site.publish(["samen-eten"], seconds=30)
    page, _ = open_page(site.url(), viewport=(1920, 1080), reduced_motion="reduce")
    page.locator('.slide.active[data-slide-id="samen-eten.nl"] .text').wait_for(timeout=1000)
    # The x-height in CSS pixels of the font Chromium really uses for the text: a box 1ex high
    # inside it (the ex unit is that font's x-height), and its computed font size.
    x_px, font_px = page.evaluate("""() => {
        const text = document.querySelector('.slide.active .text');
        const probe = document.createElement('span');
        probe.style.display = 'inline-block';
        probe.style.width = '0';
        probe.style.height = '1ex';
        text.appendChild(probe);
        const x = probe.getBoundingClientRect().height;
        probe.remove();
        return [x, parseFloat(getComputedStyle(text).fontSize)];
    }""")
    assert 0.4 <= x_px / font_px <= 0.65  # a real x-height, not a fallback of 0.5em or 0
    x_mm = x_px * SCREEN_HEIGHT_MM / 1080
    arcmin = math.degrees(2 * math.atan(x_mm / 2 / DISTANCE_MM)) * 60
    assert arcmin >= MIN_X_HEIGHT_ARCMIN, f"{arcmin:.1f} arcmin ({x_px:.1f} px x-height)"


def test_campaign_end_by_the_screen_clock_shows_the_resting_slide(
    site: Site, open_page: Any
) -> None:
    # The campaign's last day is 11 January; the messages themselves are valid long after.
    last_day = date(2027, 1, 11)
    site.publish(["slaap-ritueel", "samen-eten"], day=last_day, hours={}, campaign_until=last_day)
    page, _ = open_page(site.url(), at=datetime(2027, 1, 11, 23, 59, 58, tzinfo=TIMEZONE))
    assert active(page) == "slaap-ritueel.nl"  # still the campaign's last day in Amsterdam
    site.stop()  # publishing has stopped: only the screen's own clock decides
    assert shown_after(record(page, 4.5), 2.5) == {"rest"}


def _frame(page: Any) -> bytes:
    """A screenshot, scaled down to 160 x 90 (averaging, so opacities still add up), as RGB."""
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    return image.resize((160, 90), Image.Resampling.BOX).tobytes()


def _misfit(frame: bytes, under: bytes, alone: bytes) -> float:
    """How far `frame` is from one slide (`alone`) at some opacity over the background
    (`under`): the RMS of frame - (under + a * (alone - under)) at the best a in [0, 1]."""
    d = [a - u for a, u in zip(alone, under, strict=True)]
    top = sum((f - u) * z for f, u, z in zip(frame, under, d, strict=True))
    a = min(1.0, max(0.0, top / (sum(z * z for z in d) or 1.0)))
    squares = sum((f - u - a * z) ** 2 for f, u, z in zip(frame, under, d, strict=True))
    return math.sqrt(squares / len(frame))


def test_cross_fade_never_shows_two_texts(site: Site, open_page: Any) -> None:
    site.publish(["slaap-ritueel", "samen-eten"], seconds=30)
    page, _ = open_page(site.url())
    page.wait_for_function("!document.querySelector('.slide.instant')")
    # Hold the page's clock, then move it past the first slide's 30 s: the fade to the second
    # starts, and no timer fires after it (the outgoing slide stays until its fade is done).
    page.clock.pause_at(NOW + timedelta(seconds=5))
    assert active(page) == "slaap-ritueel.nl"
    page.clock.run_for(24_000)
    for _ in range(200):  # then in small steps up to the switch, and not a step further
        if active(page) != "slaap-ritueel.nl":
            break
        page.clock.run_for(50)
    # Both fades exist from the next style update on.
    page.wait_for_function("() => document.getAnimations().length >= 2", timeout=2000)
    count = page.evaluate("""() => {
        window.fades = document.getAnimations();
        window.fades.forEach(a => a.pause());
        return window.fades.length;
    }""")
    assert count == 2  # the outgoing and the incoming slide, caught mid-way and held there
    assert active(page) == "samen-eten.nl"
    total = page.evaluate(
        "Math.max(...window.fades.map(a => a.effect.getComputedTiming().endTime))"
    )
    frames, opacities = [], []
    steps = 12
    for n in range(steps + 1):
        at = total * n / steps
        pair = page.evaluate(
            """at => { window.fades.forEach(a => { a.currentTime = at; });
            return ['slaap-ritueel.nl', 'samen-eten.nl'].map(id => parseFloat(getComputedStyle(
                document.querySelector(`.slide[data-slide-id="${id}"]`)).opacity)); }""",
            at,
        )
        opacities.append(pair)
        frames.append(_frame(page))
    assert all(min(pair) == 0 for pair in opacities), opacities  # never both on screen
    assert any(0 < p[0] < 1 for p in opacities) and any(0 < p[1] < 1 for p in opacities)
    # What is on screen: each frame is one slide at some opacity over the background, never
    # two. The background is the frame where both are gone (the middle of the fade).
    old, new = frames[0], frames[-1]
    under = frames[min(range(len(opacities)), key=lambda i: max(opacities[i]))]
    assert max(opacities[frames.index(under)]) == 0
    misfits = [min(_misfit(f, under, old), _misfit(f, under, new)) for f in frames]
    # The measure sees an overlap: the two slides half and half over each other is far off.
    half = bytes((a + b) // 2 for a, b in zip(old, new, strict=True))
    overlap = min(_misfit(half, under, old), _misfit(half, under, new))
    assert overlap > 8 * max(max(misfits), 1.0), (overlap, misfits)
    assert max(misfits) < 3, misfits


def _persistent(playwright: Any, profile: Path) -> Any:
    """A browser with its profile in `profile` (kept between starts, like a kiosk's)."""
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        args=ARGS,
        viewport={"width": 1280, "height": 720},
        timezone_id="America/New_York",
        service_workers="allow",
    )


def _open_kiosk(context: Any, url: str, errors: list[str]) -> Any:
    page = context.pages[0] if context.pages else context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.clock.install(time=NOW)
    page.goto(url)
    return page


@contextmanager
def _hanging(port: int) -> Iterator[None]:
    """A socket on 127.0.0.1:`port` that completes connections (the kernel's backlog) but never
    reads or answers them: a server that hangs."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(64)
        yield


def test_reload_and_reboot_offline_show_the_last_good_playlist(
    site: Site, playwright: Any, tmp_path: Path
) -> None:
    site.publish(["slaap-ritueel", "samen-eten"], seconds=2, offline_wait=2)
    profile = tmp_path / "kiosk-profile"
    errors: list[str] = []
    context = _persistent(playwright, profile)
    try:
        page = _open_kiosk(context, site.url("?refresh=1"), errors)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10_000)
        scope = page.evaluate("navigator.serviceWorker.controller.scriptURL")
        assert scope == site.url("sw.js")  # the stable address, not a version folder
        # A new playlist while online: the page and the worker's copy pick it up.
        site.publish(["nieuw-bericht"], seconds=2, offline_wait=2)
        page.locator('.slide.active[data-slide-id="nieuw-bericht.nl"]').wait_for(timeout=5000)
        # Half a file on the server: never kept as the last good playlist.
        playlist = site.out / "screens" / "wachtkamer-test" / "playlist.json"
        playlist.write_text('{"slides": [', encoding="utf-8")
        page.wait_for_timeout(2500)
        site.stop()
        # A server that accepts the connection and never answers: after the screen's
        # offline_wait_seconds (2 here; the default 8 would outlast the 5 s reload) the kept
        # copy shows.
        with _hanging(site.server.server_address[1]):
            page.reload(timeout=5000)
            page.locator('.slide.active[data-slide-id="nieuw-bericht.nl"]').wait_for(timeout=9000)
            assert page.locator("#stage").count() == 1  # the screen page, not an error page
        page.reload()  # nothing listens at all now
        page.locator('.slide.active[data-slide-id="nieuw-bericht.nl"]').wait_for(timeout=5000)
        assert page.locator("#stage").count() == 1
    finally:
        context.close()
    # The kiosk reboots with no network: a new browser on the same profile.
    context = _persistent(playwright, profile)
    try:
        page = _open_kiosk(context, site.url("?refresh=1"), errors)
        page.locator('.slide.active[data-slide-id="nieuw-bericht.nl"]').wait_for(timeout=5000)
        assert page.locator(".slide.active .headline").inner_text() != ""
        assert page.title().startswith("Consultatiebureau Test")
        page.wait_for_timeout(3000)  # keeps rotating the kept playlist, no error page
        assert page.locator("#stage").count() == 1
        assert active(page) == "nieuw-bericht.nl"
    finally:
        context.close()
    assert errors == []
