"""`python -m app backup|restore`, and the nightly backup options of `serve`.

    python -m app backup  --data DIR --out FILE.zip     # an online backup, consistent while the service writes
    python -m app restore --data DIR --from FILE.zip    # check it, then bring it back (DIR must not be in use)
    python -m app restore --from FILE.zip --check       # only check it
    python -m app serve … --backup-dir /media/usb/motcua [--backup-at 02:00] [--backup-keep 14]

Exit codes: 0 done; 2 refused with a Vietnamese message and nothing written (a bad option, a missing folder, an
archive that fails its checks, a folder in use); 1 the disk failed midway (nothing half written either).
What an archive holds and how it is checked: app/store/backup.py and app/store/restore.py.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import UTC, datetime
from pathlib import Path

from app.child_process import shown_command
from app.core.clock import LOCAL_TZ
from app.service.nightly_backup import DEFAULT_AT, DEFAULT_KEEP, NightlyBackup, parse_at
from app.store.backup import BackupError, write_backup
from app.store.restore import Manifest, check_archive, restore
from app.version import __version__


def add_backup_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = sub.add_parser("backup", help="sao lưu thư mục dữ liệu ra một tệp (chạy được khi dịch vụ đang chạy)")
    backup.add_argument("--data", type=Path, required=True, help="thư mục dữ liệu (dịch vụ trung tâm hoặc quầy)")
    backup.add_argument("--out", type=Path, required=True, help="tệp sao lưu .zip sẽ ghi, ví dụ /media/usb/sl.zip")
    restore_p = sub.add_parser("restore", help="kiểm tra một tệp sao lưu rồi khôi phục thư mục dữ liệu từ nó")
    restore_p.add_argument("--from", dest="archive", type=Path, required=True, help="tệp sao lưu .zip")
    restore_p.add_argument(
        "--data", type=Path, help="thư mục dữ liệu khôi phục vào; thư mục cũ được giữ lại thành "
        "DIR.before-restore-NGÀY-GIỜ (dịch vụ và phần mềm quầy trên thư mục này phải tắt trước)",
    )  # fmt: skip
    restore_p.add_argument("--check", action="store_true", help="chỉ kiểm tra tệp sao lưu, không khôi phục")


def add_serve_backup_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--backup-dir", type=Path, help="sao lưu hằng ngày vào thư mục này (nên là ổ USB hoặc ổ đĩa thứ hai); "
        "tệp TÊN-backup-YYYYMMDD.zip, mỗi ngày một lần từ giờ --backup-at",
    )  # fmt: skip
    serve.add_argument("--backup-at", type=_at, default=DEFAULT_AT, metavar="GIỜ:PHÚT",
                       help="giờ sao lưu hằng ngày (mặc định 02:00; máy tắt lúc đó: sao lưu ngay khi bật)")  # fmt: skip
    serve.add_argument("--backup-keep", type=_keep, default=DEFAULT_KEEP, metavar="N",
                       help=f"giữ N bản sao lưu mới nhất (mặc định {DEFAULT_KEEP})")  # fmt: skip


def _at(text: str) -> object:
    try:
        return parse_at(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _keep(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"số bản giữ lại “{text}” không hợp lệ: cần một số từ 1 trở lên.")
    return int(text)


def nightly_backup(args: argparse.Namespace) -> NightlyBackup | None:
    """The nightly backup `serve` runs, from its options (None without --backup-dir)."""
    if args.backup_dir is None:
        return None
    return NightlyBackup(args.data.absolute(), args.backup_dir.absolute(), at=args.backup_at, keep=args.backup_keep)


def run_backup_command(args: argparse.Namespace) -> int:
    try:
        if args.command == "backup":
            return _backup(args.data, args.out)
        if args.check:
            return _check(args.archive)
        if args.data is None:
            print("Lỗi: cần --data THƯ_MỤC để khôi phục vào (hoặc --check để chỉ kiểm tra).", file=sys.stderr)
            return 2
        return _restore(args.archive, args.data)
    except BackupError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Lỗi: không đọc/ghi được đĩa ({exc.strerror or exc}: {exc.filename or ''}). Không có tệp nào bị ghi "
              "dở; thư mục dữ liệu không thay đổi.", file=sys.stderr)  # fmt: skip
        return 1


def _backup(data: Path, out: Path) -> int:
    if not (data / "queue.db").exists() and not (data / "dossiers.db").exists():
        raise BackupError(f"{data} không phải thư mục dữ liệu Một Cửa (không có queue.db hay dossiers.db).")
    result = write_backup(data, out, now=datetime.now(UTC), version=__version__)
    print(f"Đã sao lưu {data} vào {result.path}: {len(result.databases)} cơ sở dữ liệu "
          f"({', '.join(result.databases)}), {len(result.members) - len(result.databases)} tệp khác, "
          f"{_size(result.size)}.")  # fmt: skip
    print(f"Khôi phục: {shown_command('app', 'restore')} --data {data} --from {result.path}")
    return 0


def _check(archive: Path) -> int:
    manifest = check_archive(archive)
    print(f"Tệp sao lưu {archive} tốt: {_describe(manifest)}.")
    return 0


def _restore(archive: Path, data: Path) -> int:
    newer = _newer_than_us(archive)
    restored = restore(archive, data, now=datetime.now(UTC))
    print(f"Đã khôi phục {restored.data} từ {archive}: {_describe(restored.manifest)}.")
    if restored.before is not None:
        print(f"Thư mục dữ liệu cũ được giữ lại ở {restored.before} (xóa khi không cần nữa).")
    if newer:
        print(f"Lưu ý: bản sao lưu do phiên bản {newer} ghi, mới hơn phần mềm này ({__version__}): hãy cập nhật "
              "phần mềm trước khi chạy dịch vụ.")  # fmt: skip
    print("Chạy lại dịch vụ trung tâm (hoặc phần mềm quầy) trên thư mục này.")
    return 0


def _newer_than_us(archive: Path) -> str | None:
    import zipfile

    from app.store.restore import read_manifest
    from app.version import is_older

    try:
        with zipfile.ZipFile(archive) as zf:
            written_by = read_manifest(zf, archive.name).software_version
    except (BackupError, OSError, zipfile.BadZipFile):
        return None  # restore() says what is wrong with it
    return written_by if is_older(__version__, written_by) else None


def _describe(manifest: Manifest) -> str:
    when = manifest.created_at
    with contextlib.suppress(ValueError):
        when = datetime.fromisoformat(when).astimezone(LOCAL_TZ).strftime("%H:%M:%S ngày %d/%m/%Y")
    files = len(manifest.members) - len(manifest.databases)
    return (f"ghi lúc {when} (phiên bản {manifest.software_version}), {len(manifest.databases)} cơ sở dữ liệu "
            f"({', '.join(manifest.databases)}) qua kiểm tra toàn vẹn, {files} tệp khác khớp mã SHA-256")  # fmt: skip


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{n / 1024:.0f} KB"
