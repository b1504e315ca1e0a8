"""The shipped catalogue parses as expected; broken catalogues are refused; centres round-trip."""

from __future__ import annotations

import copy
import json
from datetime import time
from pathlib import Path
from typing import Any

import pytest

from app.core.catalog import Catalog, CatalogError, PriorityCategory, parse_catalog
from app.core.centre import Centre, CounterConfig, IssueWindow, QueuePolicy, ServiceGroup, default_centre
from app.core.centre_codec import centre_from_dict, centre_to_dict
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file

FIELD_CODES = ["HT", "CT", "NCN", "DD", "KD", "BTXH", "NCC", "GN", "CUTRU"]


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(default_catalog_path().read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def catalog(raw: dict[str, Any]) -> Catalog:
    return parse_catalog(raw)


def minimal() -> dict[str, Any]:
    return {
        "fields": [{"code": "HT", "name": "Hộ tịch"}, {"code": "CT", "name": "Chứng thực"}],
        "procedures": [
            {"code": "1.001193", "name": "Đăng ký khai sinh", "field": "HT"},
            {
                "code": "2.000815",
                "name": "Chứng thực bản sao",
                "field": "CT",
                "documents": ["Bản chính", "Bản sao"],
                "processing_time": {"value": 1, "unit": "working_days", "note": "trong ngày"},
                "fee": {"amount_vnd": 2000, "text": "2.000 đ/trang"},
                "legal_basis": ["NĐ 23/2015"],
            },
        ],
        "priority_groups": [{"group": "Người cao tuổi (từ đủ 60 tuổi)"}, {"group": "Trẻ em dưới 6 tuổi"}],
    }


# --- the shipped catalogue -------------------------------------------------------------------------


def test_real_catalogue_has_44_procedures_in_9_fields(catalog: Catalog) -> None:
    assert len(catalog.procedures) == 44
    assert [f.code for f in catalog.fields] == FIELD_CODES
    assert catalog.field("HT") is not None
    assert catalog.field("HT").name == "Hộ tịch"
    assert catalog.field("XX") is None
    assert len({p.code for p in catalog.procedures}) == 44
    assert {p.field for p in catalog.procedures} <= set(FIELD_CODES)
    assert sum(len(catalog.procedures_of(code)) for code in FIELD_CODES) == 44
    assert len(catalog.procedures_of("HT")) == 17
    assert catalog.procedures_of("XX") == []


def test_real_catalogue_priority_categories(catalog: Catalog) -> None:
    assert [p.code for p in catalog.priority_categories] == ["elderly", "pregnant", "disabled", "merit"]
    names = {p.code: p.name for p in catalog.priority_categories}
    assert names["elderly"] == "Người cao tuổi"  # the parenthesised detail is cut off
    assert names["pregnant"] == "Phụ nữ mang thai"
    assert names["disabled"] == "Người khuyết tật"
    assert all("(" not in name for name in names.values())


def test_real_catalogue_keeps_facts_as_given(catalog: Catalog, raw: dict[str, Any]) -> None:
    by_code = {p.code: p for p in catalog.procedures}
    for source in raw["procedures"]:
        parsed = by_code[source["code"]]
        assert parsed.name == source["name"]
        assert parsed.documents == tuple(source.get("documents") or ())
        fee = (source.get("fee") or {}).get("amount_vnd")
        assert parsed.fee_vnd == fee  # None stays None ("not found"), 0 stays 0 ("free")
        unit = (source.get("processing_time") or {}).get("unit")
        assert parsed.time_unit == unit
    birth = by_code["1.001193"]
    assert birth.field == "HT"
    assert birth.fee_vnd == 0
    assert birth.time_unit == "same_day"
    assert birth.time_value == 0.0
    assert birth.legal_basis[0] == "Luật Hộ tịch số 60/2014/QH13"
    assert by_code["1.001022"].fee_vnd is None
    assert any(p.fee_vnd is None for p in catalog.procedures)
    assert any(p.time_value is None for p in catalog.procedures)
    assert {p.time_unit for p in catalog.procedures} == {"working_days", "same_day", "days"}


def test_load_catalog_file_reads_the_shipped_file(catalog: Catalog) -> None:
    assert load_catalog_file(default_catalog_path()) == catalog


# --- parsing rules ---------------------------------------------------------------------------------


def test_minimal_catalogue_parses_with_defaults() -> None:
    catalog = parse_catalog(minimal())
    birth, copy_cert = catalog.procedures
    assert birth.documents == ()
    # an unknown fact reads the same everywhere a citizen looks: ask at the counter
    assert (birth.time_unit, birth.time_value, birth.time_note) == (None, None, "Hỏi cán bộ tại quầy để được hướng dẫn")
    assert (birth.fee_vnd, birth.fee_text) == (None, "Hỏi cán bộ tại quầy để được hướng dẫn")
    assert birth.legal_basis == ()
    assert copy_cert.time_value == 1.0
    assert copy_cert.fee_vnd == 2000
    assert copy_cert.documents == ("Bản chính", "Bản sao")
    assert catalog.priority_categories == (
        PriorityCategory("elderly", "Người cao tuổi"),
        PriorityCategory("priority2", "Trẻ em dưới 6 tuổi"),  # unknown group: a numbered code
    )


def test_procedures_and_priorities_are_optional() -> None:
    catalog = parse_catalog({"fields": [{"code": "HT", "name": "Hộ tịch"}]})
    assert catalog.procedures == ()
    assert catalog.priority_categories == ()


def _broken(change: str) -> dict[str, Any]:
    data = minimal()
    if change == "no_fields":
        del data["fields"]
    elif change == "field_without_name":
        del data["fields"][0]["name"]
    elif change == "field_is_text":
        data["fields"] = ["HT"]
    elif change == "duplicate_field":
        data["fields"].append({"code": "HT", "name": "Hộ tịch (trùng)"})
    elif change == "procedure_without_code":
        del data["procedures"][1]["code"]
    elif change == "procedure_without_field":
        del data["procedures"][0]["field"]
    elif change == "unknown_field":
        data["procedures"][1]["field"] = "XX"
    elif change == "bad_time_value":
        data["procedures"][1]["processing_time"]["value"] = "ba ngày"
    elif change == "bad_fee":
        data["procedures"][1]["fee"]["amount_vnd"] = "hai nghìn"
    elif change == "procedure_is_text":
        data["procedures"][0] = "Đăng ký khai sinh"
    elif change == "time_is_text":
        data["procedures"][1]["processing_time"] = "3 ngày"
    elif change == "procedures_not_a_list":
        data["procedures"] = 5
    elif change == "priority_without_group":
        data["priority_groups"] = [{"name": "Người cao tuổi"}]
    elif change == "priority_is_text":
        data["priority_groups"] = ["Người cao tuổi"]
    return data


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("no_fields", "lĩnh vực"),
        ("field_without_name", "lĩnh vực"),
        ("field_is_text", "lĩnh vực"),
        ("duplicate_field", "mã lĩnh vực bị trùng"),
        ("procedure_without_code", "thủ tục thứ 2"),
        ("procedure_without_field", "thủ tục thứ 1"),
        ("unknown_field", "thủ tục 2.000815 thuộc lĩnh vực XX không có"),
        ("bad_time_value", "thủ tục thứ 2"),
        ("bad_fee", "thủ tục thứ 2"),
        ("procedure_is_text", "thủ tục thứ 1"),
        ("time_is_text", "thủ tục thứ 2"),
        ("procedures_not_a_list", "thủ tục"),
        ("priority_without_group", "ưu tiên"),
        ("priority_is_text", "ưu tiên"),
    ],
)
def test_broken_catalogue_raises_catalog_error_naming_the_problem(change: str, words: str) -> None:
    with pytest.raises(CatalogError) as info:
        parse_catalog(_broken(change))
    assert words in str(info.value)


def test_real_catalogue_with_a_procedure_in_an_unknown_field_is_refused(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["procedures"][10]["field"] = "KHONGCO"
    with pytest.raises(CatalogError, match="KHONGCO"):
        parse_catalog(data)


def test_catalog_error_is_a_value_error() -> None:
    assert issubclass(CatalogError, ValueError)


@pytest.mark.parametrize(
    ("content", "words"),
    [(None, "không tìm thấy"), (b"{not json", "không phải JSON"), (b"[1, 2]", "đối tượng JSON"), (b"\xff\xfe", "JSON")],
)
def test_catalog_file_errors(tmp_path: Path, content: bytes | None, words: str) -> None:
    path = tmp_path / "procedures.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CatalogError, match=words):
        load_catalog_file(path)


# --- centres ---------------------------------------------------------------------------------------


def test_default_centre_has_a_group_per_field_and_a_home_counter_each(catalog: Catalog) -> None:
    centre = default_centre(catalog)
    assert [g.code for g in centre.groups] == FIELD_CODES
    prefixes = [g.prefix for g in centre.groups]
    assert len(set(prefixes)) == len(prefixes)
    assert not set(prefixes) & set("IJOWZ")
    assert all(g.number_start == 1 for g in centre.groups)
    assert [c.id for c in centre.counters] == [1, 2, 3, 4]
    for group in centre.groups:
        levels = [c.groups[group.code] for c in centre.counters]
        assert sorted(levels) == [1, 2, 2, 2]  # served everywhere, home at exactly one counter
        assert len(centre.counters_serving(group.code)) == 4
    assert centre.priority_categories == catalog.priority_categories
    assert centre.group("CT") is centre.groups[1]
    assert centre.group("XX") is None
    assert centre.counter(4) is centre.counters[3]
    assert centre.counter(5) is None
    assert centre.priority("merit") is not None
    assert centre.priority("vip") is None


def test_default_centre_round_trips(catalog: Catalog) -> None:
    centre = default_centre(catalog)
    assert centre_from_dict(centre_to_dict(centre)) == centre
    through_json = json.loads(json.dumps(centre_to_dict(centre), ensure_ascii=False))
    assert centre_from_dict(through_json) == centre


def test_custom_centre_round_trips() -> None:
    centre = Centre(
        name="Trung tâm xã Thử",
        unit_code="000.01.02.H03",
        groups=(
            ServiceGroup(
                code="DD",
                name="Đất đai",
                prefix="D",
                fields=("DD", "KD"),
                number_start=5,
                number_end=4999,
                daily_cap=40,
                windows=(IssueWindow(time(7, 30), time(11, 0)), IssueWindow(time(13, 30), time(16, 0))),
                default_service_s=900.0,
            ),
            ServiceGroup(code="HT", name="Hộ tịch", prefix="A"),
        ),
        counters=(CounterConfig(id=7, name="Quầy đất đai", groups={"DD": 1}), CounterConfig(id=8, name="Quầy 8")),
        priority_categories=(PriorityCategory("elderly", "Người cao tuổi"),),
        policy=QueuePolicy(call_count_max=2, fairness_cap=5, wait_target_s=900.0),
    )
    data = json.loads(json.dumps(centre_to_dict(centre)))
    assert data["groups"][0]["windows"] == [["07:30", "11:00"], ["13:30", "16:00"]]
    assert centre_from_dict(data) == centre


def test_centre_from_dict_fills_defaults() -> None:
    centre = centre_from_dict({
        "name": "X",
        "unit_code": "U",
        "groups": [{"code": "HT", "name": "Hộ tịch", "prefix": "A"}],
        "counters": [{"id": "1", "name": "Quầy 1", "groups": {"HT": "1"}}],
    })  # fmt: skip
    assert centre.policy == QueuePolicy()
    assert centre.groups[0] == ServiceGroup(code="HT", name="Hộ tịch", prefix="A")
    assert centre.counters[0] == CounterConfig(id=1, name="Quầy 1", groups={"HT": 1})
    assert centre.priority_categories == ()
