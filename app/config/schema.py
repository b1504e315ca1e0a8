"""The keys of config.toml: one row each, which drives reading, checking and the commented template; the checks say
what is wrong in Vietnamese ("phải là 384 hoặc 576"), the file and the wizard put the name of the key before it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.core.centre import commune_name

ROLES = ("service-kiosk", "counter", "display", "director", "rating")
ROLE_NAMES = {
    "service-kiosk": "Kiosk lấy số và máy chủ Trung tâm",
    "counter": "Máy tính tại quầy (cán bộ)",
    "display": "Màn hình sảnh (TV gọi số)",
    "director": "Máy của lãnh đạo (xem số liệu)",
    "rating": "Màn hình đánh giá tại quầy",
}
ROLL_WIDTHS = (384, 576)  # printing.doc.ROLL_WIDTHS (58 and 80 mm); printing sits above this module
DEFAULT_PORT = 8710
UNIT_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")  # mã định danh đơn vị, e.g. 000.00.12.H48
GROUP_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,11}$")  # as app.core.centre_settings.GROUP_CODE
PRINTER_SCHEMES = ("usb", "serial", "tcp", "win32", "cups", "file")
SCANNER_SCHEMES = ("sane", "escl", "wia", "camera", "file")


Check = Callable[[Any], str | None]  # a Vietnamese reason, or None when the value is fine


def _one_of(choices: tuple[Any, ...]) -> Check:
    return lambda v: None if v in choices else "phải là " + " hoặc ".join(f"{c!r}".replace("'", '"') for c in choices)


def _between(low: int, high: int) -> Check:
    return lambda v: None if low <= v <= high else f"phải từ {low} đến {high}"


def _max_len(n: int) -> Check:
    return lambda v: None if len(v) <= n else f"dài quá {n} ký tự"


def _unit_code(v: str) -> str | None:
    return None if not v or UNIT_CODE.match(v) else 'phải có dạng 000.00.00.H00 (ví dụ "000.00.12.H48")'


def _commune(v: str) -> str | None:
    if not v:
        return None
    try:
        commune_name(v)
    except ValueError:
        return 'phải là tên xã (phường), ví dụ "Đông Hưng" hoặc "phường Ba Đình"'
    return None


def _scheme(schemes: tuple[str, ...], example: str) -> Check:
    def check(v: str) -> str | None:
        scheme, sep, rest = v.partition(":")
        if not v or (sep and scheme in schemes and rest):
            return None
        return f"phải bắt đầu bằng {', '.join(s + ':' for s in schemes)} (ví dụ {example})"

    return check


def _camera(v: str) -> str | None:
    ok = not v or v.isdigit() or v.startswith(("file:", "rtsp://", "rtsps://", "http://", "https://"))
    return None if ok else "phải là số thứ tự camera (0, 1…), file:ĐƯỜNG_DẪN hoặc rtsp://…"


def _url(v: str) -> str | None:
    return None if not v or re.match(r"^https?://[^\s/]+", v) else "phải bắt đầu bằng https:// (hoặc http:// khi thử)"


def _groups(v: list[Any]) -> str | None:
    bad = [g for g in v if not isinstance(g, str) or not GROUP_CODE.match(g)]
    if bad:
        return f'có mã nhóm không hợp lệ: {", ".join(map(str, bad))} (mã viết hoa, ví dụ "HT")'
    return "có mã nhóm lặp lại" if len(set(v)) != len(v) else None


@dataclass(frozen=True)
class Key:
    section: str
    name: str
    kind: type  # str, int or list (of str)
    default: Any
    help: str  # Vietnamese, one or more comment lines in the template
    check: Check | None = None


SCHEMA: tuple[Key, ...] = (
    Key("pc", "role", str, "service-kiosk", "Vai trò của máy này: service-kiosk (kiosk lấy số + máy chủ Trung tâm), "
        "counter (máy tại quầy), display (TV sảnh), director (máy lãnh đạo), rating (màn hình đánh giá).",
        _one_of(ROLES)),
    Key("pc", "name", str, "", 'Tên máy, hiện trong danh sách thiết bị của Trung tâm, ví dụ "Kiosk sảnh", "Quầy 2".',
        _max_len(60)),
    Key("centre", "commune", str, "", 'Tên xã (phường) của Trung tâm, ví dụ "Đông Hưng" hoặc "phường Ba Đình" '
        "(máy chủ: bắt buộc).", _commune),
    Key("centre", "name", str, "", 'Tên đầy đủ riêng của Trung tâm; để trống: "Trung tâm Phục vụ hành chính công '
        'xã …".', _max_len(120)),
    Key("centre", "unit_code", str, "", 'Mã định danh đơn vị (mã đơn vị), dạng 000.00.00.H00, ví dụ "000.00.12.H48": '
        "đứng đầu mã hồ sơ.", _unit_code),
    Key("centre", "data_dir", str, "", "Máy chủ: thư mục dữ liệu của dịch vụ Trung tâm (hàng đợi, hồ sơ); để trống: "
        "thư mục centre bên cạnh tệp này."),
    Key("centre", "port", int, DEFAULT_PORT, "Máy chủ: cổng của dịch vụ Trung tâm (bảng gọi số trên TV dùng cổng "
        "kế tiếp).", _between(1024, 65534)),
    Key("centre", "counters", int, 4, "Máy chủ: số quầy khi tạo Trung tâm lần đầu (sau đó đổi trong màn hình lãnh "
        "đạo).", _between(1, 30)),
    Key("centre", "groups", list, [], 'Máy chủ: các nhóm (lĩnh vực) cấp số khi tạo lần đầu, theo mã, ví dụ ["HT", '
        '"CT"]; để trống [] = mọi lĩnh vực trong danh mục.', _groups),
    Key("counter", "number", int, 0, "Máy tại quầy: số quầy của máy này (0 = chọn khi đăng nhập).", _between(0, 99)),
    Key("rating", "counter", int, 0, "Màn hình đánh giá: số quầy mà màn hình đặt trước mặt công dân.",
        _between(0, 99)),
    Key("printer", "spec", str, "", "Máy in phiếu nhiệt: usb:VID:PID, tcp:IP:9100, serial:/dev/ttyUSB0, win32:Tên máy "
        "in, file:đường dẫn; để trống: không có máy in.", _scheme(PRINTER_SCHEMES, "usb:0416:5011")),
    Key("printer", "width", int, 576, "Khổ giấy tính bằng điểm: 576 (giấy 80 mm) hoặc 384 (giấy 58 mm).",
        _one_of(ROLL_WIDTHS)),
    Key("scanner", "source", str, "", "Máy quét tài liệu: sane:TÊN (Linux), escl:http://IP/eSCL, wia:TÊN (Windows), "
        "camera:0; để trống: không có.", _scheme(SCANNER_SCHEMES, "escl:http://192.168.1.30/eSCL")),
    Key("camera", "source", str, "0", "Camera đọc mã QR/CCCD: 0, 1 (thứ tự camera), rtsp://… hoặc file:THƯ_MỤC.",
        _camera),
    Key("province", "gateway_url", str, "", "Địa chỉ hệ thống một cửa của tỉnh (cổng dữ liệu), ví dụ "
        "https://motcua.tinh.gov.vn; để trống: chưa kết nối.", _url),
    Key("province", "unit_code", str, "", "Mã đơn vị do tỉnh cấp cho Trung tâm khi gửi hồ sơ (thường trùng "
        "[centre] unit_code).", _unit_code),
    Key("province", "username", str, "", "Tên đăng nhập kết nối với tỉnh. Mật khẩu KHÔNG ghi ở đây: trình cài đặt lưu "
        "vào kho mật khẩu của hệ điều hành (hoặc tệp province.secret chỉ chủ máy đọc được), hoặc đặt biến môi trường "
        "MOTCUA_TINH_PASSWORD.", _max_len(120)),
)  # fmt: skip
SECTIONS = {
    "pc": "Máy này",
    "centre": "Trung tâm",
    "counter": "Máy tại quầy",
    "rating": "Màn hình đánh giá",
    "printer": "Máy in phiếu",
    "scanner": "Máy quét",
    "camera": "Camera",
    "province": "Hệ thống một cửa của tỉnh",
}
KEYS = {(k.section, k.name): k for k in SCHEMA}


def check_value(section: str, name: str, value: Any) -> str | None:
    """Why `value` cannot go into [section] name ("phải từ 1 đến 30"), or None: the wizard's fields use the same rules
    as the file."""
    key = KEYS[(section, name)]
    return typed_problem(key, value) or (key.check(value) if key.check else None)


def typed_problem(key: Key, value: Any) -> str | None:
    if key.kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        return "phải là một số nguyên (không có dấu ngoặc kép)"
    if key.kind is str and not isinstance(value, str):
        return 'phải là chuỗi ký tự trong dấu ngoặc kép, ví dụ "…"'
    if key.kind is list and not isinstance(value, list):
        return 'phải là danh sách trong ngoặc vuông, ví dụ ["HT", "CT"]'
    return None
