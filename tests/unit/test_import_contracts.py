"""The import contracts in pyproject.toml catch what they promise: each bad import below, put into a scratch copy
of the packages, breaks exactly the contract that forbids it, and the untouched copy keeps them all.

A contract that no test can break is not a contract. lint-imports runs on the copy in a subprocess (the packages
are found on its PYTHONPATH, not in this process's `sys.modules`); each run takes well under a second.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "kiosk", "counter", "printing")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
CONTRACTS = {c["id"]: c["name"] for c in CONFIG["contracts"]}


def _lint_imports() -> str:
    beside = Path(sys.executable).with_name("lint-imports")
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert found, "lint-imports is not installed (requirements.lock pins import-linter)"
    return found


class Scratch:
    """A copy of the packages' sources and of pyproject.toml; `broken()` runs lint-imports on it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for package in PACKAGES:
            shutil.copytree(ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")

    def broken(self) -> set[str]:
        """The ids of the contracts lint-imports reports broken on the copy as it is now."""
        env = {**os.environ, "PYTHONPATH": str(self.root), "COLUMNS": "200"}
        run = subprocess.run(
            [_lint_imports(), "--config", str(self.root / "pyproject.toml"), "--no-cache"],
            cwd=self.root, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        flat = " ".join(run.stdout.split())  # contract names may wrap in the report
        if "Contracts:" not in flat:
            pytest.fail(f"lint-imports did not report on the contracts:\n{run.stdout}\n{run.stderr}")
        status = {}
        for contract_id, name in CONTRACTS.items():
            found = re.search(re.escape(" ".join(name.split())) + r" (KEPT|BROKEN)", flat)
            assert found, f"no result for contract {name!r}:\n{run.stdout}"
            status[contract_id] = found.group(1)
        assert (run.returncode != 0) == ("BROKEN" in status.values()), run.stdout
        return {contract_id for contract_id, result in status.items() if result == "BROKEN"}

    @contextmanager
    def inject(self, module: str, line: str) -> Iterator[None]:
        """`line` added at the end of `module` (a path under the copy) until the caller's block ends."""
        path = self.root / module
        original = path.read_text(encoding="utf-8")
        path.write_text(f"{original}\n{line}  # noqa\n", encoding="utf-8")
        try:
            yield
        finally:
            path.write_text(original, encoding="utf-8")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Scratch:
    return Scratch(tmp_path_factory.mktemp("contracts"))


def test_every_contract_has_an_id_and_is_proven_below() -> None:
    assert set(CONTRACTS) == {contract for _module, _line, contracts in VIOLATIONS for contract in contracts.split()}


def test_the_packages_as_they_are_keep_every_contract(scratch: Scratch) -> None:
    assert scratch.broken() == set()


VIOLATIONS = [
    # the core: no Qt, no I/O, no threads; urllib.parse stays allowed (procedure_qr.py uses it), urllib.request not
    ("app/core/ticket.py", "import threading", "core-pure"),
    ("app/core/procedure_qr.py", "import urllib.request", "core-pure"),
    ("app/core/errors.py", "import http.client", "core-pure"),
    # Qt in the core is Qt under everything that imports it: the store, and so the service, break too
    ("app/core/catalog.py", "from PySide6.QtCore import QObject", "core-pure qt-free service-on-store"),
    # kiosk, display and rating never reach the centre service (siblings in the layers), nor each other
    ("kiosk/app.py", "from app.service import api", "layers"),
    ("app/display/controller.py", "import app.service.server", "layers"),
    ("kiosk/controller.py", "from counter import state", "layers"),
    ("app/rating/app.py", "from app.service import rating_routes", "layers"),
    ("app/rating/window.py", "from kiosk import widgets", "layers"),
    ("app/dashboard/controller.py", "from app.service import director_routes", "layers"),
    ("app/dashboard/window.py", "from counter import style", "layers"),
    # the demo and the benchmarks sit on top: nothing below may import them
    ("app/display/app.py", "from app import demo", "layers"),
    ("counter/app.py", "import app.bench.queue", "layers"),
    # nothing reaches up: the store below the client (the service stands on the store, so it breaks too), the core
    # below everything (the store's sqlite would then be the core's); imaging below the store
    ("app/store/writer.py", "from app.client import queue_client", "layers service-on-store"),
    ("app/core/ticket.py", "from app.store import rows", "layers core-pure"),
    ("app/imaging/geometry.py", "from app.store import page_spool", "layers"),
    # the centre service sits on the store only
    ("app/service/pages.py", "from app.client import board", "service-on-store"),
    ("app/service/api.py", "import printing.doc", "service-on-store"),
    # kiosk, display, rating and the Qt glue reach centre data through app.client, never the store itself
    ("kiosk/app.py", "from app.store import catalog_file", "apps-through-client"),
    ("app/display/controller.py", "from app.store.queue_store import QueueStore", "apps-through-client"),
    ("app/qtbridge/events.py", "import app.store.writer", "apps-through-client"),
    ("app/rating/controller.py", "from app.store.ratings import RatingStore", "apps-through-client"),
    ("app/dashboard/live.py", "from app.store.settings_store import SettingsStore", "apps-through-client"),
    # no Qt below the Qt glue
    ("app/client/hall.py", "import PySide6", "qt-free"),
    ("app/sync/worker.py", "from PySide6.QtCore import QObject", "qt-free"),
    ("app/devices/camera.py", "from PySide6 import QtMultimedia", "qt-free"),
    ("app/imaging/geometry.py", "import PySide6.QtCore", "qt-free"),
    ("app/store/writer.py", "import PySide6.QtCore", "qt-free service-on-store"),
]


@pytest.mark.parametrize(("module", "line", "contracts"), VIOLATIONS, ids=[f"{c}:{m}" for m, _l, c in VIOLATIONS])
def test_a_bad_import_breaks_exactly_its_contract(scratch: Scratch, module: str, line: str, contracts: str) -> None:
    assert (scratch.root / module).exists(), module
    with scratch.inject(module, line):
        assert scratch.broken() == set(contracts.split())
