"""`python -m app bench report` on a small mirror: the same figures before and after, and far fewer dossiers read
(its times are printed, never asserted)."""

from __future__ import annotations

import json

import pytest

from app.bench.report import OPEN_EVERY, TODAY_DOSSIERS, run_report_bench


def test_the_live_report_reads_the_open_and_todays_dossiers_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_report_bench(dossiers=330, repeat=1) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["same_figures"] is True
    assert result["old_still_open"] == 330 // OPEN_EVERY
    assert result["dossiers_read"]["before"] == 330 + TODAY_DOSSIERS
    read = result["dossiers_read"]["after"]
    assert result["old_still_open"] + TODAY_DOSSIERS <= read < 330 // 4  # the rest closed days after reception
    assert set(result["live_report_ms"]["before"]) == {"median", "min"}
