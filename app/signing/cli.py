"""`python -m app sign | verify | test-token`.

Parsers only here at import time: pyhanko and python-pkcs11 load when one of these commands runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("sign", "verify", "test-token")


def add_parsers(sub: Any) -> None:
    """Adds this feature's commands to `python -m app`."""
    sign = sub.add_parser("sign", help="ký số tệp PDF (PAdES) bằng thiết bị ký số (USB token) hoặc tệp .p12/.pfx")
    sign.add_argument("--in", dest="src", type=Path, required=True, help="tệp PDF cần ký")
    sign.add_argument("--out", type=Path, required=True, help="tệp PDF đã ký (có thể trùng --in: thay tại chỗ)")
    key = sign.add_mutually_exclusive_group(required=True)
    key.add_argument("--pkcs11", metavar="LIB", help="thư viện PKCS#11 của thiết bị ký số (.dll trên Windows, .so)")
    key.add_argument("--pfx", type=Path, help="tệp chữ ký số PKCS#12 (.p12/.pfx)")
    sign.add_argument("--slot", type=int, default=None, help="số khe của thiết bị khi cắm nhiều thiết bị (từ 0)")
    sign.add_argument(
        "--pin-file", type=Path, required=True, help="tệp chứa mã PIN (hoặc mật khẩu tệp .p12); không lưu lại ở đâu"
    )
    sign.add_argument("--stamp-page", type=int, default=1, help="trang đặt con dấu chữ ký (1 = trang đầu, -1 = cuối)")
    sign.add_argument("--tsa", metavar="URL", help="máy chủ cấp dấu thời gian (RFC 3161): có thì ký PAdES B-T")
    sign.add_argument("--commune", default="", help='tên xã (phường) ghi trên con dấu, ví dụ "Đông Hưng"')
    sign.add_argument("--certified-copy", action="store_true", help="ký là bản sao điện tử chứng thực từ bản chính")
    sign.add_argument("--trust", type=Path, action="append", default=[], help="chứng thư gốc (để lấy dữ liệu LTV)")
    sign.add_argument("--offline", action="store_true", help="không hỏi OCSP/CRL qua mạng khi nhúng dữ liệu LTV")

    verify = sub.add_parser(
        "verify",
        help="kiểm tra chữ ký số trong tệp PDF (mã thoát 0: hợp lệ, tin cậy; 1: không hợp lệ/đã sửa; 2: chưa tin cậy)",
    )
    verify.add_argument("file", type=Path, help="tệp PDF đã ký")
    verify.add_argument(
        "--trust", type=Path, action="append", default=[],
        help="chứng thư gốc tin cậy (tệp PEM/DER hoặc thư mục); mặc định thêm thư mục trust trong cấu hình",
    )  # fmt: skip

    token = sub.add_parser("test-token", help="tạo thiết bị ký số THỬ (SoftHSM2) với CA thử, in JSON ở dòng cuối")
    token.add_argument("--dir", type=Path, required=True, help="thư mục đặt thiết bị thử")


def run(args: argparse.Namespace) -> int | None:
    """Runs one of this feature's commands; None when `args.command` is not one of them."""
    if args.command not in COMMANDS:
        return None
    import logging

    from app.signing.errors import SigningError

    # pyhanko logs each unverifiable chain with a traceback; the report below says it in Vietnamese instead.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        if args.command == "sign":
            return _sign(args)
        if args.command == "verify":
            return _verify(args)
        return _test_token(args)
    except SigningError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1


def _read_pin(path: Path) -> str:
    from app.signing.errors import SigningError, os_reason

    try:
        pin = path.read_text(encoding="utf-8").strip("\r\n")
    except OSError as exc:
        raise SigningError(f"Không đọc được tệp mã PIN {path}: {os_reason(exc)}.") from exc
    if not pin:
        raise SigningError(f"Tệp mã PIN {path} đang trống.")
    return pin


def _sign(args: argparse.Namespace) -> int:
    from app.signing.keys import KeySource, PfxKey, Pkcs11Key
    from app.signing.sign import SignOptions, sign_files
    from app.signing.verify import load_trust

    source: KeySource = PfxKey(args.pfx) if args.pfx else Pkcs11Key(args.pkcs11, args.slot)
    options = SignOptions(
        commune=args.commune,
        stamp_page=args.stamp_page,
        tsa_url=args.tsa,
        certified_copy=args.certified_copy,
        trust=tuple(load_trust(args.trust)),
        fetch_revocation=not args.offline,
    )
    result = sign_files([(args.src, args.out)], source, _read_pin(args.pin_file), options)
    for done in result.done:
        print(f"Đã ký: {done.path} — người ký: {done.signer}; dữ liệu LTV: {'có' if done.ltv else 'không'}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from app.signing.verify import describe, overall, trust_dir, verify_file

    trust = list(args.trust)
    default = trust_dir()
    if default.is_dir() and any(default.iterdir()):
        trust.append(default)
    reports = verify_file(args.file, trust)
    if not reports:
        print(f"{args.file}: không có chữ ký số.")
    for report in reports:
        print("\n".join(describe(report, has_trust=bool(trust))))
    verdict = overall(reports)
    words = {0: "HỢP LỆ", 1: "KHÔNG HỢP LỆ", 2: "HỢP LỆ NHƯNG CHƯA TIN CẬY (chứng thư gốc không có trong danh sách)"}
    print(f"Kết luận: {words[int(verdict)]}")
    return int(verdict)


def _test_token(args: argparse.Namespace) -> int:
    from app.signing.demo_token import create_test_token

    token = create_test_token(args.dir)
    print(f"Đã tạo thiết bị ký số THỬ trong {args.dir} (chỉ dùng để chạy thử, không có giá trị pháp lý).")
    print(token.as_json())
    return 0
