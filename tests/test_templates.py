"""The template rule: every Jinja environment escapes everything and refuses undefined names.

One owner, `flows.infra.templates.environment`. The environments still built by hand (until their
callers are switched) are pinned as they are today, with the whitespace options their templates
were written for; a variant that is gone or already comes from the factory is checked the same.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, StrictUndefined, TemplateNotFound, UndefinedError
from markupsafe import Markup

from flows.infra.templates import environment

REPO = Path(__file__).resolve().parent.parent

# (module, attribute, called?, undefined is an error, trim_blocks, lstrip_blocks,
#  keep_trailing_newline, templates it can load)
VARIANTS = [
    # Switched: undefined names are now an error here too (was: silently empty).
    ("flows.linkcheck.report", "_env", True, True, True, True, False, ["links.html.j2"]),
    ("flows.publishing.calendar", "_templates", True, True, False, False, False, ["plan.html.j2"]),
    ("channels.feeds.render", "_templates", True, True, False, False, False, ["entry.html.j2"]),
    # Switched: the screen page's environment too (was: undefined names silently empty).
    ("channels.screens.page", "_ENV", False, True, False, False, True, []),
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


@pytest.mark.parametrize("name", ["x.html", "x.html.j2", "x.xml", "x.txt", "x", None])
def test_factory_escapes_every_template(name: str | None) -> None:
    env = environment()
    autoescape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
    assert autoescape is True


@pytest.mark.parametrize(
    ("source", "context", "expected"),
    [
        ("{{ x }}", {"x": HOSTILE}, ESCAPED),
        (
            '<a href="{{ u }}">',
            {"u": '" onmouseover="alert(1)'},
            '<a href="&#34; onmouseover=&#34;alert(1)">',
        ),
        (
            "<p title='{{ t }}'>",
            {"t": "' autofocus onfocus='x"},
            "<p title='&#39; autofocus onfocus=&#39;x'>",
        ),
        ("{{ x }}", {"x": "{{ 7 * 7 }}"}, "{{ 7 * 7 }}"),  # values are never templates
        ("{{ x }}", {"x": Markup("<b>vet</b>")}, "<b>vet</b>"),  # Markup is the one way through
        ("{{ x|e }}", {"x": Markup("<b>")}, "<b>"),
        ("{{ x }}", {"x": 3}, "3"),
        ("{{ x|join(', ') }}", {"x": ["<a>", "b"]}, "&lt;a&gt;, b"),
        ("{{ x.y }}", {"x": {"y": "<i>"}}, "&lt;i&gt;"),
        ("{% if x is defined %}{{ x }}{% else %}-{% endif %}", {}, "-"),
        ("{{ x|default('leeg') }}", {}, "leeg"),
    ],
)
def test_factory_renders(source: str, context: dict[str, Any], expected: str) -> None:
    assert environment().from_string(source).render(**context) == expected


@pytest.mark.parametrize(
    "source",
    [
        "{{ missing }}",
        "{{ missing.attr }}",
        "{{ x.missing }}",
        "{% if missing %}a{% endif %}",
        "{% for i in missing %}{{ i }}{% endfor %}",
        "{{ missing|length }}",
        "{{ missing ~ 'a' }}",
    ],
)
def test_factory_refuses_undefined_names(source: str) -> None:
    env = environment()
    assert env.undefined is StrictUndefined
    with pytest.raises(UndefinedError):
        env.from_string(source).render(x={})


@pytest.mark.parametrize(
    ("trim", "lstrip", "keep"),
    [(False, False, False), (True, True, False), (False, False, True), (True, True, True)],
)
def test_factory_whitespace_options_are_the_callers(trim: bool, lstrip: bool, keep: bool) -> None:
    env = environment(trim_blocks=trim, lstrip_blocks=lstrip, keep_trailing_newline=keep)
    assert env.from_string(BLOCK).render() == _whitespace(trim, lstrip, keep)


def test_factory_loads_a_package_folder() -> None:
    env = environment("flows.linkcheck")
    assert env.list_templates() == ["links.html.j2"]
    words = dict.fromkeys(
        ("offline", "generated", "verdict", "link", "status", "detail", "used_in"), ""
    )
    page = {"summary": "<s>", "offline": False, "lang": "en", "words": words}
    page["words"] = {**words, "title": "Link check"}
    assert "<h1>Link check</h1>" in env.get_template("links.html.j2").render(**page, rows=[])
    with pytest.raises(UndefinedError):  # a row without all its fields is a bug, not a blank
        env.get_template("links.html.j2").render(**page, rows=[{}])
    with pytest.raises(TemplateNotFound):
        env.get_template("../check.py")
    assert environment("channels.feeds", "").get_template("entry.html.j2") is not None
    assert environment().loader is None


def test_factory_builds_a_new_environment_each_time() -> None:
    # Callers cache their own; sharing one would share filters a caller adds.
    assert environment() is not environment()


TEMPLATE_FILES = sorted(
    [
        *REPO.glob("flows/**/*.j2"),
        *REPO.glob("channels/**/*.j2"),
        REPO / "channels/screens/page.html",
    ]
)


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_template_compiles_in_the_factory(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is gone")
    environment().parse(path.read_text(encoding="utf-8"))
