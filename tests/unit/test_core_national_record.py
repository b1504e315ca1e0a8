"""The national dossier record and its progress steps, built from a dossier made by hand."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from app.core.clock import LOCAL_TZ
from app.core.dossier import (
    Channel,
    Citizen,
    Component,
    ComponentFile,
    Dossier,
    Fee,
    Status,
    Statutory,
    Step,
    mark_done,
    refuse,
    request_supplement,
    return_result,
)
from app.core.national_record import national_date, national_record, progress_steps, step_key

UNIT = "000.00.12.H48"
CODE = "000.00.12.H48-261110-0007"
SHA_A = "a" * 64
SHA_B = "b" * 64
RECEIVED = datetime(2026, 11, 10, 9, 5, 7, tzinfo=LOCAL_TZ)
DUE = datetime(2026, 11, 13, 16, 0, tzinfo=LOCAL_TZ)


def dossier(**changes: object) -> Dossier:
    base = Dossier(
        code=CODE,
        procedure_code="1.004873",
        procedure_name="Thủ tục xác nhận tình trạng hôn nhân",
        field_code="HT",
        citizen=Citizen("034186012345", "Nguyễn Thị Ánh Tuyết", date(1986, 3, 5), "Nữ", "Vũ Thư", "0912 345 678"),
        components=(
            Component("Tờ khai", files=(ComponentFile(r"C:\motcua\pages\to-khai.pdf", SHA_A, 2),)),
            Component("Giấy tờ tùy thân"),
            Component("Bản sao hộ khẩu", files=(ComponentFile("/data/kho/ho-khau.pdf", SHA_B, 1, reused=True),)),
        ),
        received_at=RECEIVED,
        due_at=DUE,
        statutory=Statutory(3, "working_days"),
        clerk="lan.nguyen",
        counter=2,
        fees=(Fee("Lệ phí xác nhận", 10_000), Fee("Phí bản sao", 5_000, when=4)),
        steps=(Step(RECEIVED, Status.RECEIVED, "lan.nguyen", "Tiếp nhận hồ sơ"),),
        revision=3,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_record_carries_the_national_fields() -> None:
    r = national_record(dossier(), unit_code=UNIT, field_name="Hộ tịch")
    assert r["MaHoSo"] == CODE
    assert (r["MaTTHC"], r["TenTTHC"], r["MaLinhVuc"], r["TenLinhVuc"]) == (
        "1.004873",
        "Thủ tục xác nhận tình trạng hôn nhân",
        "HT",
        "Hộ tịch",
    )
    assert r["KenhThucHien"] == 1
    assert (r["ChuHoSo"], r["SoGiayToChuHoSo"], r["LoaiDoiTuong"]) == ("Nguyễn Thị Ánh Tuyết", "034186012345", 1)
    assert r["DinhDanhCHS"] == [{"LoaiDinhDanh": 1, "SoDinhDanh": "034186012345"}]
    assert r["SoDienThoai"] == "0912345678"
    assert r["TrichYeuHoSo"] == "Thủ tục xác nhận tình trạng hôn nhân"  # no summary: the procedure's name
    assert r["NgayTiepNhan"] == "20261110090507"
    assert r["NgayHenTra"] == "20261113160000"
    assert "NgayTra" not in r
    assert "NgayTuChoi" not in r
    assert (r["TrangThaiHoSo"], r["HinhThuc"], r["DonViXuLy"], r["PhienBan"]) == (2, 0, UNIT, 3)
    assert r["HoSoCoThanhPhanSoHoa"] == 1
    json.dumps(r)  # plain JSON, nothing exotic


def test_dates_are_vietnam_time_whatever_zone_they_come_in() -> None:
    utc = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 on 1 January in Hà Nội
    r = national_record(dossier(received_at=utc), unit_code=UNIT)
    assert r["NgayTiepNhan"] == "20270101003000"
    assert national_date(None) == ""
    with pytest.raises(ValueError, match="naive"):
        national_date(datetime(2026, 1, 1))


def test_files_fees_and_identity_kinds() -> None:
    r = national_record(dossier(), unit_code=UNIT)
    assert r["TaiLieuNop"] == [
        {"TepDinhKemId": SHA_A, "TenTepDinhKem": "to-khai.pdf", "MaThanhPhanHoSo": "0", "DuocSoHoa": 1,
         "DuocTaiSuDung": 0, "IsDeleted": False},
        {"TepDinhKemId": SHA_B, "TenTepDinhKem": "ho-khau.pdf", "MaThanhPhanHoSo": "2", "DuocSoHoa": 0,
         "DuocTaiSuDung": 1, "IsDeleted": False},
    ]  # fmt: skip
    assert r["DanhSachLePhi"] == [
        {"TenPhiLePhi": "Lệ phí xác nhận", "MaPhiLePhi": "", "HinhThucThu": 1, "Gia": 10_000, "LoaiPhiLePhi": 1},
        {"TenPhiLePhi": "Phí bản sao", "MaPhiLePhi": "", "HinhThucThu": 4, "Gia": 5_000, "LoaiPhiLePhi": 1},
    ]
    old_card = dossier(citizen=Citizen("123456789", "Trần Văn Bình"))
    assert national_record(old_card, unit_code=UNIT)["DinhDanhCHS"] == [{"LoaiDinhDanh": 2, "SoDinhDanh": "123456789"}]
    passport = dossier(citizen=Citizen("B1234567", "John Smith"))
    assert national_record(passport, unit_code=UNIT)["DinhDanhCHS"] == []
    bare = dossier(components=(Component("Tờ khai"),), channel=Channel.POST)
    r = national_record(bare, unit_code=UNIT)
    assert (r["HoSoCoThanhPhanSoHoa"], r["TaiLieuNop"], r["KenhThucHien"]) == (0, [], 3)


def test_summary_is_capped_at_1000_characters() -> None:
    r = national_record(dossier(summary="x" * 1500), unit_code=UNIT)
    assert len(r["TrichYeuHoSo"]) == 1000


def test_refused_and_returned_dossiers_carry_their_dates() -> None:
    later = datetime(2026, 11, 10, 10, 0, tzinfo=LOCAL_TZ)
    refused = national_record(refuse(dossier(), at=later, clerk="lan.nguyen", reason="Thiếu tờ khai"), unit_code=UNIT)
    assert (refused["TrangThaiHoSo"], refused["NgayTuChoi"], refused["PhienBan"]) == (3, "20261110100000", 4)
    assert "NgayTra" not in refused
    done = mark_done(dossier(), at=later, clerk="lan.nguyen")
    returned = return_result(done, at=DUE, clerk="lan.nguyen", collected_by="Nguyễn Thị Ánh Tuyết")
    r = national_record(returned, unit_code=UNIT)
    assert (r["TrangThaiHoSo"], r["NgayTra"]) == (10, "20261113160000")
    assert "NgayTuChoi" not in r


def test_paused_dossier_has_no_appointment_date() -> None:
    paused = request_supplement(dossier(), at=RECEIVED, clerk="lan.nguyen", items=("Tờ khai",), reason="")
    r = national_record(paused, unit_code=UNIT)
    assert "NgayHenTra" not in r
    assert r["TrangThaiHoSo"] == 5
    assert all("NgayKetThucTheoQuyDinh" not in s for s in progress_steps(paused, 0))


def test_mapping_renames_keys_at_every_level() -> None:
    mapping = {"MaHoSo": "maHoSo", "TepDinhKemId": "IdTepTin", "PhienBan": "Version"}
    r = national_record(dossier(), unit_code=UNIT, mapping=mapping)
    assert r["maHoSo"] == CODE
    assert "MaHoSo" not in r
    assert r["Version"] == 3
    assert r["TaiLieuNop"][0]["IdTepTin"] == SHA_A
    steps = progress_steps(dossier(), 0, mapping=mapping)
    assert steps[0]["maHoSo"] == CODE


def test_progress_steps_from_an_index_with_stable_keys() -> None:
    d = dossier()
    for minute in range(1, 13):
        at = RECEIVED.replace(minute=10 + minute)
        d = replace(d, steps=(*d.steps, Step(at, Status.PROCESSING, "x" * 80, "Xử lý", f"lần {minute}")))
    all_steps = progress_steps(d, 0)
    assert len(all_steps) == 13
    first = all_steps[0]
    assert first == {
        "MaHoSo": CODE,
        "MaQuaTrinh": f"{CODE}-1",
        "NguoiXuLy": "lan.nguyen",
        "ChucDanh": "Cán bộ tiếp nhận",
        "ThoiDiemXuLy": "20261110090507",
        "PhongBanXuLy": "Bộ phận Một cửa",
        "NoiDungXuLy": "Tiếp nhận hồ sơ",
        "TrangThai": 2,
        "NgayBatDau": "20261110090507",
        "NgayKetThucTheoQuyDinh": "20261113160000",
    }
    tail = progress_steps(d, 10)
    assert [s["MaQuaTrinh"] for s in tail] == [f"{CODE}-11", f"{CODE}-12", f"{CODE}-13"]
    assert tail == all_steps[10:]  # the same key and body whichever send carries a step
    assert tail[0]["NoiDungXuLy"] == "Xử lý — lần 10"
    assert len(tail[0]["NguoiXuLy"]) == 50
    assert progress_steps(d, 13) == []
    assert step_key(CODE, 0) == f"{CODE}-1"
