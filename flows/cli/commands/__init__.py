"""Subcommands of `veerkracht`: each module has `register(subparsers)`; channels add their own
after these (`Channel.register_cli`, for example `veerkracht newsletter`).

A command module adds a parser with `set_defaults(run=handler)`; the handler takes the parsed
arguments and returns the exit code.
"""

from __future__ import annotations

# Order here is the order in `veerkracht --help`.
COMMAND_MODULES: list[str] = [
    "flows.cli.commands.check",
    "flows.cli.commands.preview",
    "flows.cli.commands.review",
    "flows.cli.commands.plan",
    "flows.cli.commands.publish",
    "flows.cli.commands.demo",
    "flows.cli.commands.links",
    "flows.cli.commands.serve",
    "flows.cli.commands.public",
    "flows.cli.commands.reach",
    "flows.cli.commands.studio",
    "flows.cli.commands.ingest",
    "flows.cli.commands.state",
]
