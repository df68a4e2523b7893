"""`python -m flows` runs the `veerkracht` command."""

from __future__ import annotations

import sys

from flows.cli import main

sys.exit(main())
