from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.service.launcher import ServerProcess, start_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = start_server(tmp_path / "data")
    yield proc
    proc.stop()
