"""What only a director (or the admin) may do at the centre service: read the centre's figures for any period and
change the settings a director owns, each change kept with who made it and when.

GET  /api/report?from=YYYY-MM-DD&to=YYYY-MM-DD   the report's figures (app/store/director_figures.py) as JSON
GET  /api/settings                               wait target, groups' caps and windows, counters' groups, notice
PUT  /api/settings                               a partial change (app/core/centre_settings.py); 422 with every
                                                 problem in Vietnamese; a `centre.changed` event on success
GET  /api/settings/audit                         the latest changes first
GET  /api/calendar                               the centre's holiday overrides, for every token that reads
                                                 (counters count their due dates with them)
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Body, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.params import Depends

from app.core.centre_settings import NOTICE_MAX, change_view
from app.core.errors import DomainError
from app.paths import default_catalog_path
from app.store.director_figures import report_figures
from app.store.queue_store import QueueStore
from app.store.settings_store import SettingsStore

_DAY = r"^\d{4}-\d{2}-\d{2}$"


_SETTINGS_BODY = (
    'Các mục cần đổi, mục nào không gửi thì giữ nguyên: {"wait_target_min": 20, "groups": {"HT": {"daily_cap": 60, '
    '"windows": [["07:30", "11:00"]], "name": "…"}, "MOI": {"name": "Nhóm mới"}}, "counters": {"1": {"HT": 1, '
    '"CT": 2}}, "notice": "…", "priorities": {"elderly": {"name": "…"}, "ma_moi": {"name": "…"}, "ma_bo": null}, '
    '"calendar": {"2026-09-04": {"working": false, "source": "QĐ 12/QĐ-UBND", "effective": "2026-08-20"}, '
    '"2026-09-05": null}}; daily_cap null: không '
    f"giới hạn; windows []: cấp số cả ngày làm việc; notice tối đa {NOTICE_MAX} ký tự; một mã nhóm mới thêm nhóm "
    "(cần quầy phục vụ); diện ưu tiên đang có phiếu hôm nay không xoá được."
)


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            f"Ngày «{text}» ({name}) không hợp lệ: cần dạng YYYY-MM-DD, ví dụ 2026-11-23.", code="bad_period"
        ) from None


def who_of(principal: Any) -> str:
    """The name kept in the audit: the signed-in person, or the device token that made the change."""
    session = getattr(principal, "session", None)
    if session is not None:
        return f"{session.username} ({session.display_name})"
    device = getattr(principal, "device", None)
    if device is not None:
        return f"thiết bị #{device.id} ({device.role})"
    return str(getattr(principal, "role", "không rõ"))


def install_director_routes(app: FastAPI, store: QueueStore, reporter: Depends, setter: Depends,
                            reader: Depends | None = None) -> SettingsStore:  # fmt: skip
    """Mount the routes; `reporter` admits whoever may read figures (Permission.REPORT), `setter` whoever may change
    settings (Permission.SETTINGS), `reader` whoever may read the day (Permission.READ: GET /api/calendar); all set
    request.state.principal."""
    settings = SettingsStore(store)

    @app.get("/api/report", dependencies=[reporter])
    def get_report(
        first: Annotated[str, Query(alias="from", pattern=_DAY, description="ngày đầu kỳ YYYY-MM-DD")],
        last: Annotated[str | None, Query(alias="to", pattern=_DAY, description="ngày cuối kỳ")] = None,
    ) -> dict[str, Any]:
        start = _day(first, "from")
        return report_figures(store, start, _day(last, "to") if last else start, catalog_path=default_catalog_path)

    @app.get("/api/settings", dependencies=[reporter])
    def get_settings() -> dict[str, Any]:
        return settings.view()

    @app.put("/api/settings")
    async def put_settings(
        request: Request, body: Annotated[dict[str, Any], Body(description=_SETTINGS_BODY)], _who: Any = setter
    ) -> dict[str, Any]:
        """Checked by app/core/centre_settings.py, as the in-process fake does: 422 `invalid_settings` lists every
        problem (`details.errors`: field, message)."""
        who = who_of(request.state.principal)
        changes = await run_in_threadpool(settings.change, body, who)
        return {"changed": [change_view(c) for c in changes], "settings": settings.view()}

    @app.get("/api/settings/audit", dependencies=[reporter])
    def get_audit(limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict[str, Any]]:
        return settings.audit(limit)

    @app.get("/api/calendar", dependencies=[reader or reporter])
    def get_calendar() -> list[dict[str, Any]]:
        """The centre's holiday overrides ({day, working, source, effective, note}), by day."""
        return settings.calendar()

    return settings
