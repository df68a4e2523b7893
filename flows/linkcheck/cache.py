"""The link-check cache in the state database: last verdict per URL plus a short history.

The detail of a verdict is stored as a Phrase's JSON (flows.core.phrase), so it is shown in the
language of the run that shows it; a plain text (stored by an older version) is shown as it is.

A verdict is fresh for `link_ttl_ok_hours` when the link worked (ok or redirected) and for
`link_ttl_other_hours` otherwise; a fresh verdict is reused without any request. The history of
what each check actually observed lets one failure after a good check count as "unverified"
rather than "broken".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Column, Engine, Float, Integer, String, Table, Text, delete, insert, select

from flows.core import phrase
from flows.core.settings import Settings
from flows.infra.state import metadata
from flows.linkcheck.check import Hop, Result, Verdict

HISTORY_KEEP = 20
_CHUNK = 500  # URLs per IN (...) query: far below every database's parameter limit

link_checks = Table(
    "link_checks",
    metadata,
    Column("url", String, primary_key=True),
    Column("verdict", String(16), nullable=False),  # what was reported
    Column("observed", String(16), nullable=False),  # what the check itself saw
    Column("status", Integer, nullable=True),
    Column("final_url", Text, nullable=False, default=""),
    Column("redirects", Text, nullable=False, default="[]"),  # JSON [{url, status}]
    Column("detail", Text, nullable=False, default=""),
    Column("checked_at", Float, nullable=False),  # seconds since the epoch (UTC)
    Column("history", Text, nullable=False, default="[]"),  # JSON [[checked_at, observed]]
)


@dataclass
class Cached:
    """One row of the cache."""

    result: Result
    history: list[tuple[float, str]] = field(default_factory=list)

    def fresh(self, settings: Settings, now: float) -> bool:
        """True while the verdict is within its time to live."""
        working = self.result.verdict in (Verdict.OK, Verdict.REDIRECTED)
        hours = settings.link_ttl_ok_hours if working else settings.link_ttl_other_hours
        return now - self.result.checked_at < hours * 3600

    def last_decisive(self) -> str | None:
        """The last observation that said something (ok, redirected or broken)."""
        for _at, observed in reversed(self.history):
            if observed in (Verdict.OK, Verdict.REDIRECTED, Verdict.BROKEN):
                return observed
        return None


def _row_to_cached(row: object) -> Cached:
    m = row._mapping  # type: ignore[attr-defined]
    result = Result(
        url=m["url"],
        verdict=Verdict(m["verdict"]),
        status=m["status"],
        final_url=m["final_url"],
        redirects=[Hop(h["url"], int(h["status"])) for h in json.loads(m["redirects"])],
        detail=phrase.loads(m["detail"]),
        checked_at=float(m["checked_at"]),
        from_cache=True,
        observed=Verdict(m["observed"]),
        reached=True,
    )
    history = [(float(at), str(seen)) for at, seen in json.loads(m["history"])]
    return Cached(result, history)


def load(engine: Engine, urls: Iterable[str]) -> dict[str, Cached]:
    """The cached rows for these URLs (stale ones included: callers check freshness)."""
    wanted = list(dict.fromkeys(urls))
    out: dict[str, Cached] = {}
    with engine.connect() as conn:
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            for row in conn.execute(select(link_checks).where(link_checks.c.url.in_(chunk))):
                cached = _row_to_cached(row)
                out[cached.result.url] = cached
    return out


def save(engine: Engine, results: Sequence[Result], previous: dict[str, Cached]) -> None:
    """Store fresh results, extending each URL's history, in one transaction."""
    rows = []
    for r in results:
        before = previous.get(r.url)
        history = [
            *(before.history if before else []),
            (r.checked_at, str(r.observed or r.verdict)),
        ]
        rows.append(
            {
                "url": r.url,
                "verdict": str(r.verdict),
                "observed": str(r.observed or r.verdict),
                "status": r.status,
                "final_url": r.final_url,
                "redirects": json.dumps([{"url": h.url, "status": h.status} for h in r.redirects]),
                "detail": phrase.dumps(r.detail),
                "checked_at": r.checked_at,
                "history": json.dumps(history[-HISTORY_KEEP:]),
            }
        )
    if not rows:
        return
    with engine.begin() as conn:
        for i in range(0, len(rows), _CHUNK):
            chunk = rows[i : i + _CHUNK]
            conn.execute(
                delete(link_checks).where(link_checks.c.url.in_([r["url"] for r in chunk]))
            )
            conn.execute(insert(link_checks), chunk)
