"""`python -m app setup`: the first-run wizard and config.toml."""

from __future__ import annotations

import argparse
from typing import Any


def add_parsers(sub: Any) -> None:
    """Adds this feature's commands to `python -m app` (none yet)."""


def run(args: argparse.Namespace) -> int | None:
    """Runs one of this feature's commands; None when `args.command` is not one of them."""
    return None
