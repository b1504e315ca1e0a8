from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.clock import ManualClock
from app.service.api import create_app
from app.service.server import open_store


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], ManualClock]]:
    """The centre service in-process on a fresh data folder: a client, the admin's auth header, the clock."""
    clock = ManualClock()
    store, devices = open_store(tmp_path / "data", clock)
    token = (tmp_path / "data" / "admin.token").read_text().strip()
    with TestClient(create_app(store, devices)) as client:
        yield client, {"Authorization": f"Bearer {token}"}, clock
    store.close()
