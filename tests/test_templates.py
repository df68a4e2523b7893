"""The template rule: every Jinja environment escapes everything and refuses undefined names.

Characterization first: the five environments as they are today, pinned on escaping, undefined
names and the whitespace options their templates were written for.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from jinja2 import Environment, UndefinedError

# (module, attribute, called?, undefined is an error, trim_blocks, lstrip_blocks,
#  keep_trailing_newline, templates it can load)
VARIANTS = [
    ("flows.linkcheck.report", "_env", True, False, True, True, False, ["links.html.j2"]),
    ("flows.publishing.calendar", "_templates", True, True, False, False, False, ["plan.html.j2"]),
    ("channels.feeds.render", "_templates", True, True, False, False, False, ["entry.html.j2"]),
    ("channels.screens.page", "_ENV", False, False, False, False, True, []),
    (
        "channels.newsletter.render",
        "_env",
        True,
        True,
        True,
        True,
        True,
        ["newsletter.html.j2"],
    ),
]
HOSTILE = "<script>alert('x')</script> & \"q\""
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;q&#34;"
BLOCK = "{% if 1 %}\n  a\n{% endif %}\nb\n"


def _variant(module: str, name: str, call: bool) -> Environment:
    """A variant in a file being rewritten elsewhere; skipped once it is gone."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        pytest.skip(f"{module} cannot be imported now ({exc})")
    if not hasattr(mod, name):
        pytest.skip(f"{module}.{name} is gone (switched to flows.infra.templates)")
    found: Any = getattr(mod, name)
    env: Environment = found() if call else found
    return env


def _whitespace(trim: bool, lstrip: bool, keep: bool) -> str:
    text = {
        (False, False): "\n  a\n\nb",
        (True, True): "  a\nb",
    }[(trim, lstrip)]
    return text + "\n" if keep else text


@pytest.mark.parametrize(
    ("module", "name", "call", "strict", "trim", "lstrip", "keep", "templates"), VARIANTS
)
def test_variants(
    module: str,
    name: str,
    call: bool,
    strict: bool,
    trim: bool,
    lstrip: bool,
    keep: bool,
    templates: list[str],
) -> None:
    env = _variant(module, name, call)
    # Autoescape is on everywhere today: for .html files, other names and inline strings.
    for template in ("x.html", "x.j2", "x.txt", None):
        autoescape = env.autoescape(template) if callable(env.autoescape) else env.autoescape
        assert autoescape is True
    assert env.from_string("{{ x }}").render(x=HOSTILE) == ESCAPED
    if strict:
        with pytest.raises(UndefinedError):
            env.from_string("[{{ missing }}]").render()
    else:
        assert env.from_string("[{{ missing }}]").render() == "[]"
    assert (env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline) == (trim, lstrip, keep)
    assert env.from_string(BLOCK).render() == _whitespace(trim, lstrip, keep)
    if templates:
        assert set(templates) <= set(env.list_templates())
    else:
        assert env.loader is None
