"""`python -m app sync`: drain a counter's outbox from the command line, or say what is still waiting.

python -m app sync --data DIR --provincial URL [--centre URL --token-file F [--ca-file CA.PEM]] --once   # 0 / 3
python -m app sync --data DIR --provincial-config tinh.json --status
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

EXIT_REMAINING = 3
NAMES = {"centre": "máy chủ Trung tâm", "province": "hệ thống một cửa tỉnh"}


def _sinks(store: Any, provincial: str | None, config_file: Path | None, centre: str | None,
           token_file: Path | None, ca_file: Path | None = None) -> list[Any]:  # fmt: skip
    from app.sync.centre_sink import CentreSink
    from app.sync.gateway import ProvincialSink
    from app.sync.gateway_config import config_for_url, load_gateway_config

    sinks: list[Any] = []
    if centre:
        token = token_file.read_text().strip() if token_file else os.environ.get("MOTCUA_TOKEN")
        sinks.append(CentreSink(centre, lambda: token, ca_file=ca_file))  # CaFileError: an https centre, no CA
    if config_file is not None:
        sinks.append(ProvincialSink(load_gateway_config(config_file)))
    elif provincial:
        sinks.append(ProvincialSink(config_for_url(provincial, store.setting("unit_code", "000.00.00.X00"))))
    return sinks


def run_sync(data: Path, *, provincial: str | None, config_file: Path | None, centre: str | None,
             token_file: Path | None, once: bool, status: bool, ca_file: Path | None = None) -> int:  # fmt: skip
    from app.core.clock import SystemClock
    from app.pinned_ca import CaFileError
    from app.store.dossier_store import DossierStore
    from app.store.sync_state import SyncState
    from app.sync.gateway_config import GatewayConfigError
    from app.sync.worker import Drain

    if not (data / "dossiers.db").exists():
        print(f"Lỗi: không có dữ liệu hồ sơ trong {data} (cần thư mục --data của phần mềm quầy).", file=sys.stderr)
        return 2
    store = DossierStore(data, SystemClock())
    try:
        try:
            sinks = _sinks(store, provincial, config_file, centre, token_file, ca_file)
        except (GatewayConfigError, CaFileError, OSError) as exc:
            print(f"Lỗi: {exc}", file=sys.stderr)
            return 2
        if not sinks and not status:
            print("Lỗi: cần --provincial URL, --provincial-config FILE hoặc --centre URL.", file=sys.stderr)
            return 2
        dests = [s.name for s in sinks] or ["centre", "province"]
        if once:
            for sink in sinks:
                SyncState(store).retry_now(sink.name)  # run by hand: try everything now, not after its backoff
                result = Drain(store, sink).run_once()
                print(f"{NAMES[sink.name]}: gửi xong {result.sent}, lỗi {result.failed}, bị từ chối {result.rejected}")
                sink.close()
        return _report(SyncState(store), dests)
    finally:
        store.close()


def _report(state: Any, dests: list[str]) -> int:
    now = datetime.now(UTC)
    remaining = 0
    for dest in dests:
        items = state.pending(dest)
        remaining += len(items)
        if not items:
            print(f"{NAMES[dest]}: không còn hồ sơ chờ.")
            continue
        print(f"{NAMES[dest]}: {len(items)} hồ sơ chưa gửi đủ:")
        for item in items[:50]:
            why = f"bị từ chối — {item.remote_message or item.last_error}" if item.rejected else item.last_error
            age = int((now - item.waiting_since).total_seconds() // 60)
            print(f"  {item.code}  phiên bản {item.delivered}/{item.revision}  chờ {age} phút  {why or 'chưa gửi'}")
        if len(items) > 50:
            print(f"  … và {len(items) - 50} hồ sơ khác")
    return EXIT_REMAINING if remaining else 0
