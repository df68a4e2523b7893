"""The URL acceptance rule: which addresses this tool accepts (in content, feeds, redirects).

One owner, `flows.core.urls.url_problem`. The content check (S120), the link collector (L405),
sources.yaml (I500), feed entry links and summary links, redirect targets (link check and
ingest) and every request the safe client sends all ask it; the tests below run one table of
ordinary and hostile addresses through the owner and through each of those call sites. The
newsletter's own checks (until its caller is switched) are pinned as they are today.
"""

from __future__ import annotations

import asyncio
import html
from typing import Any

import httpx
import pytest

from flows.core import urls
from flows.core.settings import load_settings
from flows.core.urls import url_problem

# (url, what the owner says (a phrase of its reason, None: accepted),
#  newsletter compose.safe_link today, newsletter plaintext._safe_url today)
TABLE = [
    ("https://www.ncj.nl/themadossiers/", None, True, True),
    ("http://example.org", None, True, True),
    ("HTTPS://Example.ORG/a", None, False, False),
    ("https://example.org:8443/a?b=c#d", None, True, True),
    ('https://example.org/?q=<x>&y="z"', None, True, True),
    ("https://example.org/pad/naar/pagina.html#kopje", None, True, True),
    (" https://example.org", "spaces or invisible", False, False),
    ("https://example.org ", "spaces or invisible", True, True),
    ("https://exa mple.org", "spaces or invisible", True, True),
    ("https://example.org/a b", "spaces or invisible", True, True),
    ("https://example.org/\u2028", "spaces or invisible", True, True),
    ("https://example.org/\u200b", "spaces or invisible", True, True),
    ("https://example.org/\u202e", "spaces or invisible", True, True),
    ("https://example.org/\xa0", "spaces or invisible", True, True),
    ("https://example.org/\x00", "spaces or invisible", True, True),
    ("https://example.org/\t", "spaces or invisible", True, True),
    ("https://example.org/\r\n", "spaces or invisible", True, True),
    ("javascript:alert(1)", "which is not allowed", False, False),
    ("JavaScript:alert(1)", "which is not allowed", False, False),
    (" javascript:alert(1)", "spaces or invisible", False, False),
    ("java\nscript:alert(1)", "spaces or invisible", False, False),
    ("data:text/html,x", "which is not allowed", False, False),
    ("file:///etc/passwd", "which is not allowed", False, False),
    ("ftp://example.org/", "which is not allowed", False, False),
    ("mailto:a@example.org", "which is not allowed", False, True),
    ("tel:+31201234567", "which is not allowed", False, False),
    ("#kopje", "not a web address", False, False),
    ("/relatief", "not a web address", False, False),
    ("pagina.html", "start it with https://", False, False),
    ("www.example.org", "start it with https://", False, False),
    ("example.org/x", "start it with https://", False, False),
    ("//example.org/x", "not a web address", False, False),
    ("https:example.org", "no site name", False, False),
    ("https:/example.org", "no site name", False, False),
    ("https:///example.org", "no site name", True, True),
    ("https://", "no site name", True, True),
    ("http://", "no site name", True, True),
    ("https://?x", "no site name", True, True),
    ("https://#x", "no site name", True, True),
    ("", "not a web address", False, False),
    ("https://user:pass@example.org/", "user name or password", True, True),
    ("https://user@example.org/", "user name or password", True, True),
    ("https://www.ncj.nl@evil.example/", "user name or password", True, True),
    ("https://@example.org/", "user name or password", True, True),
    ("https://example.org\\@evil.example/", "backslash", True, True),
    ("https:\\\\example.org", "backslash", False, False),
    ("https://example.org\\path", "backslash", True, True),
    ("https://[::1]/", None, True, True),
    ("https://[::1", "not a valid web address", True, True),
    ("https://[fe80::1%25eth0]/", "invalid site name", True, True),
    ("https://[not-ipv6]/", "not a valid web address", True, True),
    ("https://127.0.0.1:8080/x", None, True, True),
    ("https://localhost", None, True, True),
    ("https://example.org:0/", "not a valid web address", True, True),
    ("https://example.org:65535/", None, True, True),
    ("https://example.org:65536/", "not a valid web address", True, True),
    ("https://example.org:99999/", "not a valid web address", True, True),
    ("https://example.org:abc/", "not a valid web address", True, True),
    ("https://example.org:/", None, True, True),
    ("https://my_site.example.org/", "invalid site name", True, True),
    ("https://bücher.example/", None, True, True),
    ("https://xn--bcher-kva.example/", None, True, True),
    ("https://-bad-.example/", "invalid site name", True, True),
    ("https://a..b/", "invalid site name", True, True),
    ("https://example.org./", None, True, True),
    ("https://" + "a" * 64 + ".example/", "invalid site name", True, True),
    ("https://example.org/" + "a" * 2100, "longer than", True, True),
    ("https://example.org/café", None, True, True),
    ("https://example.org/%zz", None, True, True),
    ("https://ex%61mple.org/", "invalid site name", True, True),
    ("https://exa<mple.org/", "invalid site name", True, True),
    ("https://example.org/<script>", None, True, True),
    ('https://example.org/"onmouseover=', None, True, True),
    ("http://0x7f000001/", "invalid site name", True, True),
    ("http://2130706433/", "invalid site name", True, True),
    ("http://017700000001/", "invalid site name", True, True),
    ("http://127.1/", "invalid site name", True, True),
    ("http://1.2.3.4.5/", "invalid site name", True, True),
    ("http://256.1.1.1/", "invalid site name", True, True),
]

# More cases for the owner alone: (url, a phrase of the reason or None).
MORE = [
    ("mailto:a@example.org", "which is not allowed"),
    ("example.org:8080/x", "start it with https://"),
    ("localhost:8080", "which is not allowed"),
    ("https://./", "invalid site name"),
    ("https://[127.0.0.1]/", "not a valid web address"),
    ("http://010.0.0.1/", "invalid site name"),  # octal to browsers
    ("https://example.123/", "invalid site name"),
    ("https://example.0x1/", "invalid site name"),
    ("https://1.example/", None),
    ("https://[::ffff:127.0.0.1]/", None),  # reachability is netsafety's
    ("https://[2001:db8::1]:8443/x", None),
    ("https://xn--zz.example/", None),
    ("http://EXAMPLE.ORG:80/", None),
    ("https://example.org?", None),
    ("https://example.org#", None),
    ("https://ex\xadample.org/", "spaces or invisible"),  # soft hyphen
    ("https://еxample.org/", None),  # IDN: accepted, the link check shows where it goes
    ("https://example.org/" + "a" * 2028, None),  # exactly 2048
    ("https://example.org/" + "a" * 2029, "longer than"),
    ("https://" + "a" * 63 + ".example/", None),
    ("https://" + ".".join(["a" * 60] * 5) + "/", "invalid site name"),  # over 253
]

OWNER = [(url, reason) for url, reason, *_ in TABLE] + MORE


@pytest.mark.parametrize(("url", "reason"), OWNER)
def test_owner(url: str, reason: str | None) -> None:
    problem = url_problem(url)
    if reason is None:
        assert problem is None
        assert urls.is_web_url(url)
    else:
        assert problem is not None and reason in problem, problem
        assert not urls.is_web_url(url)


@pytest.mark.parametrize(("url", "reason"), OWNER)
def test_content_check_and_link_collector_ask_the_owner(url: str, reason: str | None) -> None:
    from flows.checks import safety

    s120 = safety.url_problem  # what S120 calls
    from flows.linkcheck.collect import malformed_reason

    assert s120(url) == url_problem(url)
    assert malformed_reason(url) == url_problem(url.strip())  # blanks around are forgiven there


@pytest.mark.parametrize(("url", "reason"), OWNER)
def test_feed_entry_links_follow_the_owner(url: str, reason: str | None) -> None:
    from datetime import date

    from flows.ingest.entries import to_entry

    entry = to_entry({"title": "t", "link": url, "id": "x"}, date(2026, 6, 1))
    accepted = url.strip() != "" and url_problem(url.strip()) is None
    assert (entry.link != "") is accepted
    assert any("link removed" in n for n in entry.notes) is (url.strip() != "" and not accepted)


@pytest.mark.parametrize(("url", "reason"), OWNER)
def test_feed_summary_links_follow_the_owner(url: str, reason: str | None) -> None:
    from flows.ingest.htmlmd import _link_target, to_markdown

    markdown = to_markdown(f'<a href="{html.escape(url)}">t</a>')
    if "](" in markdown:  # a link was kept: the owner accepts what was written
        target = markdown[markdown.index("](") + 2 : -1]
        assert url_problem(target) is None
    else:  # no link: nh3 dropped it, or the owner refused it as it would be written
        assert markdown == "t" or url_problem(_link_target(url.strip())) is not None


def test_feed_summary_keeps_a_sloppy_space_encoded() -> None:
    from flows.ingest.htmlmd import to_markdown

    assert (
        to_markdown('<a href="https://example.org/a b">t</a>') == "[t](https://example.org/a%20b)"
    )
    assert to_markdown('<a href="https://user:pw@example.org/">t</a>') == "t"
    assert to_markdown('<a href="http://2130706433/">t</a>') == "t"


def test_body_links_may_be_mailto() -> None:
    for url, ok in [
        ("mailto:info@jgz.example.org", True),
        ("MAILTO:info@jgz.example.org", True),
        ("mailto:javascript:alert(1)", False),
        ("mailto:a@b.nl?subject=x", False),
        ("mailto:a b@example.org", False),
        ("mailto:", False),
    ]:
        assert (url_problem(url, allow_mailto=True) is None) is ok, url
        assert urls.is_mailto(url) is ok
        assert url_problem(url) is not None  # never without allow_mailto


@pytest.mark.parametrize(
    ("url", "web"),
    [
        ("http://example.org/", True),
        ("HTTPS://example.org/a", True),
        ("  https://example.org/", True),
        ("https:", True),  # a scheme test only: url_problem says what else is wrong
        ("ftp://example.org/", False),
        ("javascript:alert(1)", False),
        ("www.example.org", False),
        ("https://[::1", False),
        ("", False),
    ],
)
def test_has_web_scheme_only_classifies(url: str, web: bool) -> None:
    from flows.infra.netsafety import is_allowed_scheme

    assert urls.has_web_scheme(url) is web
    assert is_allowed_scheme(url) is web  # the old name


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("::ffff:10.0.0.1", "::ffff:a00:1"),
        ("example.org", None),
        ("2130706433", None),  # a number is not a literal here; DNS-style names are resolved
        ("127.1", None),
        ("", None),
    ],
)
def test_ip_literal(host: str, address: str | None) -> None:
    found = urls.ip_literal(host)
    assert (None if found is None else str(found)) == address


# Redirect targets and requests: the owner's rule on the URL as the client sends it.
REQUESTS = [
    ("https://example.org/a", None),
    ("https://example.org/a b", None),  # sent as %20: a sloppy server's Location is fine
    ("https://bücher.example/café", None),
    ("http://127.0.0.1:8080/x", None),  # reachability is decided when connecting
    ("ftp://example.org/", "which is not allowed"),
    ("file:///etc/passwd", "which is not allowed"),
    ("javascript:alert(1)", "which is not allowed"),
    ("https://user:pw@example.org/", "user name or password"),
    ("https://example.org@evil.example/", "user name or password"),
    ("http://2130706433/", "invalid site name"),
    ("http://0x7f.1/", "invalid site name"),
    ("https://exa<mple.org/", "invalid site name"),
    ("https://example.org/a\tb", "spaces or invisible"),
    ("https://example.org:0/", "not a valid web address"),
    ("https://example.org/" + "a" * 2100, "longer than"),
    ("https://", "no site name"),
]


@pytest.mark.parametrize(("url", "reason"), REQUESTS)
def test_request_problem(url: str, reason: str | None) -> None:
    from flows.infra.netsafety import request_problem

    problem = request_problem(url)
    assert (problem is None) if reason is None else (reason in (problem or "")), problem


# What a server can put in a Location header (ASCII; httpx itself refuses a tab, and cannot build
# a request for "javascript:alert(1)", so those never reach our check).
REDIRECTS = [
    (url, reason)
    for url, reason in REQUESTS
    if url.isascii() and "\t" not in url and url not in ("https://", "javascript:alert(1)")
] + [
    ("https://xn--bcher-kva.example/caf%C3%A9", None),
    ("javascript://example.org/%0aalert(1)", "which is not allowed"),
    ("data://example.org/x", "which is not allowed"),
]


def _redirecting_client(target: str) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/start":
            return httpx.Response(302, headers={"Location": target})
        return httpx.Response(200, text="<rss/>")

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(("url", "reason"), REDIRECTS)
def test_link_check_redirect_targets_follow_the_owner(url: str, reason: str | None) -> None:
    from flows.linkcheck.check import Checker, Options, Verdict

    async def go() -> Any:
        async with _redirecting_client(url) as client:
            return await Checker(client, Options(retries=0)).check("https://start.example/start")

    result = asyncio.run(go())
    if reason is None:
        assert result.verdict is Verdict.OK, result.detail
    else:
        assert result.verdict is Verdict.UNVERIFIED and reason in str(result.detail), result.detail


@pytest.mark.parametrize(("url", "reason"), REDIRECTS)
def test_ingest_redirect_targets_follow_the_owner(url: str, reason: str | None) -> None:
    from flows.ingest.fetch import Outcome, fetch

    async def go() -> Any:
        async with _redirecting_client(url) as client:
            return await fetch(
                client,
                "https://start.example/start",
                etag=None,
                last_modified=None,
                max_bytes=10_000,
                deadline=5,
            )

    fetched = asyncio.run(go())
    if reason is None:
        assert fetched.outcome is Outcome.OK, fetched.error
    else:
        assert fetched.outcome is Outcome.FAILED and reason in fetched.error, fetched.error
        assert "not an http(s) address" in fetched.error


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pw@veerkracht-test.invalid/",
        "http://2130706433/",
        "https://veerkracht-test.invalid/" + "a" * 2100,
        "ftp://127.0.0.1/",
    ],
)
def test_safe_client_refuses_before_any_connection(url: str) -> None:
    from flows.infra.netsafety import RefusedAddress, RefusedUrl, safe_client

    async def go() -> None:
        async with safe_client(load_settings(net_allow=["127.0.0.1"])) as client:
            await client.get(url)

    with pytest.raises((RefusedAddress, httpx.UnsupportedProtocol)) as info:
        asyncio.run(go())
    if isinstance(info.value, RefusedAddress):
        assert isinstance(info.value, RefusedUrl)
        assert "refused to request" in str(info.value)


def test_sources_yaml_asks_the_owner(tmp_path: Any) -> None:
    from flows.ingest.sources import load_sources

    (tmp_path / "sources.yaml").write_text(
        "sources:\n"
        "  - {name: goed, url: 'https://example.org/feed', theme: slapen, audiences: [jongeren]}\n"
        "  - {name: geheim, url: 'https://u:p@example.org/feed', theme: slapen,"
        " audiences: [jongeren]}\n"
        "  - {name: getal, url: 'http://2130706433/feed', theme: slapen, audiences: [jongeren]}\n",
        encoding="utf-8",
    )
    sources, _, problems = load_sources(tmp_path)
    assert [s.name for s in sources] == ["goed"]
    messages = " ".join(p.message for p in problems if p.code == "I500")
    assert "user name or password" in messages and "invalid site name" in messages


@pytest.mark.parametrize(("url", "reason", "newsletter", "plaintext"), TABLE)
def test_newsletter_link_rules_are_the_owners(
    url: str, reason: str | None, newsletter: bool, plaintext: bool
) -> None:
    """The newsletter's HTML and text parts keep a link exactly when the owner accepts it
    (the text part also keeps mailto:). Before the switch they tested a case-sensitive prefix
    only: HTTPS:// was refused, credentials, spaces, bad hosts and ports went through."""
    from channels.newsletter.compose import safe_link
    from channels.newsletter.plaintext import _safe_url

    assert safe_link(url) is (reason is None)
    assert _safe_url(url) is (reason is None or url.lower().startswith("mailto:"))


@pytest.mark.parametrize(
    ("base", "reason"),
    [
        ("https://veerkracht.example.org", None),
        ("https://veerkracht.example.org/campagne/", None),
        ("http://127.0.0.1:8000/", None),  # https is the newsletter's own demand (List-Unsubscribe)
        ("veerkracht.example.org", "start it with https://"),
        ("ftp://veerkracht.example.org", "which is not allowed"),
        ("https://u:p@veerkracht.example.org", "user name or password"),
        ("https://veerkracht.example.org/?a=1", "? or #"),
        ("https://veerkracht.example.org/#x", "? or #"),
        ("https://veerkracht.example.org/ ", "spaces or invisible"),
        ("", "not a web address"),
    ],
)
def test_public_base_url_setting_asks_the_owner(base: str, reason: str | None) -> None:
    from flows.core.errors import SettingsError

    if reason is None:
        assert load_settings(public_base_url=base).public_base_url == base
    else:
        with pytest.raises(SettingsError, match="VEERKRACHT_PUBLIC_BASE_URL") as info:
            load_settings(public_base_url=base)
        assert reason in str(info.value)
