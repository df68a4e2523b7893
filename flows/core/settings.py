"""Settings that are not content: paths, state database, delivery, network limits.

Read from the environment (`VEERKRACHT_<NAME>`, lists as JSON) with
embedded defaults that work on a laptop without any configuration. Secrets (the SMTP password)
come from the environment or a Prefect Secret block, never from a file in git.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as PydanticSettingsError

from flows.core import clock, i18n
from flows.core.errors import SettingsError
from flows.core.i18n import _, ngettext
from flows.core.text import has_unsafe, problem
from flows.core.urls import url_problem

TIMEZONE = clock.TIMEZONE  # the old name, until every caller imports it from flows.core.clock


class Settings(BaseSettings):
    """Every operator setting, with its default."""

    model_config = SettingsConfigDict(env_prefix="VEERKRACHT_", extra="ignore")

    # Paths
    content_dir: Path = Field(Path("content"), description="Folder with the comms team's content.")
    out_dir: Path = Field(Path("out"), description="Folder where outputs and reports are written.")
    state_url: str = Field(
        "",
        description="SQLAlchemy URL of the state database; empty means SQLite in the state folder.",
    )
    state_dir: Path = Field(
        Path("state"),
        description="Private folder of the default SQLite state database (never inside out/).",
    )
    partners_csv: Path | None = Field(
        None,
        description="Partner list (CSV); empty means content/partners.example.csv (demo only).",
    )

    lang: Literal["nl", "en"] = Field(
        i18n.DEFAULT,
        description="Language of findings, summaries, errors and reports (nl or en; `--lang`).",
    )

    # Identity, shown to partners and to the sites we check
    organisation: str = Field("JGZ Regio Voorbeeld", description="Name shown as sender.")
    contact_email: str = Field(
        "communicatie@jgz-voorbeeld.example.org",
        description="Contact address in the User-Agent, From and List-Unsubscribe.",
    )
    public_base_url: str = Field(
        "https://veerkracht.example.org",
        description="Public URL where out/ is served (archive, feeds, unsubscribe).",
    )
    unsubscribe_secret: SecretStr = Field(
        SecretStr("change-me-in-production"),
        description="Key for opaque unsubscribe tokens; set it in production.",
    )

    # Publishing
    catchup_days: int = Field(
        14, ge=0, le=366, description="How many days back `publish --date` may go."
    )
    region: str = Field(
        "",
        pattern=r"^([a-z][a-z0-9-]{0,39})?$",
        description="Region this run publishes for (a regions.yaml id); empty for one region.",
    )
    regions_file: Path = Field(
        Path("regions.yaml"),
        description="The regions of a multi-region installation (used when the file exists).",
    )
    lease_seconds: float = Field(
        600.0,
        ge=5,
        le=86400,
        description="How long a run's claim on a day lasts without a heartbeat (crash takeover).",
    )
    home: Path | None = Field(
        None,
        description="Checkout the Prefect worker runs flows from (prefect.yaml's pull step).",
    )

    # Link checking
    link_concurrency: int = Field(32, ge=1, description="Requests in flight at once, all hosts.")
    link_per_host: int = Field(4, ge=1, description="Requests in flight at once to one host.")
    link_connect_timeout: float = Field(
        5.0, gt=0, le=300, description="Seconds to wait for a connection."
    )
    link_timeout: float = Field(15.0, gt=0, le=600, description="Seconds a whole request may take.")
    link_retry_after_cap: float = Field(
        30.0, ge=0, description="Longest Retry-After we wait for (s); a longer one is not retried."
    )
    link_ttl_ok_hours: float = Field(24.0, ge=0, description="Hours an ok verdict is cached.")
    link_ttl_other_hours: float = Field(1.0, ge=0, description="Hours any other verdict is cached.")
    net_allow: list[str] = Field(
        default_factory=list,
        description="Hosts or networks (CIDR) that may be reached although private or loopback.",
    )

    # Feed ingest
    ingest_max_bytes: int = Field(
        5 * 1024 * 1024, ge=1024, description="Largest feed we read (bytes)."
    )
    ingest_failures_before_attention: int = Field(
        3, ge=1, description="Failed runs in a row before a source needs attention."
    )

    # Newsletter delivery
    delivery: Literal["outbox", "smtp"] = Field("outbox", description="Newsletter backend.")
    smtp_host: str = Field("localhost", description="SMTP server.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port.")
    smtp_security: Literal["starttls", "tls", "none"] = Field("starttls", description="SMTP TLS.")
    smtp_user: str = Field("", description="SMTP user name; empty means no login.")
    smtp_password: SecretStr = Field(
        SecretStr(""), description="SMTP password (environment only, or a Prefect Secret block)."
    )
    smtp_password_block: str = Field(
        "", description="Name of a Prefect Secret block holding the SMTP password."
    )
    smtp_rate_per_second: float = Field(
        0.0, ge=0, description="Messages per second over all connections; 0 = no limit."
    )
    newsletter_track_links: bool = Field(
        True,
        description="Newsletter links go through counted short links (off: the links as they are).",
    )
    feeds_track_links: bool = Field(
        True, description="Feed entries link through counted short links (off: as written)."
    )
    smtp_connections: int = Field(
        4, ge=1, le=32, description="SMTP connections sending one edition at once."
    )
    smtp_retries: int = Field(
        2,
        ge=0,
        le=20,
        description="Reconnects after a 4xx or dropped connection before giving up for now.",
    )
    smtp_retry_backoff_seconds: float = Field(
        5.0, ge=0, le=3600, description="Wait before the first reconnect; doubles each time."
    )
    smtp_to_example: bool = Field(
        False, description="Allow SMTP to the bundled example partner list (a test server only)."
    )

    # Public endpoint (unsubscribe, later short links): section owned by the ASGI endpoint.
    public_header_timeout: float = Field(
        10.0, gt=0, le=300, description="Seconds a client may take to send a request's headers."
    )
    public_body_timeout: float = Field(
        10.0, gt=0, le=300, description="Seconds a client may take to send a request's body."
    )
    public_keep_alive: int = Field(
        5, ge=1, le=300, description="Seconds an idle connection is kept open between requests."
    )
    public_max_connections: int = Field(
        200, ge=1, le=10000, description="Connections served at once; more are answered 503."
    )

    # Studio (`veerkracht studio`): the login it needs on an address other than 127.0.0.1.
    studio_password: SecretStr = Field(
        SecretStr(""),
        description="Argon2 hash of the studio's team password (make it with "
        "`python -m flows.studio.password`); empty means no password login.",
    )
    studio_user_header: str = Field(
        "", description="Header with the user name set by your reverse proxy (studio login)."
    )
    studio_git_commit: bool = Field(
        False,
        description="Commit each studio save in git with the adviser as author, when the "
        "content folder is in a git repository.",
    )

    @field_validator(
        "organisation",
        "contact_email",
        "smtp_host",
        "smtp_user",
        "smtp_password_block",
        "state_url",
    )
    @classmethod
    def _one_line(cls, value: str) -> str:
        # These end up in mail headers, log lines and URLs: the rule of flows.core.text.
        if has_unsafe(value) or "\t" in value:
            raise ValueError(problem(value, _("the value")) or _("the value contains a tab"))
        return value

    @field_validator("contact_email")
    @classmethod
    def _address(cls, value: str) -> str:
        local, at, domain = value.partition("@")
        if not value.isascii() or not at or not local or "." not in domain or " " in value:
            raise ValueError(_("must be one plain e-mail address, like communicatie@example.org"))
        if any(c in value for c in '<>,;:"()[]\\'):
            raise ValueError(_('must be one plain e-mail address, without <>,;:"()[]\\'))
        return value

    @field_validator("content_dir", "out_dir", "state_dir", "partners_csv", "regions_file")
    @classmethod
    def _path(cls, value: Path | None) -> Path | None:
        if value is not None and (has_unsafe(str(value)) or "\t" in str(value)):
            raise ValueError(problem(str(value), _("the path")) or _("the path contains a tab"))
        return value

    @field_validator("public_base_url")
    @classmethod
    def _web_base(cls, value: str) -> str:
        # The one URL rule (flows.core.urls), plus: a base gets paths appended, so no ?query or #.
        problem = url_problem(value) or (
            _("has a ? or #; give only the address the paths go under")
            if "?" in value or "#" in value
            else None
        )
        if problem:
            raise ValueError(_("the public base URL {problem}").format(problem=problem))
        return value

    def resolved_state_url(self) -> str:
        """The state database URL, defaulting to SQLite in the private state folder.

        The state holds partner addresses and unsubscribe tokens: it never lives in the out
        folder, which is served to the public.
        """
        if self.state_url:
            return self.state_url
        folder = self.state_dir.resolve()
        if folder.is_relative_to(self.out_dir.resolve()):
            raise SettingsError(
                _(
                    "VEERKRACHT_STATE_DIR={state_dir} is inside the out folder {out_dir}, which "
                    "is served to the public; choose a folder outside it"
                ).format(state_dir=repr(str(self.state_dir)), out_dir=repr(str(self.out_dir)))
            )
        return f"sqlite:///{folder / 'state.db'}"

    def resolved_partners_csv(self) -> Path:
        """The partner list to use; the bundled example when none is set."""
        return self.partners_csv or self.content_dir / "partners.example.csv"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (from the CLI) winning.

    A bad value raises SettingsError naming the variable, what is wrong with its value and how
    to fix it, in the person's language (never pydantic's English), so the operator sees what to
    fix instead of the tool reporting its own failure.
    """
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = [setting_problem(err) for err in exc.errors()]
        raise SettingsError(
            _("bad setting: {problems}").format(problems="; ".join(problems))
        ) from None
    except PydanticSettingsError as exc:  # for example a list that is not valid JSON
        found = re.search(r'field "(\w+)"', str(exc))
        name = variable(found.group(1)) if found else _("a list setting")
        raise SettingsError(
            _(
                "bad setting: {name} is not a list that can be read; write lists as JSON, for "
                "example '[\"intranet.example.org\"]'"
            ).format(name=name)
        ) from None


def variable(field: str) -> str:
    """The environment variable of a setting: `smtp_port` is VEERKRACHT_SMTP_PORT."""
    return f"VEERKRACHT_{field.upper()}"


def setting_problem(err: Any) -> str:
    """One pydantic error of the settings in the person's words: the variable and its value as
    given, what is wrong, and how to fix it (the default to go back to)."""
    field = str(err["loc"][0]) if err["loc"] else ""
    info = Settings.model_fields.get(field)
    value = err.get("input")
    secret = info is not None and info.annotation is SecretStr
    shown = _("(hidden)") if secret else repr(value if isinstance(value, str) else str(value))
    default = info.get_default(call_default_factory=True) if info is not None else None
    if isinstance(default, SecretStr):
        default = None
    elif isinstance(default, bool):
        default = str(default).lower()
    return _("{name}={value}: {problem}").format(
        name=variable(field), value=shown, problem=_reason(err, info, default)
    )


def _reason(err: Any, info: Any, default: object) -> str:
    kind, limits = err["type"], err.get("ctx") or {}
    keep = (
        _("change it, or remove the variable to use the default ({default})").format(
            default=default
        )
        if default not in (None, "")
        else _("change it, or remove the variable")
    )
    if kind in ("int_parsing", "int_type", "int_from_float"):
        what = _("must be a whole number (digits only)")
    elif kind in ("float_parsing", "float_type"):
        what = _("must be a number (a decimal with a point, like 2.5)")
    elif kind in ("bool_parsing", "bool_type"):
        what = _("must be true or false")
    elif kind == "greater_than_equal":
        what = _("must be {limit} or more").format(limit=limits.get("ge"))
    elif kind == "greater_than":
        what = _("must be more than {limit}").format(limit=limits.get("gt"))
    elif kind == "less_than_equal":
        what = _("must be {limit} or less").format(limit=limits.get("le"))
    elif kind == "less_than":
        what = _("must be less than {limit}").format(limit=limits.get("lt"))
    elif kind == "literal_error":
        choices = typing.get_args(info.annotation) if info is not None else ()
        what = ngettext("must be {choices}", "must be one of: {choices}", len(choices)).format(
            choices=", ".join(str(c) for c in choices)
        )
    elif kind == "string_pattern_mismatch":
        what = _(
            "may only use lowercase letters (a-z), digits and hyphens, starting with a letter "
            "(at most 40), like noord-holland"
        )
    elif kind in ("list_type", "json_invalid", "json_type"):
        what = _("must be a list, written as JSON, for example '[\"intranet.example.org\"]'")
    elif kind == "value_error":  # our own validators: already in the person's words
        what = str(limits.get("error") or err["msg"]).removeprefix("Value error, ")
    else:
        what = _("is not a value this setting can have (see the settings table in the README)")
    return f"{what}; {keep}"


def run_folders(content_dir: str | None = None, out_dir: str | None = None) -> tuple[str, str]:
    """The content and output folders of a flow run: a parameter that is given wins, an empty
    one means the setting (VEERKRACHT_CONTENT_DIR, VEERKRACHT_OUT_DIR, else the defaults).

    So a deployment need not name folders: the worker's environment decides, per region.
    """
    settings = load_settings(
        content_dir=Path(content_dir) if content_dir else None,
        out_dir=Path(out_dir) if out_dir else None,
    )
    return str(settings.content_dir), str(settings.out_dir)
