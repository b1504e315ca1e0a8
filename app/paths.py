"""Where bundled resources live, from source and from a PyInstaller bundle alike."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    base = Path(bundle) if bundle else Path(__file__).resolve().parent.parent
    return base / "resources"


def default_catalog_path() -> Path:
    return resource_dir() / "catalog" / "procedures.vi.json"


def icon_path() -> Path:
    """The suite's icon (windows, Linux menu entries)."""
    return resource_dir() / "icons" / "motcua.png"
