"""Poster PDFs checked with real tools: poppler (pdfinfo, pdffonts, pdftotext, pdftoppm) and
zxing-cpp for the QR code. One sample poster with the longest texts the style allows is
rendered once per size for the whole module; a few extra renders check shrinking and bytes.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from channels.posters.layout import (
    BODY_MM,
    MIN_XHEIGHT_MM,
    SCALE,
    Size,
    fits,
    measures,
    xheight_mm,
)
from channels.posters.pdf import (
    PACKAGE,
    PackageFetcher,
    PosterPdf,
    PosterText,
    RefusedFetch,
    poster_html,
)
from channels.posters.pdf import render_pdf as render
from channels.shared.qr import short_address
from channels.shared.themes import MIN_CONTRAST, PALETTES, contrast

# Page sizes in pt as pdfinfo prints them (A4 595x842, A3 842x1191).
PAGE_PT: dict[Size, tuple[float, float]] = {"A4": (595.28, 841.89), "A3": (841.89, 1190.55)}
URL = "https://www.kansrijkestartnl.nl/campagne-mamaliefde-en-papaliefde-is/campagne-toolkit"
SAMPLE = PosterText(
    key="2027-03-08-posters-2027-w10.school-team",
    day=date(2027, 3, 8),
    lang="nl",
    theme="partners",
    # The longest texts a screen slide may have (style limits 60 and 180).
    headline="Samen met ouders praten over zorgen: zo begin je het gesprek",
    text=(
        "Veel leerkrachten merken dat een kind onrustig is. Begin met wat goed gaat, vraag wat "
        "de ouder zelf ziet en wat eerder hielp. Zo voelt een ouder zich gehoord en zoek je "
        "samen door."
    ),
    url=URL,
    campaign_title="Sterk begin – samen sterk in 2027",
    attribution="JGZ Regio Voorbeeld – campagne Sterk begin",
)
X_LETTERS = set("acemnorsuvwxz")  # no ascenders, descenders or dots: their height is the x-height


def tool(name: str) -> str:
    """The path of a poppler tool; skip without it, except in CI where it must be there."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} not found: install Debian's poppler-utils to check posters"
        # CI as tests/conftest.py reads it: set to anything but "", 0, false or no.
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def run(name: str, *args: str | Path) -> str:
    """Run a poppler tool and return its standard output."""
    done = subprocess.run([tool(name), *map(str, args)], capture_output=True, text=True, check=True)
    return done.stdout


def page_image(pdf: Path, dpi: int) -> Image.Image:
    """The first page as an RGB image at `dpi`."""
    stem = pdf.with_suffix(f".{dpi}")
    run("pdftoppm", "-r", str(dpi), "-png", "-singlefile", pdf, stem)
    return Image.open(stem.with_suffix(f".{dpi}.png")).convert("RGB")


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def words(pdf: Path) -> list[Word]:
    """Every word on the first page with its box in pt (pdftotext -bbox)."""
    out = run("pdftotext", "-bbox", pdf, "-")
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [
        Word(t, float(a), float(b), float(c), float(d))
        for a, b, c, d, t in re.findall(pattern, out)
    ]


def xheight_of(image: Image.Image, word: Word, dpi: int, threshold: int) -> float:
    """Measured height in mm of the ink inside a word's box."""
    k = dpi / 72
    box = (int(word.x0 * k), int(word.y0 * k), math.ceil(word.x1 * k), math.ceil(word.y1 * k))
    ink = image.convert("L").crop(box).point(lambda v: 255 if v < threshold else 0).getbbox()
    assert ink is not None, f"no ink in {word}"
    return (ink[3] - ink[1]) / dpi * 25.4


@pytest.fixture(scope="module")
def posters(tmp_path_factory: pytest.TempPathFactory) -> dict[Size, Path]:
    """The sample poster as A3 and A4 PDF files (A4 starts from the fit A3 needed)."""
    folder = tmp_path_factory.mktemp("posters")
    a3 = render(SAMPLE, "A3")
    a4 = render(SAMPLE, "A4", a3.fit_index)
    out: dict[Size, Path] = {}
    pairs: tuple[tuple[Size, PosterPdf], ...] = (("A3", a3), ("A4", a4))
    for size, pdf in pairs:
        assert pdf.data is not None, f"{size}: the longest allowed texts must fit on one page"
        assert pdf.fit.readable, f"{size}: {pdf.fit} is below the 2 m reading size"
        out[size] = folder / f"sample.{size.lower()}.pdf"
        out[size].write_bytes(pdf.data)
    return out


# Dots per inch of the page images: modules of the QR code and the x-height both ~40 px wide.
DPI: dict[Size, int] = {"A4": 150, "A3": 110}


@pytest.fixture(scope="module")
def images(posters: dict[Size, Path]) -> dict[Size, Image.Image]:
    """Each sample poster as an image, as a printer would see it."""
    return {size: page_image(pdf, DPI[size]) for size, pdf in posters.items()}


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_one_page_of_the_right_size(posters: dict[Size, Path], size: Size) -> None:
    info = run("pdfinfo", posters[size])
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts \((\w+)\)", info)
    assert found, info
    width, height = float(found[1]), float(found[2])
    assert (width, height) == pytest.approx(PAGE_PT[size], abs=0.5)
    assert found[3] == size
    assert re.search(r"Pages:\s+1\n", info)
    # Dates come from the edition day, so the bytes do not change with the clock.
    assert re.search(r"CreationDate:.* 2027 ", info)


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_only_the_bundled_font_is_used_and_embedded(posters: dict[Size, Path], size: Size) -> None:
    rows = run("pdffonts", posters[size]).splitlines()[2:]
    assert rows, "no fonts listed"
    names = set()
    for row in rows:
        columns = row.split()
        names.add(columns[0].partition("+")[2])
        assert columns[-5] == "yes", f"not embedded: {row}"
    assert names == {"Poster-Sans", "Poster-Sans-Bold"}


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_texts_are_printed(posters: dict[Size, Path], size: Size) -> None:
    text = " ".join(run("pdftotext", posters[size], "-").split())
    for expected in (SAMPLE.headline, SAMPLE.text, SAMPLE.campaign_title, SAMPLE.attribution):
        assert expected in text
    # A long address may wrap after a '/': compare without the line break.
    assert short_address(URL) in text.replace(" ", "")


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_qr_code_scans_to_the_url(images: dict[Size, Image.Image], size: Size) -> None:
    found = zxingcpp.read_barcodes(images[size])
    assert [code.text for code in found] == [URL]


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_nothing_leaves_the_page_or_overlaps_the_footer(
    posters: dict[Size, Path], size: Size
) -> None:
    width, height = PAGE_PT[size]
    boxes = words(posters[size])
    assert all(w.x0 >= 0 and w.x1 <= width and w.y0 >= 0 and w.y1 <= height for w in boxes)
    last_of_text = next(w for w in boxes if w.text == "door.")
    campaign = next(w for w in boxes if w.text == "Sterk")
    assert last_of_text.y1 < campaign.y0


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_body_text_reads_from_two_metres_on_a3(
    posters: dict[Size, Path], images: dict[Size, Image.Image], size: Size
) -> None:
    """The x-height measured in the rendered image, not taken from the CSS."""
    dpi, image = DPI[size], images[size]
    palette = PALETTES["partners"]
    lum = [
        int(palette.text[i : i + 2], 16) + int(palette.background[i : i + 2], 16) for i in (1, 3, 5)
    ]
    threshold = int(sum(lum) / 6)
    boxes = words(posters[size])
    body = [w for w in boxes if w.text == "een"]  # only in the text
    headline = [w for w in boxes if w.text in {"over", "zo"}]  # only in the headline
    assert body and headline
    scale = SCALE[size]
    body_x = min(xheight_of(image, w, dpi, threshold) for w in body)
    # Round letters overshoot the x-height a little (measured ~4 %), never undershoot it.
    assert body_x / scale >= MIN_XHEIGHT_MM
    headline_x = min(xheight_of(image, w, dpi, threshold) for w in headline)
    assert headline_x > body_x * 1.1


def test_same_poster_same_bytes(posters: dict[Size, Path]) -> None:
    again = render(SAMPLE, "A4")
    assert again.data == posters["A4"].read_bytes()
    other = render(replace(SAMPLE, key="another-key"), "A4")
    assert other.data != again.data  # the identifier follows the poster, not the clock


def test_text_longer_than_the_limits_shrinks_to_stay_on_one_page(tmp_path: Path) -> None:
    long = replace(SAMPLE, text=SAMPLE.text * 2)
    pdf = render(long, "A4")
    assert pdf.data is not None
    (tmp_path / "long.pdf").write_bytes(pdf.data)
    assert re.search(r"Pages:\s+1\n", run("pdfinfo", tmp_path / "long.pdf"))
    assert not pdf.fit.readable and pdf.fit.body_mm < BODY_MM


def test_css_sizes_meet_the_reading_distance() -> None:
    assert round(MIN_XHEIGHT_MM, 2) == 9.31
    normal = [f for f in fits() if f.body_mm == BODY_MM]
    assert normal and all(f.readable and f.headline_mm > f.body_mm for f in normal)
    assert xheight_mm(BODY_MM) >= MIN_XHEIGHT_MM
    a3, a4 = measures("A3", normal[0]), measures("A4", normal[0])
    assert a4.body == pytest.approx(a3.body / math.sqrt(2), abs=0.001)
    assert a4.qr == pytest.approx(a3.qr / math.sqrt(2), abs=0.001)


@pytest.mark.parametrize("theme", sorted(PALETTES))
def test_every_text_colour_pair_has_enough_contrast(theme: str) -> None:
    palette = PALETTES[theme]
    html = poster_html(replace(SAMPLE, theme=theme), "A3", fits()[0])
    css = html.split("<style>")[1].split("</style>")[0]
    text_colours = set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-f]{6})", css))
    backgrounds = set(re.findall(r"background:\s*(#[0-9a-f]{6})", css))
    assert text_colours == {palette.text}
    # The accent band carries only the icon and the label, which has the page background.
    assert backgrounds == {palette.background, palette.accent}
    label = re.search(r"\.label \{[^}]*\}", css)
    assert label and f"background: {palette.background}" in label[0]
    assert contrast(palette.text, palette.background) >= MIN_CONTRAST


def test_texts_are_escaped_in_the_html() -> None:
    html = poster_html(replace(SAMPLE, headline="<b>Tom & Jerry</b>"), "A4", fits()[0])
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in html and "<b>" not in html


def test_fetcher_loads_only_package_files_and_data() -> None:
    fetcher = PackageFetcher()
    font = (PACKAGE / "fonts" / "DejaVuSans.ttf").as_uri()
    response = fetcher.fetch(font)
    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    response.close()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    outside = [
        "http://127.0.0.1:9/poster.css",
        "https://example.org/font.ttf",
        "file:///etc/passwd",
        (PACKAGE / ".." / "base.py").as_uri(),
        (PACKAGE / "fonts" / "missing.ttf").as_uri(),
    ]
    for url in outside:
        with pytest.raises(RefusedFetch):
            fetcher.fetch(url)
