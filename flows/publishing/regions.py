"""Regions: one installation serving several regions, each with its own content, outputs and
settings, all sharing one state database (the region is in every edition key).

`regions.yaml` (VEERKRACHT_REGIONS_FILE) lists them:

    regions:
      - id: utrecht                      # a-z, 0-9 and -, starting with a letter
        name: JGZ Regio Utrecht
        content_dir: /srv/veerkracht/utrecht/content
        out_dir: /srv/www/veerkracht/utrecht
        settings:                        # any VEERKRACHT_ setting, lower case, no prefix
          organisation: JGZ Regio Utrecht
          public_base_url: https://veerkracht.utrecht.example.org
          partners_csv: /etc/veerkracht/utrecht/partners.csv
          smtp_password_block: smtp-utrecht
        variable: veerkracht-utrecht     # optional Prefect Variable (a JSON object) with more

Relative folders are relative to the file. Secrets never live here: the SMTP password comes
from a Prefect Secret block (`smtp_password_block`) or the environment. Precedence, weakest
first: the worker's environment, this file, the region's Prefect Variable (read by the flow),
a flow parameter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from flows.core.errors import SettingsError
from flows.core.i18n import _, ngettext
from flows.core.settings import Settings, load_settings
from flows.library.safe_yaml import error_line, parse_yaml

REGION_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
SECRET_KEYS = frozenset({"smtp_password", "unsubscribe_secret"})
# Settings a region may not change: they belong to the installation, not to one region.
SHARED_KEYS = frozenset({"state_url", "state_dir", "regions_file", "region", "home"})


@dataclass(frozen=True)
class Region:
    """One region of the installation."""

    id: str
    name: str
    content_dir: Path
    out_dir: Path
    settings: Mapping[str, Any]
    variable: str = ""


def _problem(path: Path, line: int, text: str) -> SettingsError:
    return SettingsError(f"{path}:{line}: {text}")


def load_regions(path: Path) -> list[Region]:
    """The regions in `path`; [] when the file does not exist (a one-region installation)."""
    if not path.is_file():
        return []
    try:
        parsed = parse_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise _problem(path, 1, _("not UTF-8 text; save the file as UTF-8")) from None
    except yaml.YAMLError as exc:
        raise _problem(
            path, error_line(exc), _("not valid YAML ({error})").format(error=exc)
        ) from None
    data, lines = parsed.data, parsed.lines
    items = data.get("regions") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise _problem(path, 1, _("expected `regions:` with a list of regions (see the README)"))
    regions: list[Region] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        line = lines.get(f"regions.{i}", 1)
        if not isinstance(item, dict):
            raise _problem(path, line, _("a region is `id:`, `content_dir:`, `out_dir:` lines"))
        rid = str(item.get("id", ""))
        if not REGION_ID.match(rid):
            raise _problem(
                path,
                lines.get(f"regions.{i}.id", line),
                _("region id {id}: use a-z, 0-9 and -, starting with a letter (at most 40)").format(
                    id=repr(rid)
                ),
            )
        if rid in seen:
            raise _problem(
                path,
                line,
                _("region {id} is listed twice (also at line {line})").format(
                    id=repr(rid), line=seen[rid]
                ),
            )
        seen[rid] = line
        missing = [k for k in ("content_dir", "out_dir") if not item.get(k)]
        if missing:
            raise _problem(
                path,
                line,
                _("region {id} has no {fields}").format(
                    id=repr(rid), fields=_(" and no ").join(missing)
                ),
            )
        unknown = set(item) - {"id", "name", "content_dir", "out_dir", "settings", "variable"}
        if unknown:
            raise _problem(
                path,
                line,
                ngettext(
                    "region {id}: unknown field {fields}",
                    "region {id}: unknown fields {fields}",
                    len(unknown),
                ).format(id=repr(rid), fields=", ".join(sorted(unknown))),
            )
        extra = item.get("settings") or {}
        if not isinstance(extra, dict):
            raise _problem(
                path,
                line,
                _("region {id}: `settings:` must be `name: value` lines").format(id=repr(rid)),
            )
        for key in extra:
            where = lines.get(f"regions.{i}.settings.{key}", line)
            if key in SECRET_KEYS:
                raise _problem(
                    path,
                    where,
                    _(
                        "{key} is a secret and does not belong in a file: use a Prefect Secret "
                        "block (smtp_password_block) or the environment"
                    ).format(key=key),
                )
            if key in SHARED_KEYS or key not in Settings.model_fields:
                raise _problem(
                    path,
                    where,
                    _("{key} is not a setting a region can set").format(key=repr(key)),
                )
        base = path.parent
        regions.append(
            Region(
                id=rid,
                name=str(item.get("name") or rid),
                content_dir=(base / str(item["content_dir"])).resolve(),
                out_dir=(base / str(item["out_dir"])).resolve(),
                settings=dict(extra),
                variable=str(item.get("variable") or ""),
            )
        )
    outs = [r.out_dir for r in regions]
    for r in regions:
        if sum(1 for o in outs if o == r.out_dir) > 1:
            raise _problem(
                path, 1, _("two regions share the out folder {path}").format(path=r.out_dir)
            )
    return regions


def find_region(regions: list[Region], region_id: str, path: Path) -> Region:
    """The region called `region_id`, or a SettingsError listing the ones there are."""
    for r in regions:
        if r.id == region_id:
            return r
    known = ", ".join(r.id for r in regions) or _("none (the file does not exist)")
    raise SettingsError(
        _("region {id} is not in {path}; regions there: {known}").format(
            id=repr(region_id), path=path, known=known
        )
    )


def region_settings(
    region: Region, variable: Mapping[str, Any] | None = None, **overrides: object
) -> Settings:
    """The settings of one region: environment, then the file, then its Prefect Variable,
    then explicit overrides (flow parameters)."""
    values: dict[str, object] = dict(region.settings)
    for key, value in (variable or {}).items():
        if key in SECRET_KEYS or key in SHARED_KEYS or key not in Settings.model_fields:
            raise SettingsError(
                _(
                    "the Prefect Variable {variable} of region {id} sets {key}, which is not a "
                    "setting a region can set"
                ).format(variable=repr(region.variable), id=repr(region.id), key=repr(key))
            )
        values[key] = value
    values.update(content_dir=region.content_dir, out_dir=region.out_dir, region=region.id)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return load_settings(**values)


def run_settings(
    content_dir: str | None = None,
    out_dir: str | None = None,
    region: str | None = None,
    *,
    read_variable: Callable[[str], object] | None = None,
) -> Settings:
    """The settings of a run: a region's from regions.yaml (and its Prefect Variable, when a
    reader is given), or the environment's; folders given win, empty ones mean the setting."""
    folders = {
        "content_dir": Path(content_dir) if content_dir else None,
        "out_dir": Path(out_dir) if out_dir else None,
    }
    base = load_settings(**folders)
    region_id = region or base.region
    if not region_id:
        return base
    known = load_regions(base.regions_file)
    if not known and not region:
        return base  # VEERKRACHT_REGION alone names the region of a one-region installation
    chosen = find_region(known, region_id, base.regions_file)
    variable: Mapping[str, Any] | None = None
    if chosen.variable and read_variable is not None:
        value = read_variable(chosen.variable)
        if value is not None and not isinstance(value, dict):
            raise SettingsError(
                _(
                    "the Prefect Variable {variable} of region {id} must be a JSON object of "
                    "settings"
                ).format(variable=repr(chosen.variable), id=repr(chosen.id))
            )
        variable = value
    return region_settings(chosen, variable, **folders)
