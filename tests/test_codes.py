"""The catalogue of finding codes (`flows/core/codes.py`) against the code, README.md and fixtures.

Documentation tests in the style of Datasette's: they fail when the catalogue, the code that
reports findings and the documentation drift apart.

- Every code literal in `flows/` and `channels/` is in the catalogue, and every catalogue code
  is still written somewhere (no stale entries). Where a literal is followed by `Severity.X`,
  that is the catalogue's severity (the known exceptions are listed in `MIXED_SEVERITY`).
- README.md's code tables (`| code | severity | what |`, one severity per row; a row may list
  `S120, S121` or a range `S100-S106`) list exactly the catalogue's codes, each with its
  severity and under the `##` section the catalogue names.
- Every code is expected by at least one data-driven fixture case, or by one named test listed
  in `OTHER_CASES`. The fixture families:

  - `tests/fixtures/checks/<case>/` (S, T, D, P; run by tests/test_checks_fixtures.py): a
    content folder and `expected.txt`.
  - `tests/fixtures/partners/<case>.csv` (N): a partner list whose first lines are `#` comments,
    what it tests, then `# expect: LINE CODE` per finding; LINE counts the lines of the fixture
    file as an editor shows them (0: the whole file). The comment lines are left out of the
    list handed to `load_partners`.
  - `tests/fixtures/sources/<case>/` (I): `sources.yaml` (none: the file is missing) and
    `expected.txt`; `{BASE}` is a feed server on 127.0.0.1 (tests/ingest_server.py, serving
    tests/fixtures/ingest/ under `/feeds/`). `# runs: N` runs the ingest N times; the last
    run's findings count.
  - `tests/fixtures/links/cases/<case>/` (L): a content folder and `expected.txt`; `{BASE}` and
    `{BASE2}` are two behaviour servers on 127.0.0.1 (tests/fixtures/links/httpserver.py),
    `{CLOSED}` a port where nothing listens.

  `expected.txt` is the format of the check fixtures: `#` lines first (what the case tests),
  then one `path:line:col: CODE` line per finding, nothing more and nothing less.
  Every finding a case reports must also have its code's catalogue severity.
"""

from __future__ import annotations

import ast
import functools
import itertools
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from flows.core import codes
from flows.core.codes import CODES, FAMILIES, TABLE, UnknownCodeError, lookup
from flows.core.findings import Finding, Severity

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
CATALOGUE = REPO / "flows" / "core" / "codes.py"
SOURCE_ROOTS = ("flows", "channels")
CODE = re.compile(r"[A-Z]\d{3}")

# A code emitted with a severity other than the catalogue's: (code, severity) -> where and why.
# Listed so the test passes today and fails once the call site is fixed (then remove the entry).
MIXED_SEVERITY: dict[tuple[str, Severity], str] = {
    ("T202", Severity.WARNING): (
        "flows/checks/tone.py reports a warning; DEFAULT_HOLD in flows/checks/__init__.py makes "
        "it an error unless style.yaml's hold: says warning"
    ),
    ("T211", Severity.WARNING): (
        "flows/checks/readability.py reports a warning; DEFAULT_HOLD in flows/checks/__init__.py "
        "makes it an error unless style.yaml's hold: says warning"
    ),
    ("I500", Severity.INFO): (
        "flows/ingest/sources.py: 'there is no sources.yaml' is information under the code of "
        "the sources.yaml errors"
    ),
}

# Codes whose case is a test rather than a fixture: code -> "path::test" (the test must write the
# code as a literal). Files too big, binary or symlinked to commit are made at test time.
OTHER_CASES: dict[str, str] = {
    "S100": "tests/test_checks_hostile.py::test_binary_file",
    "S101": "tests/test_checks_hostile.py::test_ten_megabyte_file",
    "S102": "tests/test_checks_hostile.py::test_symlink_outside",
    "I509": "tests/test_codes.py::test_entry_that_makes_no_valid_draft_is_skipped",
}

CHECK_CASES = sorted(p.parent for p in (FIXTURES / "checks").rglob("expected.txt"))
PARTNER_CASES = sorted((FIXTURES / "partners").glob("*.csv"))
SOURCE_CASES = sorted(p.parent for p in (FIXTURES / "sources").glob("*/expected.txt"))
LINK_CASES = sorted(p.parent for p in (FIXTURES / "links" / "cases").glob("*/expected.txt"))
INGEST_TODAY = date(2026, 11, 28)


# --- the catalogue itself ---------------------------------------------------------------------


def test_catalogue_is_a_table_of_unique_well_formed_codes() -> None:
    assert len(CODES) == len(TABLE), "a code is in the table twice"
    for entry in TABLE:
        assert CODE.fullmatch(entry.code) and entry.family in FAMILIES, entry
        assert isinstance(entry.severity, Severity) and entry.text.strip(), entry
        assert entry.doc == f"README.md#{entry.section}"
    assert [c.code for c in TABLE] == sorted(CODES, key=lambda c: (list(FAMILIES).index(c[0]), c))


def test_lookup() -> None:
    assert lookup("S110").severity is Severity.ERROR
    assert lookup("L403").severity is Severity.INFO and lookup("L403").family == "L"
    assert [c.code for c in codes.family("D")] == ["D301", "D302"]
    with pytest.raises(UnknownCodeError, match="X999"):
        lookup("X999")


# --- the catalogue against the code -----------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    """A code written in the source: where, and the `Severity.X` right after it, if any."""

    code: str
    where: str
    severity: Severity | None


def _is_code(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CODE.fullmatch(node.value) is not None
    )


@functools.cache
def code_literals() -> tuple[Literal, ...]:
    """Every string constant that is a code, in flows/ and channels/ (the catalogue left out)."""
    found: list[Literal] = []
    for root in SOURCE_ROOTS:
        for path in sorted((REPO / root).rglob("*.py")):
            if path == CATALOGUE:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            after: dict[int, Severity] = {}
            for node in ast.walk(tree):
                items: list[ast.expr] = []
                if isinstance(node, ast.Call):
                    items = node.args
                elif isinstance(node, ast.Tuple | ast.List):
                    items = node.elts
                for a, b in itertools.pairwise(items):
                    if (
                        _is_code(a)
                        and isinstance(b, ast.Attribute)
                        and isinstance(b.value, ast.Name)
                        and b.value.id == "Severity"
                    ):
                        after[id(a)] = Severity[b.attr]
            rel = path.relative_to(REPO).as_posix()
            for node in ast.walk(tree):
                if _is_code(node):
                    assert isinstance(node, ast.Constant) and isinstance(node.value, str)
                    found.append(Literal(node.value, f"{rel}:{node.lineno}", after.get(id(node))))
    return tuple(found)


def test_every_code_in_the_source_is_in_the_catalogue_and_back() -> None:
    literals = code_literals()
    assert len(literals) >= len(CODES)
    unknown = sorted(f"{lit.where}: {lit.code}" for lit in literals if lit.code not in CODES)
    assert unknown == [], "codes missing from flows/core/codes.py"
    written = {lit.code for lit in literals}
    stale = sorted(set(CODES) - written)
    assert stale == [], "catalogue codes that nothing reports any more: remove them"


def test_severities_in_the_source_are_the_catalogues() -> None:
    wrong: dict[tuple[str, Severity], list[str]] = {}
    for lit in code_literals():
        if lit.code in CODES and lit.severity not in (None, CODES[lit.code].severity):
            wrong.setdefault((lit.code, lit.severity), []).append(lit.where)
    unexpected = {k: v for k, v in wrong.items() if k not in MIXED_SEVERITY}
    assert unexpected == {}, "a code reported with another severity than the catalogue's"
    fixed = sorted(k for k in MIXED_SEVERITY if k not in wrong)
    assert fixed == [], "fixed at last: remove these from MIXED_SEVERITY"


def assert_catalogue_severities(findings: Iterable[Finding]) -> None:
    """Every finding has a catalogue code with the catalogue's severity (or a known exception)."""
    for f in findings:
        entry = CODES.get(f.code)
        assert entry is not None, f"{f.format()}: {f.code} is not in flows/core/codes.py"
        if (f.code, f.severity) not in MIXED_SEVERITY:
            assert f.severity is entry.severity, f"{f.format()}: {f.severity}, not {entry.severity}"


# --- the catalogue against README.md ----------------------------------------------------------

README_PATH = REPO / "README.md"
_TABLE_HEADER = re.compile(r"^\|\s*code\s*\|\s*severity\s*\|\s*what\s*\|\s*$")
_SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")
_CELL_CODES = re.compile(r"([A-Z])(\d{3})(?:-([A-Z])(\d{3}))?")


@dataclass(frozen=True)
class Row:
    """One code as a README table lists it."""

    code: str
    severity: str
    section: str
    line: int


def anchor(heading: str) -> str:
    """The GitHub anchor of a heading: lowercase, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _expand(cell: str, where: str) -> list[str]:
    out: list[str] = []
    for part in cell.replace("`", "").split(","):
        m = _CELL_CODES.fullmatch(part.strip())
        assert m, (
            f"{where}: cannot read the code {part.strip()!r} (write S100, S120, S121 or S100-S106)"
        )
        first, last = int(m[2]), int(m[4] or m[2])
        assert (m[3] or m[1]) == m[1] and last >= first, f"{where}: bad range {part.strip()!r}"
        out.extend(f"{m[1]}{n:03d}" for n in range(first, last + 1))
    return out


def readme_rows(text: str) -> list[Row]:
    """Every code in a `| code | severity | what |` table, with the section it is under."""
    rows: list[Row] = []
    section, fenced, in_table = "", False, False
    for number, line in enumerate(text.splitlines(), 1):
        where = f"README.md:{number}"
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        if line.startswith("## "):
            section, in_table = anchor(line[3:]), False
        elif _TABLE_HEADER.match(line):
            in_table = True
        elif in_table and _SEPARATOR.match(line):
            continue
        elif in_table and line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            assert len(cells) == 3 and cells[2], f"{where}: a row needs code, severity and what"
            assert cells[1] in {s.value for s in Severity}, (
                f"{where}: severity {cells[1]!r}; one of error, warning, info per row "
                "(split a row whose codes differ)"
            )
            rows.extend(Row(c, cells[1], section, number) for c in _expand(cells[0], where))
        else:
            in_table = False
    return rows


def test_readme_parser() -> None:
    text = (
        "## Some Section\n\n| code | severity | what |\n|---|---|---|\n"
        "| S100-S102, S105 | error | a \\| b |\n| `T201` | warning | c |\n\nafter\n"
        "```\n| code | severity | what |\n```\n## Next: one\n| X100 | error | not a table |\n"
    )
    got = [(r.code, r.severity, r.section, r.line) for r in readme_rows(text)]
    assert got == [
        ("S100", "error", "some-section", 5),
        ("S101", "error", "some-section", 5),
        ("S102", "error", "some-section", 5),
        ("S105", "error", "some-section", 5),
        ("T201", "warning", "some-section", 6),
    ]
    assert anchor("Voor het communicatieteam") == "voor-het-communicatieteam"
    with pytest.raises(AssertionError, match="one of error, warning, info"):
        readme_rows(
            "| code | severity | what |\n|---|---|---|\n| P701, P702 | error / warning | x |\n"
        )


def test_readme_tables_list_exactly_the_catalogue() -> None:
    rows = readme_rows(README_PATH.read_text(encoding="utf-8"))
    seen: dict[str, Row] = {}
    for row in rows:
        assert row.code not in seen, f"README.md:{row.line}: {row.code} is listed twice"
        seen[row.code] = row
    problems = [
        f"{c}: in the catalogue, in no README.md code table" for c in CODES if c not in seen
    ]
    for r in rows:
        entry = CODES.get(r.code)
        if entry is None:
            problems.append(f"README.md:{r.line}: {r.code} is not in the catalogue")
        elif (r.severity, r.section) != (entry.severity.value, entry.section):
            problems.append(
                f"README.md:{r.line}: {r.code} is {r.severity} under #{r.section}; the "
                f"catalogue says {entry.severity.value} under #{entry.section}"
            )
    assert problems == []


# --- fixture cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """What a fixture case expects: `path:line:col: CODE` lines and its `# key: value` options."""

    expected: list[str]
    options: dict[str, str]
    header: list[str]


_OPTION = re.compile(r"#\s*(today|runs):\s*(\S+)\s*")


def read_case(expected_txt: Path) -> Case:
    expected, options, header = [], {}, []
    for raw in expected_txt.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if m := _OPTION.fullmatch(line):
            options[m[1]] = m[2]
        elif line.startswith("#"):
            header.append(line)
        elif line:
            expected.append(line)
    return Case(sorted(expected), options, header)


def case_codes(case: Case) -> set[str]:
    """The codes in a case's expected lines."""
    return {line.rsplit(": ", 1)[1].strip() for line in case.expected}


def formatted(findings: Iterable[Finding]) -> list[str]:
    return sorted(f"{Path(f.path).as_posix()}:{f.line}:{f.column}: {f.code}" for f in findings)


def _says_what_it_tests(header: list[str], name: str) -> None:
    assert header and header[0].startswith("# ") and len(header[0]) > 10, (
        f"{name}: start with a comment line saying what the case tests"
    )


# Partner lists: tests/fixtures/partners/<case>.csv


@dataclass(frozen=True)
class PartnerCase:
    header: list[str]
    expected: list[tuple[int, str]]
    offset: int  # comment lines before the CSV itself
    csv: bytes


_EXPECT_PARTNER = re.compile(r"#\s*expect:\s*(\d+)\s+([A-Z]\d{3})\s*")


def read_partner_case(path: Path) -> PartnerCase:
    lines = path.read_bytes().splitlines(keepends=True)
    n = 0
    while n < len(lines) and lines[n].startswith(b"#"):
        n += 1
    header = [line.decode("utf-8").strip() for line in lines[:n]]
    expected = sorted(
        (int(m[1]), m[2]) for line in header if (m := _EXPECT_PARTNER.fullmatch(line))
    )
    return PartnerCase(header, expected, n, b"".join(lines[n:]))


@pytest.mark.parametrize("path", PARTNER_CASES, ids=lambda p: p.name)
def test_partner_case(path: Path, tmp_path: Path) -> None:
    from channels.newsletter.partners import load_partners

    case = read_partner_case(path)
    _says_what_it_tests(case.header, path.name)
    assert case.expected, f"{path.name}: add '# expect: LINE CODE' lines"
    csv = tmp_path / path.name
    csv.write_bytes(case.csv)
    _partners, findings = load_partners(csv)
    got = sorted((f.line + case.offset if f.line else 0, f.code) for f in findings)
    assert got == case.expected, "\n".join(f.format() for f in findings)
    assert_catalogue_severities(findings)


# Feed sources and ingest runs: tests/fixtures/sources/<case>/


@pytest.fixture(scope="module")
def feed_base() -> Iterator[str]:
    from tests.ingest_server import feed_server

    with feed_server() as (base, _served):
        yield base


def _ingest_settings(tmp_path: Path) -> Any:
    from flows.core.settings import load_settings

    return load_settings(
        content_dir=tmp_path / "content",
        out_dir=tmp_path / "out",
        net_allow=["127.0.0.1"],
        link_timeout=3.0,
        link_connect_timeout=2.0,
    )


@pytest.mark.parametrize("case_dir", SOURCE_CASES, ids=lambda p: p.name)
def test_sources_case(case_dir: Path, feed_base: str, tmp_path: Path) -> None:
    from flows.ingest.run import run_ingest

    case = read_case(case_dir / "expected.txt")
    _says_what_it_tests(case.header, case_dir.name)
    settings = _ingest_settings(tmp_path)
    settings.content_dir.mkdir()
    sources = case_dir / "sources.yaml"
    if sources.exists():
        text = sources.read_text(encoding="utf-8").replace("{BASE}", feed_base)
        (settings.content_dir / "sources.yaml").write_text(text, encoding="utf-8")
    today = date.fromisoformat(case.options.get("today", INGEST_TODAY.isoformat()))
    for _ in range(int(case.options.get("runs", "1"))):
        result = run_ingest(settings, today=today)
    findings = result.all_findings
    assert formatted(findings) == case.expected, "\n".join(f.format() for f in findings)
    assert_catalogue_severities(findings)


def test_entry_that_makes_no_valid_draft_is_skipped(
    feed_base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """I509. A draft is built from parts that are each validated, so no feed we know of makes
    one that does not load; writing the draft is made to fail the way validation does."""
    from flows.ingest import run

    def invalid(*args: object, **kwargs: object) -> object:
        raise ValueError("1 validation error for Message\nscreen.headline: too short")

    monkeypatch.setattr(run, "write_draft", invalid)
    settings = _ingest_settings(tmp_path)
    settings.content_dir.mkdir()
    (settings.content_dir / "sources.yaml").write_text(
        f"sources:\n  - name: bron\n    url: {feed_base}/feeds/rss20.xml\n    theme: slapen\n"
        "    audiences: [ouders-jonge-kinderen]\n",
        encoding="utf-8",
    )
    result = run.run_ingest(settings, today=INGEST_TODAY)
    (source,) = result.sources
    assert source.entries >= 1 and source.drafts == []
    assert [f.code for f in result.all_findings] == ["I509"] * source.entries
    assert "not make a valid draft (1 validation error for Message)" in source.findings[0].message
    assert_catalogue_severities(result.all_findings)


# Link checks: tests/fixtures/links/cases/<case>/


@pytest.fixture(scope="module")
def link_servers() -> Iterator[Any]:
    from tests.fixtures.links.httpserver import serving

    with serving(count=2) as servers:
        yield servers


@pytest.mark.parametrize("case_dir", LINK_CASES, ids=lambda p: p.name)
def test_link_case(case_dir: Path, link_servers: Any, tmp_path: Path) -> None:
    from flows.core.settings import load_settings
    from flows.library.loader import load_library
    from flows.linkcheck.check import Options
    from flows.linkcheck.run import run_link_check
    from tests.fixtures.links.httpserver import closed_port

    case = read_case(case_dir / "expected.txt")
    _says_what_it_tests(case.header, case_dir.name)
    content = tmp_path / "content"
    shutil.copytree(case_dir / "content", content)
    markers = {
        "{BASE2}": link_servers.servers[1].base,
        "{BASE}": link_servers.servers[0].base,
        "{CLOSED}": f"http://127.0.0.1:{closed_port()}",
    }
    for path in content.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        for marker, value in markers.items():
            text = text.replace(marker, value)
        path.write_text(text, encoding="utf-8")
    settings = load_settings(content_dir=content, out_dir=tmp_path / "out", net_allow=["127.0.0.1"])
    fast = Options(total_timeout=2.0, connect_timeout=1.0, backoff=0.05, retry_after_cap=2.0)
    report = run_link_check(load_library(content), settings, options=fast)
    assert formatted(report.findings) == case.expected, "\n".join(
        f.format() for f in report.findings
    )
    assert_catalogue_severities(report.findings)


def test_check_cases_report_catalogue_severities() -> None:
    """The check fixtures' findings (their lines are tests/test_checks_fixtures.py's business)."""
    from flows.library.loader import load_library
    from flows.publishing.checking import check_library as run_checks

    for case_dir in CHECK_CASES:
        case = read_case(case_dir / "expected.txt")
        today = date.fromisoformat(case.options.get("today", "2026-12-01"))
        assert_catalogue_severities(run_checks(load_library(case_dir / "content"), today=today))


# --- every code has a case ----------------------------------------------------------------------


@functools.cache
def fixture_cases() -> dict[str, list[str]]:
    """Code -> the fixture cases that expect it (paths under tests/fixtures/)."""
    by_code: dict[str, list[str]] = {}

    def add(name: Path, found: Iterable[str]) -> None:
        for code in found:
            by_code.setdefault(code, []).append(name.relative_to(FIXTURES).as_posix())

    for case_dir in [*CHECK_CASES, *SOURCE_CASES, *LINK_CASES]:
        add(case_dir, case_codes(read_case(case_dir / "expected.txt")))
    for path in PARTNER_CASES:
        add(path, {code for _, code in read_partner_case(path).expected})
    return by_code


def test_cases_expect_only_catalogue_codes() -> None:
    unknown = {c: cases for c, cases in fixture_cases().items() if c not in CODES}
    assert unknown == {}, "fixture cases expect codes that are not in flows/core/codes.py"
    assert sorted(set(OTHER_CASES) - set(CODES)) == []


@pytest.mark.parametrize("name", sorted(set(OTHER_CASES.values())))
def test_other_case_exists_and_names_its_code(name: str) -> None:
    file, test = name.split("::")
    source = (REPO / file).read_text(encoding="utf-8")
    (func,) = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name == test
    ]
    text = ast.get_source_segment(source, func) or ""
    for code in (c for c, case in OTHER_CASES.items() if case == name):
        assert f'"{code}"' in text, f"{name} does not assert {code}"


@pytest.mark.parametrize("code", list(CODES))
def test_code_has_a_case(code: str) -> None:
    cases = [*fixture_cases().get(code, []), *([OTHER_CASES[code]] if code in OTHER_CASES else [])]
    assert cases, (
        f"{code} ({lookup(code).text}) is expected by no fixture case: add one (see the "
        "docstring of tests/test_codes.py), or name the test that asserts it in OTHER_CASES"
    )
