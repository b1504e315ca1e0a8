"""The citizen's dossier status page: `/h/{code}-{key}`, the link in the QR of Mẫu 01.

Public (no token; the plain board port serves it to phones too) and therefore held to two rules:
- it opens only with the dossier's random lookup key (codes are sequential: the code alone would let anyone on
  the hall Wi-Fi walk through every dossier), compared in constant time;
- it shows the procedure, the dates and the status in words for a citizen, never a name, an ID number, an
  address, a phone number, a document or a file.
A wrong key, an unknown code and a malformed address all get the same 404 page, so it never tells whether a
code exists. The status is the centre's mirror (counters push every change within seconds when the LAN is up).
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from app.core.clock import LOCAL_TZ
from app.core.dossier import LOOKUP_PREFIX, STATUS_NAMES, Status, split_lookup
from app.store.dossier_mirror import DossierMirror, PublicStatus

# No copy on the way or on the phone; the address holds the key, so it is never sent on as a referrer.
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
}

NOT_FOUND_TITLE = "Chưa tìm thấy hồ sơ"
NOT_FOUND_TEXT = (
    "Hồ sơ mới tiếp nhận có thể cần vài phút để cập nhật; nếu vẫn không thấy, "
    "vui lòng liên hệ số điện thoại trên giấy hẹn."
)
PAUSED_TEXT = "Đang tạm dừng chờ bổ sung"

# (headline, what to do, tone) for each national status (STATUS_NAMES), in words for the citizen.
CITIZEN_STATUS: dict[Status, tuple[str, str, str]] = {
    Status.NEW: ("Đã đăng ký, chờ tiếp nhận", "Cán bộ sẽ kiểm tra và tiếp nhận hồ sơ.", "wait"),
    Status.RECEIVED: (
        "Đã tiếp nhận, đang giải quyết",
        "Mời quý khách đến nhận kết quả theo ngày hẹn trả.",
        "work",
    ),
    Status.REFUSED: (
        "Hồ sơ không được tiếp nhận",
        "Lý do được ghi trên phiếu từ chối cán bộ đã giao cho quý khách.",
        "stop",
    ),
    Status.PROCESSING: (
        "Đã tiếp nhận, đang giải quyết",
        "Mời quý khách đến nhận kết quả theo ngày hẹn trả.",
        "work",
    ),
    Status.SUPPLEMENT: (
        "Cần bổ sung hồ sơ",
        "Mời quý khách mang giấy tờ còn thiếu (ghi trên phiếu yêu cầu bổ sung) đến Trung tâm. "
        "Thời hạn giải quyết tạm dừng cho đến khi nhận đủ.",
        "act",
    ),
    Status.FINANCIAL: (
        "Cần thực hiện nghĩa vụ tài chính",
        "Mời quý khách nộp các khoản thuế, phí theo thông báo; hồ sơ tiếp tục được giải quyết sau đó.",
        "act",
    ),
    Status.WITHDRAWN: ("Hồ sơ đã được rút theo yêu cầu", "", "stop"),
    Status.STOPPED: (
        "Hồ sơ đã dừng giải quyết",
        "Vui lòng liên hệ Trung tâm theo số điện thoại trên giấy hẹn.",
        "stop",
    ),
    Status.DONE: (
        "Đã có kết quả — mời quý khách đến nhận",
        "Khi đến nhận, quý khách mang theo giấy hẹn và giấy tờ tùy thân.",
        "ready",
    ),
    Status.RETURNED: ("Đã trả kết quả", "", "done"),
}
_NO_APPOINTMENT = (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED)


def install_dossier_pages(app: FastAPI, mirror: DossierMirror, centre_name: str) -> None:
    """Mount GET /h/{code}-{key} (no token)."""

    @app.get(LOOKUP_PREFIX + "{token}", response_class=HTMLResponse, include_in_schema=False)
    async def dossier_status_page(token: str) -> HTMLResponse:
        parts = split_lookup(token)
        found = await run_in_threadpool(mirror.public_status, *parts) if parts else None
        if found is None:
            return HTMLResponse(not_found_page(centre_name), status_code=404, headers=_HEADERS)
        return HTMLResponse(status_page(found, centre_name), headers=_HEADERS)


def _when(moment: datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


_STYLE = """body{font-family:"Be Vietnam Pro","Noto Sans",sans-serif;margin:0;color:#111;background:#f6f7f9;
line-height:1.45;font-size:17px}header{background:#0b4f8a;color:#fff;padding:.8em 1em}header p{margin:0}
main{padding:1em;max-width:40em;margin:auto}h1{font-size:1.35em;margin:.2em 0 .5em}
.code{font-family:monospace;font-size:1.05em;word-break:break-all}
.status{border-radius:10px;padding:.9em 1em;margin:.8em 0;font-size:1.25em;font-weight:bold;color:#fff}
.status small{display:block;font-size:.72em;font-weight:normal;margin-top:.3em}
.work,.wait{background:#0b4f8a}.act{background:#b45309}.ready{background:#15803d}.done{background:#374151}
.stop{background:#991b1b}
.fact{background:#fff;border-radius:8px;padding:.7em .9em;margin:.5em 0;box-shadow:0 1px 2px #0002}
.fact b{display:block;color:#0b4f8a;font-size:.9em}.muted{color:#555;font-size:.88em}"""


def _page(title: str, centre: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">
<title>{escape(title)}</title><style>{_STYLE}</style></head>
<body><header><p>{escape(centre)}</p></header><main>{body}</main></body></html>"""


def _fact(label: str, value: str) -> str:
    return f"<div class=fact><b>{escape(label)}</b>{escape(value)}</div>"


def status_page(s: PublicStatus, centre: str) -> str:
    """The page for a dossier found with its key: only what PublicStatus carries (no personal data)."""
    headline, advice, tone = CITIZEN_STATUS[s.status]
    facts = [_fact("Thủ tục", s.procedure_name), _fact("Ngày tiếp nhận", _when(s.received_at))]
    if s.status == Status.RETURNED and s.returned_at is not None:
        facts.append(_fact("Ngày trả kết quả", _when(s.returned_at)))
    elif s.paused or s.status == Status.SUPPLEMENT:
        facts.append(_fact("Ngày hẹn trả kết quả", PAUSED_TEXT))
    elif s.status not in _NO_APPOINTMENT:
        due = _when(s.due_at) if s.due_at is not None else "Cán bộ sẽ báo khi có"
        facts.append(_fact("Ngày hẹn trả kết quả", due))
    advice_html = f"<small>{escape(advice)}</small>" if advice else ""
    body = f"""<p class=muted>Tra cứu tình trạng hồ sơ</p>
<h1>Mã hồ sơ: <span class=code>{escape(s.code)}</span></h1>
<div class="status {tone}">{escape(headline)}{advice_html}</div>
{"".join(facts)}
<p class=muted>Cập nhật lần cuối: {escape(_when(s.updated_at))} · Trạng thái trên hệ thống: \
{escape(STATUS_NAMES[s.status])}.</p>
<p class=muted>Tình trạng trên trang có thể chậm vài phút so với tại quầy. Trang này không hiển thị thông tin cá nhân \
của quý khách; vui lòng không chia sẻ mã QR trên giấy hẹn cho người khác.</p>"""
    return _page(f"Hồ sơ {s.code}", centre, body)


def not_found_page(centre: str) -> str:
    """One page for every miss: unknown code, wrong key, malformed address."""
    body = f"<h1>{escape(NOT_FOUND_TITLE)}</h1><p>{escape(NOT_FOUND_TEXT)}</p>"
    return _page(NOT_FOUND_TITLE, centre, body)
