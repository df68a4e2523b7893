"""Subcommands of `veerkracht`: each module has `register(subparsers)`.

A command module adds a parser with `set_defaults(run=handler)`; the handler takes the parsed
arguments and returns the exit code.
"""

from __future__ import annotations

# Order here is the order in `veerkracht --help`.
COMMAND_MODULES: list[str] = [
    "flows.commands.check",
    "flows.commands.preview",
    "flows.commands.plan",
    "flows.commands.publish",
    "flows.commands.demo",
    "flows.commands.links",
    "flows.commands.newsletter",
    "flows.commands.serve",
    "flows.commands.ingest",
]
