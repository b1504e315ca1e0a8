"""The period report of a scripted day: the queue through the real API, dossiers through a counter's store and the
mirror, ratings in their table. Every figure in the workbook is recomputed here from the raw rows (tickets, state
intervals) or from the script's own labels, never by calling the report's functions."""

from __future__ import annotations

import argparse
import math
import sqlite3
import stat
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from statistics import median
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from app.core.clock import LOCAL_TZ
from app.report_cli import run_report
from tests.unit.report_day import DAY, PLAN, Hall, Planned, add_ratings, at, d, scripted_day, scripted_dossiers

NOW = at(d(30), 12)  # the report is made a week later
TARGET_S = 30 * 60  # the default centre's wait target


@pytest.fixture
def day(env, tmp_path: Path) -> tuple[Path, Hall, dict[str, Planned]]:
    client, admin, clock = env
    hall = scripted_day(client, admin, clock)
    plan = scripted_dossiers(client, admin, tmp_path / "counter")
    return tmp_path / "data", hall, plan


def report(data: Path, out: Path, first: str = "2026-11-23", last: str | None = None) -> int:
    return run_report(argparse.Namespace(data=data, first=first, last=last, out=out), now=NOW)


# --- the figures, recomputed from the raw rows ----------------------------------------------------------


@dataclass
class Visit:
    id: int
    group: str
    issued: datetime
    outcome: str | None
    wait: float | None = None
    service: float | None = None
    walk: float | None = None
    counter: int | None = None  # of the last serving interval
    clerk: str | None = None
    ignored_call: tuple[int | None, str | None] | None = None  # a no-show's last call: (counter, clerk)
    finished_hour: int | None = None


def when(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def raw_visits(db: Path, day: date) -> list[Visit]:
    conn = sqlite3.connect(db)
    try:
        tickets = conn.execute("SELECT id, grp, issued_at, outcome FROM tickets WHERE day=?", [day.isoformat()])
        visits = [Visit(tid, grp, when(issued), outcome) for tid, grp, issued, outcome in tickets.fetchall()]
        intervals: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in conn.execute('SELECT ticket_id, state, counter, clerk, start, "end" FROM intervals ORDER BY idx'):
            intervals[row[0]].append(row[1:])
    finally:
        conn.close()
    for v in visits:
        rows = intervals[v.id]
        serving = [r for r in rows if r[0] == "serving"]
        first_serving = rows.index(serving[0]) if serving else len(rows)
        calls = [r for r in rows[:first_serving] if r[0] == "called"]
        if calls:
            v.wait = (when(calls[-1][3]) - v.issued).total_seconds()
        if serving:
            assert all(r[4] for r in serving), "the day is over: every interval is closed"
            v.service = sum((when(r[4]) - when(r[3])).total_seconds() for r in serving)
            v.walk = (when(serving[0][3]) - when(calls[-1][3])).total_seconds()
            v.counter, v.clerk = serving[-1][1], serving[-1][2]
            if v.outcome == "served":
                v.finished_hour = when(serving[-1][4]).astimezone(LOCAL_TZ).hour
        if v.outcome == "no_show":
            last_call = [r for r in rows if r[0] == "called"][-1]
            v.ignored_call = (last_call[1], last_call[2])
    return visits


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(len(ordered) * 9 / 10) - 1]


def mins(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


@dataclass
class Figures:
    tickets: int = 0
    served: int = 0
    no_show: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)

    def add(self, v: Visit) -> None:
        self.tickets += 1
        self.served += v.outcome == "served"
        self.no_show += v.outcome == "no_show"
        if v.wait is not None:
            self.waits.append(v.wait)
        if v.service is not None:
            self.services.append(v.service)

    def wait(self) -> tuple[float | None, ...]:
        w = self.waits
        return (mins(sum(w) / len(w)), mins(median(w)), mins(p90(w)), mins(max(w))) if w else (None,) * 4

    def service(self) -> tuple[float | None, ...]:
        s = self.services
        return (mins(sum(s) / len(s)), mins(median(s)), mins(p90(s))) if s else (None,) * 3

    def over(self) -> float | None:
        return round(sum(w > TARGET_S for w in self.waits) / len(self.waits), 4) if self.waits else None


# --- reading the workbook back ----------------------------------------------------------------------------


def rows_of(ws: Worksheet) -> tuple[list[str], list[list[Any]]]:
    """The column headers (the row above the frozen pane) and the data rows under them."""
    top = ws[ws.freeze_panes].row  # type: ignore[index]
    headers = [c.value for c in ws[top - 1]]
    rows = []
    for r in range(top, ws.max_row + 1):
        values = [ws.cell(row=r, column=c).value for c in range(1, len(headers) + 1)]
        if all(v is None for v in values):
            break  # the gap before the notes
        rows.append(values)
    return headers, rows


def by_key(ws: Worksheet, column: int = 0) -> dict[Any, list[Any]]:
    return {row[column]: row for row in rows_of(ws)[1]}


def check_numeric(ws: Worksheet) -> None:
    """Every figure is a number cell with a number format; text cells are text."""
    top = ws[ws.freeze_panes].row  # type: ignore[index]
    headers = [c.value for c in ws[top - 1]]
    for row in ws.iter_rows(min_row=top, max_row=ws.max_row):
        for cell in row:
            if isinstance(cell.value, (int, float)):
                assert cell.data_type == "n", cell.coordinate
                assert cell.number_format in ("#,##0", "0.0", "0.0%"), (ws.title, cell.coordinate, cell.number_format)
            elif cell.value is not None:
                assert cell.data_type == "s", cell.coordinate
                if cell.column <= len(headers) and headers[cell.column - 1] != "Mã thủ tục":  # "1.001193" is a code
                    assert not str(cell.value).replace(",", "").replace(".", "").isdigit(), "a number stored as text"


# --- the tests ------------------------------------------------------------------------------------------


def test_the_day_in_the_workbook_matches_the_raw_intervals(day, tmp_path: Path) -> None:
    data, _, _ = day
    out = tmp_path / "bao-cao.xlsx"
    assert report(data, out) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # per-clerk figures
    visits = raw_visits(data / "queue.db", DAY)
    assert len(visits) == 9  # the next morning's ticket is not in the day
    wb = load_workbook(out)
    assert wb.sheetnames == ["Tổng hợp", "Theo nhóm", "Theo quầy", "Theo cán bộ", "Theo giờ",
                             "II.06a theo lĩnh vực", "II.06a theo thủ tục", "Đánh giá"]  # fmt: skip
    for ws in wb.worksheets:
        check_numeric(ws)
        assert ws.freeze_panes is not None
        assert ws[ws.freeze_panes].row >= 6  # type: ignore[index]
        assert ws["A2"].value == "Trung tâm Phục vụ hành chính công xã"
        assert ws["A3"].value == "Ngày 23/11/2026 (số liệu đến hết ngày 23/11/2026)"
        assert ws.page_setup.orientation == "landscape"

    total = Figures()
    groups: dict[str, Figures] = defaultdict(Figures)
    hours: dict[int, Figures] = defaultdict(Figures)
    counters: dict[int, Figures] = defaultdict(Figures)
    clerks: dict[str, Figures] = defaultdict(Figures)
    for v in visits:
        total.add(v)
        groups[v.group].add(v)
        hours[v.issued.astimezone(LOCAL_TZ).hour].add(v)
        if v.counter is not None:
            counters[v.counter].add(v)
            clerks[str(v.clerk)].add(v)
    outcomes = Counter(v.outcome for v in visits)
    called = [v for v in visits if v.wait is not None]

    summary = {row[0]: row[1] for row in rows_of(wb["Tổng hợp"])[1]}
    assert summary["Số lượt lấy số"] == total.tickets == 9
    assert summary["Đã phục vụ xong"] == total.served == outcomes["served"] == 6
    assert summary["Vắng mặt (gọi không đến)"] == outcomes["no_show"] == 1
    assert summary["Tự hủy số trước khi được gọi"] == outcomes["left"] == 1
    assert summary["Chưa được phục vụ khi hết ngày"] == outcomes["removed_at_close"] == 1
    assert summary["Tỉ lệ vắng mặt"] == round(1 / len(called), 4)
    wait = total.wait()
    assert (summary["Thời gian chờ trung bình (phút)"], summary["Thời gian chờ trung vị (phút)"],
            summary["Thời gian chờ P90 (phút)"], summary["Thời gian chờ lâu nhất (phút)"]) == wait  # fmt: skip
    assert wait == (22.6, 18.0, 44.0, 44.0)  # the script's own waits: 10, 18, 9, 44, 42, 31, 4 minutes
    service = total.service()
    assert (summary["Thời gian phục vụ trung bình (phút)"], summary["Thời gian phục vụ trung vị (phút)"],
            summary["Thời gian phục vụ P90 (phút)"]) == service  # fmt: skip
    walks = [v.walk for v in visits if v.walk is not None]
    assert summary["Thời gian đi tới quầy trung vị (phút)"] == mins(median(walks))
    assert summary["Mục tiêu thời gian chờ (phút)"] == 30.0
    assert summary["Tỉ lệ chờ quá mục tiêu"] == total.over() == round(3 / 7, 4)

    for code, row in by_key(wb["Theo nhóm"]).items():
        f = total if code == "Tổng cộng" else groups[code]
        assert row[2:] == [f.tickets, f.served, f.no_show, *f.wait(), *f.service(), f.over()], code
    assert set(by_key(wb["Theo nhóm"])) == {*groups, "Tổng cộng"} == {"HT", "CT", "Tổng cộng"}

    no_show_at = Counter(v.ignored_call for v in visits if v.ignored_call)
    counter_rows = by_key(wb["Theo quầy"])
    assert set(counter_rows) == {1, 2}
    for number, row in counter_rows.items():
        f = counters[number]
        ignored = sum(n for (c, _), n in no_show_at.items() if c == number)
        assert row[1] == f"Quầy {number}"
        assert row[2:] == [f.tickets, f.served, ignored, *f.wait(), *f.service(), mins(max(f.services)), f.over()]
    assert counter_rows[1][4] == 1  # A003 ignored counter 1's calls

    clerk_rows = by_key(wb["Theo cán bộ"])
    assert set(clerk_rows) == {"Nguyễn Thị Lan (lan)", "Trần Văn Minh (minh)"}
    for name, row in clerk_rows.items():
        f = clerks[name.split("(")[1].rstrip(")")]
        ignored = sum(n for (_, k), n in no_show_at.items() if name.endswith(f"({k})"))
        assert row[1:] == [f.tickets, f.served, ignored, *f.wait(), *f.service(), mins(max(f.services)), f.over()]

    finished = Counter(v.finished_hour for v in visits if v.finished_hour is not None)
    hour_rows = by_key(wb["Theo giờ"])
    assert list(hour_rows) == ["08:00–09:00", "09:00–10:00", "10:00–11:00", "Tổng cộng"]
    for label, row in hour_rows.items():
        if label == "Tổng cộng":
            assert row[1:] == [total.tickets, sum(finished.values()), total.no_show, *total.wait(), total.over()]
            continue
        h = int(label[:2])
        f = hours[h]
        assert row[1:] == [f.tickets, finished[h], f.no_show, *f.wait(), f.over()], label
    assert [hour_rows[h][2] for h in ("08:00–09:00", "09:00–10:00", "10:00–11:00")] == [3, 1, 2]  # A004 done at 10:02


def _expected_06a(plan: dict[str, Planned], key: str) -> dict[str, Counter[str]]:
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    for p in plan.values():
        if p.columns is not None:
            name = {"1.004873": "Hộ tịch", "1.001193": "Hộ tịch", "2.000815": "Chứng thực"}[p.procedure]
            bucket = expected[name if key == "field" else p.procedure]
            bucket.update(p.columns)
    return expected


def _06a_row(c: Counter[str]) -> list[int]:
    received = c["carried"] + c["online"] + c["direct_post"]
    done = c["early"] + c["on_time"] + c["late"]
    return [received, c["online"], c["direct_post"], c["carried"], done, c["early"], c["on_time"], c["late"],
            c["within"] + c["overdue"], c["within"], c["overdue"], c["returned"], c["withdrawn"]]  # fmt: skip


def test_the_dossiers_by_the_national_columns(day, tmp_path: Path) -> None:
    data, _, plan = day
    assert len(plan) == len(PLAN)
    out = tmp_path / "bao-cao.xlsx"
    assert report(data, out) == 0
    wb = load_workbook(out)
    ws = wb["II.06a theo lĩnh vực"]
    assert [c.value for c in ws[5]][2:6] == ["Số hồ sơ nhận giải quyết", None, None, None]  # a merged group
    assert "C5:F5" in {str(r) for r in ws.merged_cells.ranges}
    headers, rows = rows_of(ws)
    assert headers[:6] == ["STT", "Lĩnh vực", "Tổng số", "Mới tiếp nhận trực tuyến",
                           "Mới tiếp nhận trực tiếp, bưu chính", "Kỳ trước chuyển qua"]  # fmt: skip
    expected = _expected_06a(plan, "field")
    assert [r[1] for r in rows] == ["Hộ tịch", "Chứng thực", "Tổng cộng"]  # the catalogue's order, then the total
    for row in rows[:-1]:
        assert row[2:] == _06a_row(expected[row[1]]), row[1]
    everything = sum(expected.values(), Counter())
    assert rows[-1][2:] == _06a_row(everything)
    received, done, progress = rows[-1][2], rows[-1][6], rows[-1][10]
    assert received == done + progress + rows[-1][13] + rows[-1][14] == 12

    by_procedure = by_key(wb["II.06a theo thủ tục"], column=1)
    expected = _expected_06a(plan, "procedure")
    assert set(by_procedure) == {*expected, None}  # the total row has no code
    assert by_procedure[None][2] == "Tổng cộng"
    for code, counts in expected.items():
        assert by_procedure[code][4:] == _06a_row(counts), code
    assert by_procedure["2.000815"][3] == "Chứng thực"

    summary = {row[0]: row[1] for row in rows_of(wb["Tổng hợp"])[1]}
    assert summary["Số hồ sơ nhận giải quyết"] == 12
    assert summary["Số hồ sơ đã giải quyết"] == everything["early"] + everything["on_time"] + everything["late"]
    assert summary["Tỉ lệ giải quyết đúng hạn"] == round(3 / 4, 4)


def test_ratings_from_their_table_or_none_yet(day, tmp_path: Path) -> None:
    data, hall, _ = day
    out = tmp_path / "none.xlsx"
    assert report(data, out) == 0
    wb = load_workbook(out)
    assert rows_of(wb["Đánh giá"])[1] == [["Chưa có đánh giá", None, None]]
    assert {row[0]: row[2] for row in rows_of(wb["Tổng hợp"])[1]}["Số lượt đánh giá"] == "Chưa có đánh giá"

    rows = add_ratings(data / "queue.db", hall)
    in_day = [r for r in rows if datetime.fromisoformat(r[6]).astimezone(LOCAL_TZ).date() == DAY]
    on_scale = [r for r in in_day if 1 <= r[4] <= 3]
    out = tmp_path / "rated.xlsx"
    assert report(data, out) == 0
    wb = load_workbook(out)
    assert wb.sheetnames[-3:] == ["Đánh giá", "Đánh giá theo cán bộ", "Đánh giá theo quầy"]
    levels = by_key(wb["Đánh giá"])
    for label, level in (("Rất hài lòng", 3), ("Hài lòng", 2), ("Không hài lòng", 1)):
        count = sum(1 for r in on_scale if r[4] == level)
        assert levels[label][1:] == [count, round(count / len(on_scale), 4)]
    assert levels["Ngoài thang đánh giá hiện hành"][1] == 1
    assert levels["Tổng cộng"][1] == len(in_day) == 6
    satisfied = sum(1 for r in on_scale if r[4] >= 2)
    assert levels["Tỉ lệ hài lòng"][2] == round(satisfied / len(on_scale), 4) == 0.8
    clerks = by_key(wb["Đánh giá theo cán bộ"])
    assert clerks["Trần Văn Minh (minh)"] == ["Trần Văn Minh (minh)", 2, 2, 0, 0, 1.0]
    assert clerks["Nguyễn Thị Lan (lan)"][1:] == [4, 1, 1, 1, round(2 / 3, 4)]
    summary = {row[0]: row[1] for row in rows_of(wb["Tổng hợp"])[1]}
    assert summary["Số lượt đánh giá"] == 6
    assert summary["Tỉ lệ hài lòng"] == 0.8


def test_a_week_adds_a_sheet_per_day_and_reads_beside_the_running_service(day, tmp_path: Path) -> None:
    data, _, _ = day
    out = tmp_path / "tuan.xlsx"
    assert report(data, out, "2026-11-23", "2026-11-29") == 0  # the service still has the database open
    wb = load_workbook(out)
    assert "Theo ngày" in wb.sheetnames
    days = by_key(wb["Theo ngày"])
    assert list(days) == ["23/11/2026", "24/11/2026", "Tổng cộng"]
    assert [row[1] for row in days.values()] == [9, 1, 10]
    assert wb["Tổng hợp"]["A3"].value.startswith("Từ ngày 23/11/2026 đến ngày 29/11/2026")
    ws = wb["II.06a theo lĩnh vực"]
    total = rows_of(ws)[1][-1]
    assert total[1] == "Tổng cộng"
    # Over the week the next day's reception counts as new, and the dossier done on the 24th as done late.
    assert (total[2], total[3], total[4], total[5], total[9]) == (13, 1, 6, 6, 2)


def test_text_cells_stay_text(day, tmp_path: Path) -> None:
    data, _, _ = day
    conn = sqlite3.connect(data / "queue.db")
    try:
        conn.execute("UPDATE users SET display_name='=HYPERLINK(\"http://x\",\"bấm\")' WHERE username='lan'")
        conn.commit()
    finally:
        conn.close()
    out = tmp_path / "r.xlsx"
    assert report(data, out) == 0
    ws = load_workbook(out)["Theo cán bộ"]
    cell = next(c for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("=HYPERLINK"))
    assert cell.data_type == "s"
