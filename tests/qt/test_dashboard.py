"""The director's dashboard on the in-process fake: a scripted morning, the figures on screen equal to the core's
(app/core/report.py on the same data folder) and to the script's own counts, live updates through the event stream,
history with its export, the settings tab's refusals and audit, and screenshots of every tab at both desk sizes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.client.fake import FakeEventStream, FakeQueueClient
from app.client.hall import HallModel
from app.core.clock import LOCAL_TZ, ManualClock
from app.core.report import PeriodReport, ReportPeriod, build_report
from app.core.report_codec import report_from_dict
from app.dashboard import figures as fmt
from app.dashboard.controller import DashboardController
from app.dashboard.live import NO_DOSSIERS
from app.dashboard.window import DashboardWindow
from app.paths import default_catalog_path
from app.qtbridge.events import EventBridge
from app.qtbridge.fonts import install_fonts
from app.reports.period_report import write_period_report
from app.store.report_queries import load_report_data
from app.store.users import UserStore

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 8, 40, tzinfo=LOCAL_TZ)


def at(hour: int, minute: int) -> datetime:
    return datetime.combine(DAY, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC)


def scripted_morning() -> FakeQueueClient:
    """08:00–08:40: five tickets; counter 1 (Lan) serves A001 and calls A002 four times (absent), counter 2 (Minh)
    serves B001, counter 3 goes to a meeting; A003 and D001 wait."""
    clock = ManualClock(at(7, 55))
    fake = FakeQueueClient(clock=clock)
    users = UserStore(fake.store.writer, clock)
    users.create("lan", "Nguyễn Thị Lan", "clerk", "482913")
    users.create("minh", "Trần Văn Minh", "clerk", "482913")
    steps: list[tuple[int, int, Any]] = [
        (8, 0, lambda: fake.issue("HT")),  # A001
        (8, 2, lambda: fake.issue("HT")),  # A002
        (8, 5, lambda: fake.issue("CT")),  # B001
        (8, 10, lambda: fake.call_next(1, clerk="lan")),
        (8, 11, lambda: fake.start(1)),
        (8, 12, lambda: fake.call_next(2, clerk="minh")),
        (8, 13, lambda: fake.start(2)),
        (8, 19, lambda: fake.finish(1)),
        (8, 20, lambda: fake.finish(2)),
        (8, 20, lambda: fake.call_next(1, clerk="lan")),  # A002
        (8, 22, lambda: fake.recall(1)),
        (8, 24, lambda: fake.recall(1)),
        (8, 26, lambda: fake.recall(1)),  # the fourth call: absent
        (8, 30, lambda: fake.issue("HT")),  # A003
        (8, 31, lambda: fake.issue("DD")),  # D001
        (8, 32, lambda: fake.pause(3, "meeting")),
    ]
    for hour, minute, step in steps:
        clock.current = at(hour, minute)
        step()
    clock.current = NOW.astimezone(UTC)
    return fake


def core_report(fake: FakeQueueClient, first: date = DAY, last: date = DAY) -> PeriodReport:
    """The core's own report of the fake's data folder, as `python -m app report` builds it."""
    period = ReportPeriod(first, last)
    loaded = load_report_data(fake.store.path.parent, period, catalog_path=default_catalog_path)
    return build_report(loaded.centre, period, fake.clock.now(), loaded.tickets, loaded.dossiers,
                        ratings=loaded.ratings, clerk_names=loaded.clerk_names,
                        field_names=loaded.field_names)  # fmt: skip


@pytest.fixture
def fake() -> Iterator[FakeQueueClient]:
    with scripted_morning() as made:
        yield made


@pytest.fixture
def window(qtbot: QtBot, fake: FakeQueueClient) -> Iterator[DashboardWindow]:
    install_fonts(QApplication.instance(), 11)  # type: ignore[arg-type]

    def stream_factory(bridge: EventBridge) -> FakeEventStream:
        return FakeEventStream(fake, **bridge.callbacks(), auto=True)

    ctl = DashboardController(fake, stream_factory=stream_factory, figures_debounce_ms=30)
    shown = DashboardWindow(ctl)
    ctl.setParent(shown)
    qtbot.addWidget(shown)
    shown.resize(1366, 768)
    shown.show()
    ctl.start()
    qtbot.waitUntil(lambda: ctl.hall.loaded and ctl.figures is not None and not ctl.busy(), timeout=10_000)
    yield shown
    ctl.stop()


def test_the_live_tab_shows_the_core_figures_of_the_scripted_morning(window: DashboardWindow,
                                                                     fake: FakeQueueClient) -> None:  # fmt: skip
    expected = core_report(fake)
    q, t = expected.queue, expected.queue.total
    assert (t.tickets, t.served, t.no_show) == (5, 2, 1)  # the script's own count
    assert (t.wait.count, t.service.count) == (3, 2)  # A001, B001 served; A002 called, never served
    assert window.ctl.figures is not None
    assert window.ctl.figures.report == expected  # what the service sent is the core's report, exactly
    shown = window.live.shown()
    tiles = shown["tiles"]
    assert tiles["Đã cấp số hôm nay"] == ("5", "xong 2 · vắng mặt 1")
    assert tiles["Thời gian chờ"] == (f"TV {fmt.minutes(t.wait.median)}", f"P90 {fmt.minutes(t.wait.p90)}")
    assert tiles["Thời gian phục vụ"] == ("TV 7,5 phút", "P90 8,0 phút")  # 8 and 7 minutes at the counters
    assert tiles["Chờ quá mục tiêu"] == (fmt.percent(t.over_target_share), "chờ quá 30 phút")
    assert tiles["Đánh giá hôm nay"][0] == "Chưa có đánh giá"
    assert tiles["Đang chờ"] == ("2", "chờ lâu nhất 10,0 phút")  # A003 since 08:30
    assert tiles["Quầy"] == ("2 mở / 4", "phục vụ 0 · tạm dừng 1 (họp)")
    groups = {row[0]: row for row in shown["groups"]}
    assert groups["Hộ tịch"][1:] == ["1", "10,0 phút", "A003", "3"]
    assert groups["Đất đai"][1:4] == ["1", "9,0 phút", "D001"]
    counters = {row[0]: row for row in shown["counters"]}
    assert counters["Quầy 1"][1:4] == ["Mở, chờ khách", "–", "Nguyễn Thị Lan"]
    assert counters["Quầy 2"][1:4] == ["Mở, chờ khách", "–", "Trần Văn Minh"]
    assert counters["Quầy 3"][1] == "Tạm dừng (họp)"
    assert counters["Quầy 4"][1:4] == ["Đóng", "–", "–"]
    by_clerk = {r.key: r for r in q.by_clerk}
    assert shown["clerks"] == [
        [by_clerk[k].name, fmt.count(by_clerk[k].tickets), fmt.count(by_clerk[k].served),
         fmt.count(by_clerk[k].no_show), fmt.minutes_short(by_clerk[k].wait.median),
         fmt.minutes_short(by_clerk[k].service.median), "–"]
        for k in ("lan", "minh")
    ]  # fmt: skip
    assert [row[0] for row in shown["clerks"]] == ["Nguyễn Thị Lan (lan)", "Trần Văn Minh (minh)"]
    assert shown["clerks"][0][3] == "1"  # Lan's call went unanswered
    assert shown["hours"] == {"Lượt đến (lấy số)": [5], "Phục vụ xong": [2]}
    assert shown["dossiers"] == NO_DOSSIERS


def test_the_hall_and_the_figures_follow_the_events(qtbot: QtBot, window: DashboardWindow,
                                                    fake: FakeQueueClient) -> None:  # fmt: skip
    ctl = window.ctl
    fake.issue("HT")
    qtbot.waitUntil(lambda: window.live.shown()["tiles"]["Đang chờ"][0] == "3", timeout=5_000)
    qtbot.waitUntil(lambda: window.live.shown()["tiles"]["Đã cấp số hôm nay"][0] == "6", timeout=5_000)
    fake.call_next(4, clerk="minh")
    qtbot.waitUntil(lambda: {r[0]: r for r in window.live.shown()["counters"]}["Quầy 4"][1] == "Đang gọi",
                    timeout=5_000)  # fmt: skip
    assert {r[0]: r for r in window.live.shown()["counters"]}["Quầy 4"][2] == "D001"  # its home group first
    expected = core_report(fake)  # the call counts a fourth wait: the figures are fetched again after the event
    qtbot.waitUntil(lambda: ctl.figures is not None and ctl.figures.report == expected, timeout=5_000)


def test_history_shows_any_period_and_exports_the_same_report(
    qtbot: QtBot, window: DashboardWindow, fake: FakeQueueClient, tmp_path: Path
) -> None:
    ctl = window.ctl
    window.show_tab("history")  # loads the last 7 days by itself
    qtbot.waitUntil(lambda: ctl.history is not None and not ctl.busy(), timeout=10_000)
    assert ctl.history is not None
    first, last = ctl.history.report.period.first, ctl.history.report.period.last
    assert (first, last) == (date(2026, 11, 17), DAY)
    expected = core_report(fake, first, last)
    assert ctl.history.report == expected
    shown = window.history.shown()
    assert shown["tiles"]["Lượt lấy số"] == ("5", "7 ngày")
    assert shown["tiles"]["Vắng mặt"][0] == "1"
    assert shown["tiles"]["Hồ sơ"] == ("0", "chưa có hồ sơ trong kỳ")
    assert shown["waits"] == {"Số lượt": [b.count for b in ctl.history.charts.wait_bins]}
    assert sum(shown["waits"]["Số lượt"]) == expected.queue.total.wait.count
    assert shown["heat"] == {(0, 8): 5.0}  # five arrivals on the one Monday, in the 8 o'clock hour
    # the export: the report's own writers, from the fetched figures
    xlsx, pdf = tmp_path / "ky.xlsx", tmp_path / "ky.pdf"
    history = window.history
    with qtbot.waitSignal(history.exported, timeout=30_000) as ended:
        assert history.export_to(xlsx)
        assert history.busy_bar.isVisibleTo(history)
        assert not history.export_button.isEnabled()
        assert not history.export_to(pdf)  # one export at a time
        assert history.status.text() == "Đang xuất báo cáo ra ky.xlsx…"
    assert ended.args == [True, f"Đã ghi báo cáo Excel vào {xlsx}."]
    assert history.status.text() == f"Đã ghi báo cáo Excel vào {xlsx}."
    assert not history.busy_bar.isVisibleTo(history)
    assert history.export_button.isEnabled()
    with qtbot.waitSignal(history.exported, timeout=30_000) as ended:
        assert history.export_to(pdf)
    assert ended.args[0] is True
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "trang A4 ngang" in history.status.text()
    reference = tmp_path / "tu-thu-muc.xlsx"
    write_period_report(expected, reference, datetime(2026, 11, 23, 2, tzinfo=UTC))
    ours, theirs = load_workbook(xlsx), load_workbook(reference)
    assert ours.sheetnames == theirs.sheetnames
    for name in ours.sheetnames:
        mine = [[c.value for c in row] for row in ours[name].iter_rows(min_row=4)]
        other = [[c.value for c in row] for row in theirs[name].iter_rows(min_row=4)]
        assert mine == other, name
    with qtbot.waitSignal(history.exported, timeout=30_000) as ended:
        assert history.export_to(tmp_path / "ky.docx")
    assert ended.args[0] is False
    assert "chỉ xuất được" in history.status.text().lower()
    assert history.status.objectName() == "error"


def test_history_refuses_a_range_that_ends_before_it_starts(qtbot: QtBot, window: DashboardWindow) -> None:
    from PySide6.QtCore import QDate

    window.show_tab("history")
    qtbot.waitUntil(lambda: window.ctl.history is not None and not window.ctl.busy(), timeout=10_000)
    window.history.first.setDate(QDate(2026, 11, 23))
    window.history.last.setDate(QDate(2026, 11, 20))
    window.history.load()
    assert window.history.status.text() == "Ngày cuối kỳ phải từ ngày đầu kỳ trở đi."


def test_settings_refused_then_saved_audited_and_heard_by_the_hall(qtbot: QtBot, window: DashboardWindow,
                                                                   fake: FakeQueueClient) -> None:  # fmt: skip
    ctl = window.ctl
    hall = HallModel()  # another screen's model (a kiosk's, a counter's)
    hall.apply_snapshot(fake.queue())
    seen = hall.seq
    window.show_tab("settings")
    tab = window.settings
    qtbot.waitUntil(lambda: tab.loaded is not None and not ctl.busy(), timeout=10_000)
    assert tab.shown()["audit"] == [["Chưa có thay đổi nào.", "", "", "", ""]]
    tab.cap_box(0).setValue(2)  # Hộ tịch issued 3 today
    tab.window_edit(1).setText("11:00–07:30")
    tab.submit()
    qtbot.waitUntil(lambda: tab.message.objectName() == "error", timeout=5_000)
    message = tab.shown()["message"]
    assert "Giới hạn 2 số/ngày của nhóm Hộ tịch nhỏ hơn số phiếu đã cấp hôm nay (3)" in message
    assert "11:00–07:30 của nhóm Chứng thực kết thúc trước" in message
    assert tab.cap_box(0).property("bad") is True
    assert tab.window_edit(1).property("bad") is True
    assert fake.settings_audit() == []
    tab.revert()
    tab.target.setValue(20)
    tab.cap_box(0).setValue(40)
    tab.submit()
    qtbot.waitUntil(lambda: tab.message.objectName() == "ok" and tab.audit.rowCount() == 2, timeout=5_000)
    assert tab.shown()["message"] == "Đã lưu: Mục tiêu thời gian chờ: 20 phút; Giới hạn số/ngày – Hộ tịch: 40 số."
    audit = tab.shown()["audit"]
    assert {row[2] for row in audit} == {"Mục tiêu thời gian chờ", "Giới hạn số/ngày – Hộ tịch"}
    assert {row[1] for row in audit} == {"fake (admin)"}
    # every screen hears of it: the event asks the hall model for a fresh queue
    events = [e.to_dict() for e in fake.store.events_since(seen or 0)]
    assert [e["kind"] for e in events][-1] == "centre.changed"
    assert hall.apply_event({"type": "event", **events[-1]}).resync
    # and the dashboard's own figures take the new target
    qtbot.waitUntil(lambda: window.live.shown()["tiles"]["Chờ quá mục tiêu"][1] == "chờ quá 20 phút", timeout=5_000)


def test_groups_priorities_and_the_calendar_are_edited_on_the_settings_pages(qtbot: QtBot, window: DashboardWindow,
                                                                           fake: FakeQueueClient) -> None:  # fmt: skip
    ctl = window.ctl
    window.show_tab("settings")
    tab = window.settings
    qtbot.waitUntil(lambda: tab.loaded is not None and not ctl.busy(), timeout=10_000)
    fake.issue("HT", "elderly")  # a category in use today
    # removing it is refused with the reason, on its row
    row = [p["code"] for p in tab.loaded["priorities"]].index("elderly")  # type: ignore[index]
    tab.priority_drop(row).setChecked(True)
    tab.submit()
    qtbot.waitUntil(lambda: tab.message.objectName() == "error", timeout=5_000)
    assert "Không xoá được diện ưu tiên «Người cao tuổi»: hôm nay đã có 1 phiếu" in tab.shown()["message"]
    assert tab.priority_edit(row).property("bad") is True
    tab.revert()
    # a renamed and a new group, a renamed and a new category, a day off: one save, each line audited
    tab.name_edit(0).setText("Hộ tịch – khai sinh, khai tử")
    code, name = tab.add_group()
    code.setText("tp")
    name.setText("Tư pháp")
    new_row = tab.groups.rowCount() - 1
    assert tab.fields_picker(new_row).text() == "chọn lĩnh vực…"
    tab.fields_picker(new_row).actions_by_code["HT"].setChecked(True)  # ticked in its menu
    assert tab.fields_picker(new_row).text() == "Hộ tịch"
    tab.priority_edit(row).setText("Người cao tuổi (từ 60)")
    tab.add_priority("Người có công với cách mạng")
    day = tab.add_day()
    day["source"].setText("QĐ 125/QĐ-UBND")
    change = tab.change()
    assert change["groups"]["TP"] == {"name": "Tư pháp", "fields": ["HT"]}
    assert all(levels["TP"] == 2 for levels in change["counters"].values())  # every counter serves the new group
    assert change["priorities"] == {"elderly": {"name": "Người cao tuổi (từ 60)"},
                                    "nguoi_co_cong_voi_cach_mang": {"name": "Người có công với cách mạng"}}  # fmt: skip
    tomorrow = "2026-11-24"
    assert change["calendar"] == {tomorrow: {"working": False, "source": "QĐ 125/QĐ-UBND", "effective": "2026-11-23",
                                             "note": ""}}  # fmt: skip
    tab.submit()
    qtbot.waitUntil(lambda: tab.message.objectName() == "ok" and not ctl.busy(), timeout=5_000)
    settings = fake.settings()
    assert [g["name"] for g in settings["groups"] if g["code"] in ("HT", "TP")] == ["Hộ tịch – khai sinh, khai tử",
                                                                                   "Tư pháp"]  # fmt: skip
    assert [o["day"] for o in fake.calendar()] == [tomorrow]
    assert tab.calendar.rowCount() == 1
    qtbot.waitUntil(lambda: len(tab.shown()["audit"]) >= 5, timeout=5_000)
    labels = {row[2] for row in tab.shown()["audit"]}
    assert "Lịch làm việc ngày 24/11/2026" in labels
    assert "Thêm nhóm dịch vụ TP" in labels
    # the day off is dropped again
    tab.calendar_rows()[0]["drop"].setChecked(True)
    assert tab.change() == {"calendar": {tomorrow: None}}


def test_a_director_signs_in_with_a_pin_and_others_are_turned_away(qtbot: QtBot) -> None:
    from app.dashboard.signin import NOT_A_DIRECTOR, SignInDialog

    class Sessions:
        def __init__(self) -> None:
            self.token: str | None = None
            self.revoked: list[str] = []

        def sign_in(self, username: str, secret: str, counter: int | None = None) -> dict[str, Any]:
            from app.client.queue_client import ServiceError

            if secret != "482913":
                raise ServiceError("Sai tên đăng nhập hoặc mã PIN.", code="bad_credentials", status=401)
            role = "director" if username == "giamdoc" else "clerk"
            return {"token": f"t-{username}", "user": {"username": username, "display_name": "X", "role": role}}

        def revoke(self, token: str) -> None:
            self.revoked.append(token)

        def set_token(self, token: str | None) -> None:
            self.token = token

    client = Sessions()
    dialog = SignInDialog(client, username="lan")
    qtbot.addWidget(dialog)
    dialog.secret.setText("000000")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.error.text() == "Sai tên đăng nhập hoặc mã PIN.", timeout=5_000)
    assert dialog.secret.text() == ""  # the secret leaves the screen at once
    dialog.secret.setText("482913")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.error.text() == NOT_A_DIRECTOR, timeout=5_000)
    qtbot.waitUntil(lambda: client.revoked == ["t-lan"], timeout=5_000)
    assert client.token is None
    dialog.username.setText("giamdoc")
    dialog.secret.setText("482913")
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.submit()
    assert client.token == "t-giamdoc"
    assert dialog.user == {"username": "giamdoc", "display_name": "X", "role": "director"}


def test_screenshots_of_every_tab_at_both_desk_sizes(qtbot: QtBot, tmp_path: Path) -> None:
    from app.dashboard.screenshots import DEFAULT_SIZES, take_screenshots

    install_fonts(QApplication.instance(), 11)  # type: ignore[arg-type]
    saved = take_screenshots(tmp_path)
    names = ("live", "history", "history-month", "settings", "settings-priorities", "settings-calendar",
             "settings-refused", "settings-saved", "settings-groups", "settings-groups-refused", "devices",
             "history-exporting", "history-exported", "session-expired", "session-later")  # fmt: skip
    assert [p.name for p in saved] == [f"dashboard-{w}x{h}-{n}.png" for w, h in DEFAULT_SIZES for n in names]
    for path in saved:
        image = QImage(str(path))
        w, h = (int(x) for x in path.stem.split("-")[1].split("x"))
        assert (image.width(), image.height()) == (w, h)


def test_the_demo_centre_is_lively_and_its_figures_read_back() -> None:
    from app.client.dashboard_demo import TODAY, dashboard_demo

    with dashboard_demo(history_days=2) as demo:
        answer = demo.report(TODAY, TODAY)
        report = report_from_dict(answer["report"])
        assert report.queue.total.tickets > 40
        assert report.queue.total.no_show > 0
        assert report.ratings is not None
        assert report.ratings.total.total > 0
        assert report.dossiers.total.received > 0
        assert len(demo.queue()["waiting"]) > 3
        statuses = {c["id"]: c["status"] for c in demo.counters()}
        assert (statuses[3], statuses[4]) == ("paused", "closed")


def test_a_group_is_removed_renumbered_and_refused_with_its_reason(qtbot: QtBot, window: DashboardWindow,
                                                                   fake: FakeQueueClient) -> None:  # fmt: skip
    ctl = window.ctl
    window.show_tab("settings")
    tab = window.settings
    qtbot.waitUntil(lambda: tab.loaded is not None and not ctl.busy(), timeout=10_000)
    codes = [g["code"] for g in tab.loaded["groups"]]  # type: ignore[index]
    ht, kd, gn = codes.index("HT"), codes.index("KD"), codes.index("GN")
    assert tab.prefix_edit(ht).text() == "A"
    assert tab.range_edit(ht).text() == "1–999"
    assert tab.fields_picker(ht).text() == "Hộ tịch"
    # Hộ tịch has A003 waiting and issued A001–A003 today: neither removed nor given another letter
    tab.group_drop(ht).setChecked(True)
    tab.prefix_edit(ht).setText("z")
    assert tab.change()["groups"]["HT"] is None
    assert all("HT" not in levels for levels in tab.change()["counters"].values())
    tab.group_drop(ht).setChecked(False)
    tab.submit()
    qtbot.waitUntil(lambda: tab.message.objectName() == "error", timeout=5_000)
    assert "đã cấp số hôm nay (A001–A003)" in tab.shown()["message"]
    assert tab.prefix_edit(ht).property("bad") is True
    tab.revert()
    tab.group_drop(ht).setChecked(True)
    tab.submit()
    qtbot.waitUntil(lambda: tab.message.objectName() == "error", timeout=5_000)
    assert "Không xoá được nhóm Hộ tịch: hôm nay còn 1 phiếu đang chờ" in tab.shown()["message"]
    assert tab.name_edit(ht).property("bad") is True
    assert "GN" in {g["code"] for g in fake.settings()["groups"]}
    # a free group gets a new letter, Hộ tịch a wider range, Giảm nghèo goes: one save, each line audited
    tab.revert()
    tab.prefix_edit(kd).setText("z")
    tab.range_edit(ht).setText("1 - 1500")
    tab.group_drop(gn).setChecked(True)
    tab.submit()
    qtbot.waitUntil(lambda: tab.message.objectName() == "ok" and not ctl.busy(), timeout=5_000)
    settings = fake.settings()
    groups = {g["code"]: g for g in settings["groups"]}
    assert "GN" not in groups
    assert groups["KD"]["prefix"] == "Z"
    assert groups["HT"]["number_range"] == [1, 1500]
    assert all("GN" not in c["groups"] for c in settings["counters"])
    heads = [tab.matrix.horizontalHeaderItem(i) for i in range(tab.matrix.columnCount())]
    assert not any("(GN)" in h.toolTip() for h in heads)  # columns headed by the ticket's letter, named in tooltips
    assert "Z" in [h.text() for h in heads]
    qtbot.waitUntil(lambda: len(tab.shown()["audit"]) >= 7, timeout=5_000)  # 3 groups' lines and 4 counters'
    labels = {row[2] for row in tab.shown()["audit"]}
    assert {"Xoá nhóm dịch vụ GN", "Chữ cái đầu số – Đăng ký hộ kinh doanh", "Dải số – Hộ tịch"} <= labels
    assert fake.issue("HT")["number"] == "A0004"  # the next number, in the wider range's four digits
    assert fake.issue("KD")["number"] == "Z001"
