"""`serve --backup-dir PATH`: a backup of the data folder every day into a second folder (a USB disk).

Once per local day, at or after `--backup-at` (default 02:00), the service writes `NAME-backup-YYYYMMDD.zip`
(NAME: the data folder's name) into the backup folder (app/store/backup.py: consistent while tickets are being
issued) and keeps the newest `--backup-keep` of them (default 14). A commune's PC is often off at night: when the
service starts after that time and today's file is not there yet, the backup runs at once.

A failure (the USB disk unplugged or full) is logged as an error every time it is tried again (every 15 minutes
until one works) and shown by `GET /api/health` under `"backup"`, which says when the last one worked, the last
error and the next try. The folder's path stays in the log, not in that public answer.

`check(now)` does one step of the schedule; the thread calls it each poll and tests call it with a clock of their
own, with nothing to wait for.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from app.core.clock import LOCAL_TZ, Clock, SystemClock, to_iso
from app.store.backup import BackupError, write_backup
from app.version import __version__

log = logging.getLogger(__name__)

DEFAULT_AT = time(2, 0)
DEFAULT_KEEP = 14
RETRY = timedelta(minutes=15)
POLL_S = 30.0


def parse_at(text: str) -> time:
    """`"02:00"` → 02:00, with a Vietnamese ValueError for anything else."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text or "")
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f"Giờ sao lưu “{text}” không hợp lệ: cần dạng GIỜ:PHÚT, ví dụ 02:00.")
    return time(int(match.group(1)), int(match.group(2)))


@dataclass
class Outcome:
    ok: bool
    at: datetime
    file: str | None = None
    size: int | None = None
    error: str | None = None


class NightlyBackup:
    def __init__(self, data: Path, folder: Path, *, at: time = DEFAULT_AT, keep: int = DEFAULT_KEEP,
                 clock: Clock | None = None, poll_s: float = POLL_S) -> None:  # fmt: skip
        if keep < 1:
            raise ValueError("Số bản sao lưu giữ lại (--backup-keep) phải từ 1 trở lên.")
        self.data, self.folder, self.at, self.keep = data, folder, at, keep
        self.clock = clock or SystemClock()
        self.poll_s = poll_s
        self.last_ok: Outcome | None = None
        self.last_error: Outcome | None = None
        self._retry_at: datetime | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the schedule ------------------------------------------------------------------------------

    def file_for(self, day: date) -> Path:
        return self.folder / f"{self.data.name}-backup-{day:%Y%m%d}.zip"

    def due(self, now: datetime) -> bool:
        local = now.astimezone(LOCAL_TZ)
        if local.time() < self.at or (self._retry_at is not None and now < self._retry_at):
            return False
        done = self.last_ok is not None and self.last_ok.at.astimezone(LOCAL_TZ).date() == local.date()
        return not done and not self.file_for(local.date()).exists()

    def next_at(self, now: datetime) -> datetime:
        """When the next backup will be tried."""
        if self.due(now):
            return now
        if self._retry_at is not None and now < self._retry_at:
            return self._retry_at
        local = now.astimezone(LOCAL_TZ)
        today = datetime.combine(local.date(), self.at, LOCAL_TZ)
        return today if local < today else today + timedelta(days=1)

    def check(self, now: datetime | None = None) -> Outcome | None:
        """Back up now if it is due; the outcome, or None when nothing was due."""
        now = now or self.clock.now()
        if not self.due(now):
            return None
        return self.run(now)

    def run(self, now: datetime) -> Outcome:
        target = self.file_for(now.astimezone(LOCAL_TZ).date())
        try:
            result = write_backup(self.data, target, now=now, version=__version__)
            removed = self.prune()
        except (BackupError, OSError) as exc:
            reason = exc.message if isinstance(exc, BackupError) else _disk_reason(exc)
            public = reason  # for /api/health: no path (a damaged database's message names only the file)
            if isinstance(exc, BackupError) and not self.folder.is_dir():
                public = "không thấy thư mục sao lưu (ổ USB chưa cắm hoặc đã rút?)."
            outcome = Outcome(False, now, error=f"Sao lưu hằng ngày không ghi được: {public}")
            with self._lock:
                self.last_error, self._retry_at = outcome, now + RETRY
            log.error("SAO LƯU HẰNG NGÀY THẤT BẠI vào %s: %s Thử lại lúc %s.",
                      target, reason, (now + RETRY).astimezone(LOCAL_TZ).strftime("%H:%M"))  # fmt: skip
            return outcome
        outcome = Outcome(True, now, file=target.name, size=result.size)
        with self._lock:
            self.last_ok, self._retry_at = outcome, None
        log.info("Sao lưu hằng ngày: %s (%d tệp, %d byte)%s", target, len(result.members), result.size,
                 f"; đã xóa bản cũ {', '.join(removed)}" if removed else "")  # fmt: skip
        return outcome

    def prune(self) -> list[str]:
        """Delete all but the newest `keep` of this folder's daily backups (and leftovers of an interrupted one); the
        names of the backups deleted."""
        pattern = re.compile(rf"^{re.escape(self.data.name)}-backup-\d{{8}}\.zip$")
        ours = sorted(p for p in self.folder.iterdir() if pattern.match(p.name))
        removed = ours[: max(0, len(ours) - self.keep)]
        for path in removed:
            path.unlink()
        # What a stop in the middle of an earlier backup left (the temp archive, the staging folder of its databases)
        for leftover in self.folder.glob(f".{self.data.name}-backup-*.tmp"):
            leftover.unlink(missing_ok=True)
        for stage in self.folder.glob(".motcua-backup-*"):
            shutil.rmtree(stage, ignore_errors=True)
        return [p.name for p in removed]

    def status(self) -> dict[str, Any]:
        """For `GET /api/health`: no path, only file names and times."""
        now = self.clock.now()
        with self._lock:
            ok, failed = self.last_ok, self.last_error
        failing = failed is not None and (ok is None or failed.at > ok.at)
        return {
            "ok": not failing,
            "last_ok_at": to_iso(ok.at) if ok else None,
            "last_file": ok.file if ok else None,
            "last_size": ok.size if ok else None,
            "last_error": failed.error if failing and failed else None,
            "last_error_at": to_iso(failed.at) if failing and failed else None,
            "next_at": to_iso(self.next_at(now)),
            "keep": self.keep,
        }

    # --- the thread ----------------------------------------------------------------------------------

    def start(self) -> None:
        if not self.folder.is_dir():
            log.error("SAO LƯU HẰNG NGÀY: chưa có thư mục %s (ổ USB chưa cắm?). Sẽ thử lại khi đến giờ.", self.folder)
        self._thread = threading.Thread(target=self._loop, name="nightly-backup", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:  # never let the thread die: the next poll tries again
                log.exception("nightly backup: unexpected failure")
            self._stop.wait(self.poll_s)


def _disk_reason(exc: OSError) -> str:
    """What went wrong, without the path (the log has it)."""
    return f"lỗi ghi đĩa ({exc.strerror or type(exc).__name__}): ổ USB đã rút, đầy hoặc chỉ cho đọc?"
