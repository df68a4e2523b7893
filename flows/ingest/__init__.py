"""Feed ingest: new entries from national sources become drafts in `content/inbox/` for review.

Stages, each a plain module: `sources` (read sources.yaml), `fetch` (HTTP with conditional GET,
size cap and the address-safety rule), `parse` (make bytes safe, then feedparser), `entries`
(feedparser entries to plain records), `htmlmd` (summary HTML to safe Markdown), `drafts`
(write the draft files), `tables` (state: ETag, Last-Modified, failures, seen entries), `run`
(wire them together for all sources) and `report` (what happened, for people).
"""
