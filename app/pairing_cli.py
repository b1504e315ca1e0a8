"""`python -m app pair-code | pair | unpair`: pairing a PC with the centre service.

On the service PC: `pair-code --data DIR --role ROLE [--counter N] [--name NAME]` asks the running service (over
loopback, with the admin token kept in DIR) for a 6-digit code and prints it large. On the new PC:
`pair --code 482913 --role counter --counter 2 [--name "Quầy 2"] [--service URL]` finds the service (mDNS, or the
address given), pairs and keeps the token in the OS keyring (or a private file). `unpair` forgets this PC's pairing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.child_process import shown_command

ROLES = ("kiosk", "counter", "display", "director", "rating")
ROLE_LABELS = {"kiosk": "kiosk lấy số", "counter": "máy quầy", "display": "màn hình sảnh", "director": "lãnh đạo",
               "rating": "màn hình đánh giá"}  # fmt: skip
# 5-line digits for the code on a console: read from across the room, typed on the new PC.
_BIG = {
    "0": ["███", "█ █", "█ █", "█ █", "███"], "1": [" █ ", "██ ", " █ ", " █ ", "███"],
    "2": ["███", "  █", "███", "█  ", "███"], "3": ["███", "  █", "███", "  █", "███"],
    "4": ["█ █", "█ █", "███", "  █", "  █"], "5": ["███", "█  ", "███", "  █", "███"],
    "6": ["███", "█  ", "███", "█ █", "███"], "7": ["███", "  █", "  █", "  █", "  █"],
    "8": ["███", "█ █", "███", "█ █", "███"], "9": ["███", "█ █", "███", "  █", "███"],
}  # fmt: skip


def add_parsers(sub: Any) -> None:
    code = sub.add_parser("pair-code", help="(máy chủ) lấy mã 6 chữ số để ghép một máy mới")
    code.add_argument("--data", type=Path, required=True, help="thư mục dữ liệu của dịch vụ trung tâm")
    code.add_argument("--role", required=True, choices=ROLES, help="vai trò của máy mới")
    code.add_argument("--counter", type=int, help="số quầy (vai trò counter, bắt buộc với rating)")
    code.add_argument("--name", help="tên máy mới, ví dụ “Quầy 2” (mặc định theo vai trò)")
    code.add_argument("--port", type=int, default=8710, help="cổng của dịch vụ trên máy này (mặc định 8710)")
    code.add_argument("--service", help="địa chỉ dịch vụ (mặc định https hoặc http://127.0.0.1:PORT)")

    pair = sub.add_parser("pair", help="(máy mới) ghép máy này với dịch vụ trung tâm bằng mã 6 chữ số")
    pair.add_argument("--code", required=True, help="mã 6 chữ số hiện trên máy chủ")
    pair.add_argument("--role", required=True, choices=ROLES, help="vai trò của máy này (như khi lấy mã)")
    pair.add_argument("--counter", type=int, help="số quầy (vai trò counter, rating)")
    pair.add_argument("--name", default="", help="tên máy này (mặc định: tên đặt khi lấy mã)")
    pair.add_argument("--service", help="địa chỉ máy chủ, ví dụ https://192.168.1.20:8710 (mặc định: tự tìm trong LAN)")
    pair.add_argument("--timeout", type=float, default=5.0, help="số giây chờ tìm máy chủ và chờ trả lời")

    sub.add_parser("unpair", help="xóa thông tin ghép và mã thiết bị của máy này")


def run(args: argparse.Namespace) -> int | None:
    if args.command == "pair-code":
        return _pair_code(args)
    if args.command == "pair":
        return _pair(args)
    if args.command == "unpair":
        return _unpair()
    return None


def big(code: str) -> str:
    return "\n".join("    " + "  ".join(_BIG[d][row].replace("█", "██").replace(" ", "  ") for d in code)
                     for row in range(5))  # fmt: skip


def _pair_code(args: argparse.Namespace) -> int:
    from datetime import datetime

    from app.client.queue_client import QueueClient, ServiceError, ServiceUnavailable
    from app.core.clock import LOCAL_TZ

    try:
        token = (args.data / "admin.token").read_text(encoding="utf-8").strip()
    except OSError as exc:
        why = "không có tệp này" if isinstance(exc, FileNotFoundError) else "không có quyền đọc hoặc tệp hỏng"
        print(f"Lỗi: không đọc được mã quản trị {args.data / 'admin.token'} ({why}). Kiểm tra --data: thư mục dữ liệu "
              "của dịch vụ trung tâm trên máy này.", file=sys.stderr)  # fmt: skip
        return 2
    ca = args.data / "tls" / "ca.pem"
    urls = [args.service] if args.service else [
        *([f"https://127.0.0.1:{args.port}"] if ca.exists() else []), f"http://127.0.0.1:{args.port}"]  # fmt: skip
    answer: dict[str, Any] | None = None
    for url in urls:
        try:
            with QueueClient(url, token, ca_file=ca if url.startswith("https:") else None, attempts=1) as client:
                answer = client.pairing_code(args.role, args.name, args.counter)
            break
        except ServiceUnavailable:
            continue  # https first when the centre has its CA, then plain http on loopback
        except ServiceError as exc:
            print(f"Lỗi: {exc.message}", file=sys.stderr)
            return 1
    if answer is None:
        print(f"Lỗi: không kết nối được dịch vụ trung tâm trên máy này ({', '.join(urls)}). Dịch vụ đã chạy chưa? "
              "Nếu dịch vụ dùng cổng khác 8710, thêm --port CỔNG.", file=sys.stderr)  # fmt: skip
        return 1
    until = datetime.fromisoformat(str(answer["expires_at"])).astimezone(LOCAL_TZ)
    who = f"{ROLE_LABELS.get(args.role, args.role)} “{answer['name']}”"
    print(f"Mã ghép cho {who}:\n\n{big(str(answer['code']))}\n\n    {answer['code']}\n")
    print(f"Có hiệu lực đến {until:%H:%M:%S} ngày {until:%d/%m/%Y} (5 phút), dùng một lần, sai 5 lần thì bị khóa.")
    counter = f" --counter {answer['counter']}" if answer.get("counter") is not None else ""
    pair = shown_command("app", "pair", "--code", str(answer["code"]), "--role", args.role)  # the bundle: no -m
    print(f"Trên máy mới: nhập mã trong phần Cài đặt ban đầu, hoặc chạy: {pair}{counter}")
    if answer.get("server_fingerprint"):
        print(f"Mã nhận dạng máy chủ (máy mới phải hiện đúng mã này): {answer['server_fingerprint']}")
    return 0


def _pair(args: argparse.Namespace) -> int:
    from app.client.pairing import pair, server_fingerprint
    from app.client.queue_client import ServiceError

    try:
        paired = pair(args.code, args.role, args.name, args.counter, args.service, timeout=args.timeout)
    except ServiceError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return 1
    where = "kho khóa của hệ điều hành" if paired.kept_in == "keyring" else "tệp riêng trong thư mục cấu hình"
    counter = f", quầy {paired.counter}" if paired.counter is not None else ""
    what = f"{ROLE_LABELS.get(paired.role, paired.role)} “{paired.name}”{counter}, thiết bị số {paired.device_id}"
    print(f"Đã ghép máy này với {paired.service_name or 'dịch vụ trung tâm'} ({paired.url}): {what}.")
    print(f"Mã thiết bị được lưu trong {where}; các ứng dụng trên máy này tự dùng nó.")
    try:
        fingerprint = server_fingerprint(paired.url, args.timeout)
    except OSError:
        fingerprint = None
    if fingerprint:
        print(f"Mã nhận dạng máy chủ: {fingerprint} (phải trùng với mã hiện trên máy chủ khi lấy mã ghép).")
    return 0


def _unpair() -> int:
    from app.client.credentials import forget_pairing
    from app.config import config_dir

    if forget_pairing():
        print(f"Đã xóa thông tin ghép và mã thiết bị của máy này ({config_dir()}).")
        print("Để gỡ hẳn máy khỏi Trung tâm, lãnh đạo bấm “Gỡ ghép” ở thẻ Thiết bị trên màn hình lãnh đạo.")
    else:
        print("Máy này chưa ghép với dịch vụ trung tâm nào.")
    return 0
