"""The whole demo output, compared with a committed copy (Pelican-style golden folder).

`veerkracht demo` publishes the bundled campaign's first day and its first newsletter day and
writes the four-week calendar. Here the same days are published into a temporary folder (with
`publish_plain`, the flow's steps without Prefect) and the whole tree, reports and calendars
included, must equal `tests/fixtures/golden/demo/`: a channel missing from any output, a file
too many or too few, or any changed byte fails. Values that depend on the clock (the e-mail Date
header, DTSTAMP, a playlist's generated_at) are replaced by a marker before comparing.

Regenerate on purpose only: `VEERKRACHT_REGENERATE_GOLDEN=1 pytest tests/test_demo_golden.py`,
then read the diff before committing it.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest

from channels.base import Channel
from flows.cli.commands.demo import publish_demo
from flows.core.settings import Settings
from flows.infra.outputs import VERSIONS
from flows.publishing.publish import publish_plain, summary_line
from flows.publishing.registry import channels
from tests.conftest import CONTENT

GOLDEN = Path(__file__).parent / "fixtures" / "golden" / "demo"
REGENERATE = os.environ.get("VEERKRACHT_REGENERATE_GOLDEN") == "1"
CLOCK = [
    (re.compile(rb"^Date: .*$", re.MULTILINE), b"Date: <now>"),
    (re.compile(rb"^DTSTAMP:\d{8}T\d{6}Z", re.MULTILINE), b"DTSTAMP:<now>"),
    (re.compile(rb'"generated_at": ?"[^"]*"'), b'"generated_at":"<now>"'),
    (re.compile(rb"&#34;generated_at&#34;:&#34;[^&]*&#34;"), b"&#34;generated_at&#34;:<now>"),
]


def _plain(settings: Settings, day: date) -> str:
    return summary_line(publish_plain(settings, day, any_day=True))


def comparable(data: bytes) -> bytes:
    """The file with clock-dependent values replaced."""
    for pattern, marker in CLOCK:
        data = pattern.sub(marker, data)
    return data


def tree(root: Path) -> dict[str, bytes]:
    """Every output file under `root` as a web server serves it (relative path -> comparable
    bytes): a folder that is a link (a screen's) is followed; the `_versions` behind those links
    are not listed again."""
    found = {}
    for folder, dirs, names in os.walk(root, followlinks=True):
        dirs[:] = [d for d in dirs if d != VERSIONS]
        for name in names:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix()] = comparable(path.read_bytes())
    return dict(sorted(found.items()))


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "out"
    publish_demo(CONTENT, out, _plain)
    return out


@pytest.fixture(scope="module")
def demo_out(demo_dir: Path) -> dict[str, bytes]:
    produced = tree(demo_dir)
    if REGENERATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in produced.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
    return produced


def test_the_whole_demo_output_equals_the_golden_folder(demo_out: dict[str, bytes]) -> None:
    golden = tree(GOLDEN)
    assert golden, f"missing {GOLDEN}; regenerate on purpose (see the module docstring)"
    assert sorted(demo_out) == sorted(golden), "files differ (missing or extra outputs)"
    changed = [rel for rel in golden if demo_out[rel] != golden[rel]]
    assert changed == [], f"{len(changed)} file(s) differ from the golden copy: {changed[:5]}"


DAILY = {"screens"}  # channels whose editions go out every day


def test_every_channel_is_in_every_output_of_the_demo(demo_out: dict[str, bytes]) -> None:
    """Independent of the golden copy: each channel wrote files, is in the calendars and in a
    publish report (the first version's plan had no newsletter and no test noticed)."""
    plan_html = demo_out["reports/plan.html"].decode()
    plan_ics = demo_out["reports/plan.ics"].decode()
    reports = "".join(v.decode() for k, v in demo_out.items() if k.startswith("reports/publish-"))
    for name, ch in channels().items():
        folders = [folder for folder, _ in ch.outputs]
        assert any(rel.split("/")[0] in folders for rel in demo_out), f"{name}: no files"
        assert ch.label.nl in plan_html, f"{name} missing from plan.html"
        if name in DAILY:  # plays every day: in the overview, never a daily agenda event
            assert f"SUMMARY:{ch.label.nl}:" not in plan_ics, f"{name}: daily events in plan.ics"
        else:
            assert f"SUMMARY:{ch.label.nl}:" in plan_ics, f"{name} missing from plan.ics"
        assert f"| {name} |" in reports, f"{name} missing from the publish reports"


def test_the_plan_links_to_what_each_channel_published(demo_out: dict[str, bytes]) -> None:
    """Each channel that gives its editions a page (newsletter archive, feed, poster PDF) is
    linked from plan.html, and the links of the published days open a published file."""
    hrefs = {
        unquote(h.removeprefix("../"))
        for h in re.findall(r'href="([^"]+)"', demo_out["reports/plan.html"].decode())
        if h.startswith("../")
    }
    checked = set()
    for name, ch in channels().items():
        if type(ch).plan_link is Channel.plan_link:
            continue  # no page of its own (a screen is shown where it hangs)
        folders = {folder for folder, _ in ch.outputs}
        linked = {h for h in hrefs if h.split("/")[0] in folders}
        assert linked, f"{name}: plan.html links none of its editions"
        assert linked & set(demo_out), f"{name}: no plan link opens a published file"
        checked.add(name)
    assert {"newsletter", "feeds", "posters"} <= checked


def test_public_outputs_are_world_readable_and_messages_private(demo_dir: Path) -> None:
    """A web server that runs as another user must be able to read what is published (the first
    version wrote feeds, reports and the archive 0600); an e-mail in the outbox names its
    recipient and stays private; the state database is not in out/ at all."""
    modes = {
        p.relative_to(demo_dir).as_posix(): p.stat().st_mode & 0o777
        for p in demo_dir.rglob("*")
        if p.is_file()
    }
    assert not [rel for rel in modes if rel.startswith("state")]
    private = {rel: m for rel, m in modes.items() if rel.startswith("outbox/")}
    public = {rel: m for rel, m in modes.items() if not rel.startswith("outbox/")}
    assert private and set(private.values()) == {0o600}
    assert public and set(public.values()) == {0o644}, {r: oct(m) for r, m in public.items()}
