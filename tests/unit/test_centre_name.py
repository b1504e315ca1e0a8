"""The centre's name: the commune as typed, one spelling, kept in the data folder, on every screen and paper."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core.centre import (
    UNNAMED_CENTRE,
    centre_name_for,
    commune_name,
    default_centre,
    place_of,
    renamed,
    split_centre_name,
)
from app.core.centre_codec import centre_from_dict, centre_to_dict
from app.core.clock import ManualClock
from app.paths import default_catalog_path
from app.service.server import open_store
from app.store.catalog_file import load_catalog_file
from printing.doc import Text
from printing.dossier_prints import CentreHeader, centre_header
from printing.layouts import centre_heading

CATALOG = load_catalog_file(default_catalog_path())


@pytest.mark.parametrize(
    "typed",
    ["Đông Hưng", "xã Đông Hưng", "Xã Đông Hưng", "  XÃ   ĐÔNG HƯNG ", "xã đông hưng", "UBND xã Đông Hưng",
     "Trung tâm Phục vụ hành chính công xã Đông Hưng", "Xã Đông Hưng."],
)  # fmt: skip
def test_a_commune_typed_any_way_gets_one_spelling(typed: str) -> None:
    assert commune_name(typed) == "xã Đông Hưng"


def test_decomposed_input_is_composed() -> None:
    assert commune_name("xa\u0303 \u0110o\u0302ng Hu\u031bng") == "xã Đông Hưng"  # a keyboard's combining marks


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("phường Ba Đình", "phường Ba Đình"), ("PHƯỜNG BA ĐÌNH", "phường Ba Đình"), ("Phường 7", "phường 7"),
     ("đặc khu Côn Đảo", "đặc khu Côn Đảo"), ("Cư M'gar", "xã Cư M'gar"), ("xã Ea H'leo", "xã Ea H'leo")],
)  # fmt: skip
def test_a_phuong_or_a_special_zone_keeps_its_kind_and_a_mixed_case_name_its_case(typed: str, expected: str) -> None:
    assert commune_name(typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", "xã", "Phường ", "UBND"])
def test_no_name_is_refused_in_vietnamese(typed: str) -> None:
    with pytest.raises(ValueError, match="Chưa có tên xã/phường"):
        commune_name(typed)


def test_names_derived_from_the_commune() -> None:
    assert centre_name_for("xã Đông Hưng") == "Trung tâm Phục vụ hành chính công xã Đông Hưng"
    assert centre_name_for("phường Ba Đình") == "Trung tâm Phục vụ hành chính công phường Ba Đình"
    assert place_of("xã Đông Hưng") == "Đông Hưng"
    assert place_of("đặc khu Côn Đảo") == "Côn Đảo"
    assert split_centre_name("Trung tâm Phục vụ hành chính công xã Đông Hưng") == (
        "Trung tâm Phục vụ hành chính công", "xã Đông Hưng"
    )  # fmt: skip
    assert split_centre_name("Bộ phận Một cửa") == ("Bộ phận Một cửa", "")
    assert split_centre_name(UNNAMED_CENTRE) == (UNNAMED_CENTRE, "")


def test_renaming_rules() -> None:
    unnamed = default_centre(CATALOG)
    assert (unnamed.name, unnamed.commune) == (UNNAMED_CENTRE, "")
    named = renamed(unnamed, "Đông Hưng")
    assert (named.name, named.commune) == ("Trung tâm Phục vụ hành chính công xã Đông Hưng", "xã Đông Hưng")
    assert renamed(named) == named  # nothing given: nothing changes
    own = renamed(named, None, "  Bộ phận  Một cửa xã Đông Hưng ")
    assert own.name == "Bộ phận Một cửa xã Đông Hưng"
    assert renamed(own, "xã Đông Hưng") == own  # the same commune keeps a name of the centre's own
    assert renamed(own, "Vũ Thư").name == "Trung tâm Phục vụ hành chính công xã Vũ Thư"  # a new commune: standard
    legacy = replace(unnamed, name="Trung tâm cũ")  # a folder from before the commune was asked for
    assert renamed(legacy, "Vũ Thư").name == "Trung tâm Phục vụ hành chính công xã Vũ Thư"
    with pytest.raises(ValueError, match="--centre-name"):
        renamed(named, None, "   ")
    assert default_centre(CATALOG, commune="đông hưng").name == named.name


def test_the_codec_keeps_the_commune_and_reads_old_configurations() -> None:
    centre = default_centre(CATALOG, commune="Đông Hưng")
    assert centre_from_dict(centre_to_dict(centre)) == centre
    old = centre_to_dict(default_centre(CATALOG))
    del old["commune"]
    assert centre_from_dict(old).commune == ""


def test_the_store_keeps_the_name_and_a_change_is_kept_too(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store, _ = open_store(data, ManualClock(), commune="Đông Hưng")
    assert store.centre.name == "Trung tâm Phục vụ hành chính công xã Đông Hưng"
    store.close()
    store, _ = open_store(data, ManualClock())  # no commune given: the folder's own
    assert store.centre.commune == "xã Đông Hưng"
    assert store.rename_centre("phường Ba Đình", "Trung tâm Phục vụ hành chính công phường Ba Đình")
    assert not store.rename_centre("phường Ba Đình", "Trung tâm Phục vụ hành chính công phường Ba Đình")
    groups = store.centre.groups
    store.close()
    store, _ = open_store(data, ManualClock())
    try:
        assert store.centre.name == "Trung tâm Phục vụ hành chính công phường Ba Đình"
        assert store.centre.groups == groups  # the rest of the configuration stays
    finally:
        store.close()


def test_a_blank_commune_is_refused_before_the_folder_is_made(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Chưa có tên xã/phường"):
        open_store(tmp_path / "data", ManualClock(), commune=" ")
    assert not (tmp_path / "data").exists()


def test_the_ticket_heads_with_the_commune_on_its_own_line() -> None:
    blocks = centre_heading("Trung tâm Phục vụ hành chính công xã Đông Hưng")
    assert [b.text for b in blocks if isinstance(b, Text)] == ["TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "XÃ ĐÔNG HƯNG"]
    assert [b.text for b in centre_heading("Bộ phận Một cửa") if isinstance(b, Text)] == ["BỘ PHẬN MỘT CỬA"]


def test_the_forms_header_comes_from_the_service_under_what_the_installer_set() -> None:
    name = "Trung tâm Phục vụ hành chính công xã Đông Hưng"
    header = centre_header(name, "xã Đông Hưng", hotline="0221 3851 234", agency=None)
    assert header.agency == "UBND xã Đông Hưng"
    assert header.unit == name
    assert header.place == "Đông Hưng"
    assert header.collect_at == f"Bộ phận trả kết quả, {name}"
    assert header.hotline == "0221 3851 234"
    assert centre_header(name, "xã Đông Hưng", agency="UBND XÃ ĐÔNG HƯNG").agency == "UBND XÃ ĐÔNG HƯNG"
    assert centre_header() == CentreHeader()  # never heard from the service: the generic header


def test_the_mdns_instance_name_fits_a_dns_label_and_keeps_the_commune() -> None:
    from app.service.mdns import instance_label

    label = instance_label("Trung tâm Phục vụ hành chính công xã Thử Nghiệm", "kiosk-sanh")
    assert label == "Một Cửa xã Thử Nghiệm (kiosk-sanh)"
    long = instance_label("Trung tâm Phục vụ hành chính công phường Nguyễn Thị Minh Khai Thượng", "máy-chủ-" * 9)
    assert len(long.encode()) <= 63
    assert long.startswith("Một Cửa phường Nguyễn Thị Minh Khai Thượng")
    assert len(instance_label("Bộ phận Một cửa " * 10, "pc").encode()) <= 63
