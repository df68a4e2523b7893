"""The template rule: one factory for every Jinja environment (reports, channels, posters).

Templates render text from content, feeds and servers, so two things are never optional:

- autoescape is on for every template, whatever its name (`.html.j2`, `.xml`, no suffix) and for
  inline strings; markup that is meant to stay markup is passed as `markupsafe.Markup`;
- an undefined name is an error (`StrictUndefined`): a misspelt variable fails the render in a
  test instead of silently leaving a blank in a newsletter or on a screen.

The whitespace options stay the caller's, because each template was written for its own.
Environments are cheap to keep and costly to build: callers cache theirs (`functools.cache`).
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined


def environment(
    package: str | None = None,
    folder: str = "templates",
    *,
    trim_blocks: bool = False,
    lstrip_blocks: bool = False,
    keep_trailing_newline: bool = False,
) -> Environment:
    """An environment loading `folder` of `package` (none: inline strings via `from_string`).

    `folder=""` loads from the package folder itself.
    """
    return Environment(
        loader=PackageLoader(package, folder) if package else None,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=trim_blocks,
        lstrip_blocks=lstrip_blocks,
        keep_trailing_newline=keep_trailing_newline,
    )
