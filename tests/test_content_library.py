"""The bundled starter library: complete, covering the brief, and clean under its own checks."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest
import yaml

from channels.newsletter.partners import load_partners
from flows.core.findings import Severity
from flows.core.models import AUDIENCES, PUBLIC_AUDIENCES, THEMES, Message, Source
from flows.library.loader import Library, load_library
from flows.library.safe_yaml import parse_yaml
from flows.publishing.checking import check_library as run_checks
from tests.channel_inputs import screens_of
from tests.conftest import CONTENT

# A fixed day inside the campaign, so date warnings never depend on when the suite runs.
CAMPAIGN_START = date(2027, 1, 4)


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(CONTENT)


def test_library_has_no_errors(library: Library) -> None:
    findings = run_checks(library, today=CAMPAIGN_START)
    errors = [f.format() for f in findings if f.severity is Severity.ERROR]
    assert errors == []
    assert library.files >= 30


def test_every_theme_and_audience_is_covered(library: Library) -> None:
    dutch = [m for m in library.messages if m.lang == "nl"]
    assert len(dutch) >= 30
    assert {m.theme for m in dutch} == set(THEMES)
    per_audience = Counter(a for m in dutch for a in m.audiences)
    assert set(per_audience) == set(AUDIENCES)
    assert min(per_audience.values()) >= 4, per_audience
    # Staff messages live mostly under 'partners', but not only there.
    staff_themes = {m.theme for m in dutch if not set(m.audiences) & PUBLIC_AUDIENCES}
    assert "partners" in staff_themes and len(staff_themes) >= 3


def test_translations_share_the_id(library: Library) -> None:
    english = [m for m in library.messages if m.lang == "en"]
    assert len(english) >= 3
    for m in english:
        original = library.message(m.id, "nl")
        assert original is not None, f"{m.id}.en has no Dutch original"
        assert original.theme == m.theme and original.audiences == m.audiences


def test_file_names_match_front_matter(library: Library) -> None:
    for m in library.messages:
        assert m.path.name == f"{m.id}.{m.lang}.md"
        assert m.path.parent.name == m.theme


def test_campaign_is_twelve_weeks_from_monday(library: Library) -> None:
    (campaign,) = [c for c in library.campaigns if c.id == "sterk-begin-2027"]
    assert campaign.period.start == CAMPAIGN_START and CAMPAIGN_START.weekday() == 0
    assert campaign.period.end == CAMPAIGN_START + timedelta(weeks=12, days=-1)
    assert len(campaign.weeks) == 12
    assert set(campaign.audiences) == set(AUDIENCES)
    assert {w.theme for w in campaign.weeks} == set(THEMES)
    live = [m for m in library.messages if m.is_live(CAMPAIGN_START)]
    for week in campaign.weeks:
        audiences = {a for m in live if m.theme == week.theme for a in m.audiences}
        assert len(audiences) >= 2, f"week theme {week.theme} reaches only {audiences}"


def test_screens(library: Library) -> None:
    screens = screens_of(library)
    assert len(screens) == 6
    assert sum(s.orientation == "portrait" for s in screens) >= 2
    covered = {a for s in screens for a in s.audiences}
    assert covered == PUBLIC_AUDIENCES


def test_partners_load_cleanly() -> None:
    partners, findings = load_partners(CONTENT / "partners.example.csv")
    assert findings == []
    assert len(partners) == 10
    assert {p.kind for p in partners} == {"kinderopvang", "school"}
    assert all(p.email.endswith(".example.org") for p in partners)
    assert sum(p.language == "en" for p in partners) == 1
    assert sum(p.unsubscribed for p in partners) == 1


def test_sources_validate() -> None:
    parsed = parse_yaml((CONTENT / "sources.yaml").read_text(encoding="utf-8"))
    sources = [Source(**item) for item in parsed.data["sources"]]
    assert len(sources) == 4
    assert all(s.url.startswith("https://") for s in sources)
    assert sum(not s.enabled for s in sources) == 1


def _public_text(m: Message) -> str:
    parts = [m.title, m.screen.headline, m.screen.text, m.body, *(r.title for r in m.resources)]
    return "\n".join(parts).casefold()


def test_no_jargon_for_parents_and_young_people(library: Library) -> None:
    style = yaml.safe_load((CONTENT / "style.yaml").read_text(encoding="utf-8"))
    terms = [t.casefold() for t in style["jargon"]]
    assert "early life stress" in terms and "allostatische belasting" in terms
    # Whole words only: 'els' is jargon, 'kriebels' is not.
    patterns = {t: re.compile(rf"(?<![\w-]){re.escape(t)}(?![\w-])") for t in terms}
    public = [m for m in library.messages if set(m.audiences) & PUBLIC_AUDIENCES]
    assert len(public) >= 25
    hits = [
        f"{m.path.name}: {term}"
        for m in public
        for term, pattern in patterns.items()
        if pattern.search(_public_text(m))
    ]
    assert hits == []
