"""Scanners behind one interface: SANE (Linux), eSCL over HTTP (any OS), WIA (Windows), cameras and files.

`open_source(uri)` gives a ScanSource whose `scan(settings)` yields RawPages one by one as the device
delivers them; `list_sources()` finds what is attached. Adapters are imported lazily by `open_source`
so a machine without python-sane or comtypes still opens the others.
"""

from __future__ import annotations

from app.devices.scanners.base import (
    ScannerError,
    ScanSettings,
    ScanSource,
    SourceInfo,
    list_sources,
    open_source,
)

__all__ = ["ScanSettings", "ScanSource", "ScannerError", "SourceInfo", "list_sources", "open_source"]
