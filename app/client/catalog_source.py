"""The procedure catalogue an app starts with, before the centre's own copy arrives.

A screen shows the bundled catalogue (or the file given with --catalog) from the first frame; the centre's copy,
with its fees and processing times, replaces it once `QueueApi.catalog()` answers. Apps read catalogue files only
through here: they never import the store themselves (DESIGN.md §2, the import contracts in pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

from app.core.catalog import Catalog
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file


def starting_catalog(path: Path | None = None) -> Catalog:
    """The catalogue in `path`, else the bundled one; CatalogError (Vietnamese) when it cannot be used."""
    return load_catalog_file(path or default_catalog_path())


__all__ = ["starting_catalog"]
