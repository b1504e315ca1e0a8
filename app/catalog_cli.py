"""`python -m app catalog import|export`: a centre edits its own catalogue (its fees and times)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.core.catalog import CatalogError

MAX_LISTED = 30  # a screenful; the rest is counted


def add_catalog_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cat = sub.add_parser("catalog", help="danh mục thủ tục của Trung tâm: nhập từ / xuất ra tệp Excel hoặc JSON")
    cat.add_argument("action", choices=["import", "export"], help="import: thay danh mục; export: xuất ra để sửa")
    cat.add_argument("file", type=Path, help="tệp .xlsx hoặc .json (export chỉ ra .xlsx hoặc .json)")
    cat.add_argument("--data", type=Path, required=True, help="thư mục dữ liệu của dịch vụ trung tâm")


def run_catalog(args: argparse.Namespace) -> int:
    # openpyxl loads only for this command, not for every `python -m app …`
    from app.paths import default_catalog_path
    from app.store.catalog_file import (
        CENTRE_CATALOG,
        export_catalog_xlsx,
        load_catalog_file,
        read_catalog_source,
        save_catalog_file,
    )

    target = args.data / CENTRE_CATALOG
    try:
        if args.action == "export":
            catalog = load_catalog_file(target if target.exists() else default_catalog_path())
            if args.file.suffix.lower() == ".json":
                save_catalog_file(args.file, catalog)
            elif args.file.suffix.lower() == ".xlsx":
                export_catalog_xlsx(args.file, catalog)
            else:
                raise CatalogError(f"chỉ xuất ra tệp .xlsx hoặc .json, không xuất ra «{args.file.name}»")
            print(f"Đã xuất {len(catalog.procedures)} thủ tục, {len(catalog.fields)} lĩnh vực ra {args.file}.")
            return 0
        catalog = read_catalog_source(args.file)
        args.data.mkdir(mode=0o700, parents=True, exist_ok=True)
        save_catalog_file(target, catalog)
    except CatalogError as exc:
        print(f"Không nhập/xuất được danh mục từ {args.file.name}:", file=sys.stderr)
        for problem in exc.problems[:MAX_LISTED]:
            print(f"  - {problem}", file=sys.stderr)
        if len(exc.problems) > MAX_LISTED:
            print(f"  … và {len(exc.problems) - MAX_LISTED} lỗi khác.", file=sys.stderr)
        print("Danh mục đang dùng không thay đổi. Sửa các dòng trên rồi nhập lại.", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"Lỗi: không đọc/ghi được tệp ({exc.strerror or exc}). Danh mục đang dùng không thay đổi.", file=sys.stderr
        )
        return 2
    print(f"Đã nhập {len(catalog.procedures)} thủ tục, {len(catalog.fields)} lĩnh vực vào {target}.")
    print("Kiosk và trang thủ tục dùng danh mục mới ngay; nhóm lấy số theo lĩnh vực đổi khi khởi động lại dịch vụ.")
    return 0
