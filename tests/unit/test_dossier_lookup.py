"""A citizen's dossier status page: the random lookup key (codec, counter store, mirror), the page `/h/{code}-{key}`
showing status and dates but no personal data, one 404 page for every miss, and Mẫu 01's QR linking to it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zxingcpp
from fastapi.testclient import TestClient

from app.core.clock import LOCAL_TZ, ManualClock
from app.core.dossier import (
    Dossier,
    Status,
    is_lookup_key,
    lookup_path,
    mark_done,
    request_supplement,
    return_result,
    split_lookup,
)
from app.core.dossier_codec import dossier_from_dict, dossier_to_dict
from app.core.errors import Conflict
from app.service.board_port import BoardOnly, board_path
from app.service.dossier_pages import CITIZEN_STATUS, NOT_FOUND_TEXT, NOT_FOUND_TITLE, PAUSED_TEXT
from app.store.dossier_store import DossierStore
from counter.dossier.desk import phone_page_base
from printing.dossier_prints import CentreHeader, receipt_of
from printing.layouts import LOOKUP_CODE_CAPTION, LOOKUP_LINK_CAPTION
from printing.raster import render_roll
from tests.unit.test_api_dossiers import device, put_record
from tests.unit.test_dossier_mirror import ID, NAME, START, make_dossier
from tests.unit.test_printing_layouts import texts

KEY = "Xq7mR2pLk9Tz"
OTHER_KEY = "Xq7mR2pLk9Ty"
PHONE = "0912345678"
ADDRESS = "Thôn Đông, xã Vũ Thư, Thái Bình"
BOARD = "http://10.0.0.2:8711"
LATER = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)  # 10:00 the same day in Hà Nội


def keyed(number: int = 1) -> Dossier:
    d = make_dossier(number)
    return replace(d, citizen=replace(d.citizen, phone=PHONE), lookup_key=KEY)


def page_of(client: TestClient, d: Dossier, key: str = KEY):
    return client.get(lookup_path(d.code, key))  # no token: a citizen's phone


def assert_no_personal_data(html: str, d: Dossier) -> None:
    for private in (NAME, ID, ADDRESS, PHONE, d.clerk, *(c.name for c in d.components)):
        assert private not in html, private
    assert "lookup_key" not in html


# --- the key ---------------------------------------------------------------------------------------


def test_the_codec_round_trips_the_key_and_reads_old_dossiers_without_one() -> None:
    d = keyed()
    data = dossier_to_dict(d)
    assert data["lookup_key"] == KEY
    assert dossier_from_dict(json.loads(json.dumps(data, ensure_ascii=False))) == d
    old = {k: v for k, v in data.items() if k != "lookup_key"}
    assert dossier_from_dict(old).lookup_key == ""


def test_a_status_address_splits_at_its_last_hyphen() -> None:
    code = make_dossier().code  # 000.00.12.H48-261110-0001: hyphens of its own
    assert lookup_path(code, KEY) == f"/h/{code}-{KEY}"
    assert split_lookup(f"{code}-{KEY}") == (code, KEY)
    for token in (code, KEY, f"-{KEY}", f"{code}-short", f"{code}-{KEY}!", f"{code}-{'x' * 65}", ""):
        assert split_lookup(token) is None, token
    assert is_lookup_key("a" * 12)
    assert is_lookup_key("Z9" * 32)
    assert not is_lookup_key("a" * 11)
    assert not is_lookup_key("a-b_c" * 3)


def test_the_counter_store_gives_every_new_dossier_its_own_key_and_keeps_it(tmp_path: Path) -> None:
    store = DossierStore(tmp_path / "counter", ManualClock(START))
    try:
        first = store.receive("000.00.12.H48", 1, lambda code, at: replace(make_dossier(), code=code))
        second = store.receive("000.00.12.H48", 1, lambda code, at: replace(make_dossier(), code=code))
        assert is_lookup_key(first.lookup_key)
        assert is_lookup_key(second.lookup_key)
        assert first.lookup_key != second.lookup_key
        assert store.get(first.code).lookup_key == first.lookup_key
        done = store.change(first.code, "done", lambda d, at: mark_done(d, at=at, clerk="canbo1"))
        assert done.lookup_key == first.lookup_key  # the printed QR keeps working
        with pytest.raises(Conflict):
            store.change(first.code, "x", lambda d, at: replace(d, revision=d.revision + 1, lookup_key=OTHER_KEY))
        assert store.get(first.code).lookup_key == first.lookup_key
    finally:
        store.close()


# --- the mirror and the page -----------------------------------------------------------------------------


def test_the_mirror_keeps_the_key_and_refuses_a_malformed_one(env) -> None:
    client, auth, _ = env
    counter = device(client, auth, "counter")
    d = keyed()
    assert put_record(client, counter, d).status_code == 200
    assert client.get(f"/api/dossiers/{d.code}", headers=counter).json()["lookup_key"] == KEY
    bad = client.put(f"/api/dossiers/{d.code}", json={**dossier_to_dict(d), "revision": 5, "lookup_key": "a b"},
                     headers=counter)  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["details"]["field"] == "lookup_key"


def test_the_page_shows_the_status_and_dates_and_no_personal_data(env) -> None:
    client, auth, _ = env
    d = keyed()
    assert put_record(client, device(client, auth, "counter"), d).status_code == 200
    page = page_of(client, d)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "no-store" in page.headers["cache-control"]
    assert page.headers["referrer-policy"] == "no-referrer"
    html = page.text
    assert d.code in html
    assert d.procedure_name in html
    assert "Đã tiếp nhận, đang giải quyết" in html
    assert "Ngày tiếp nhận" in html
    assert "08:00 ngày 10/11/2026" in html
    assert d.due_at is not None
    due = d.due_at.astimezone(LOCAL_TZ)
    assert f"{due:%H:%M} ngày {due:%d/%m/%Y}" in html
    assert "Cập nhật lần cuối" in html
    assert_no_personal_data(html, d)


@pytest.mark.parametrize(
    ("change", "words", "absent"),
    [
        (lambda d: request_supplement(d, at=LATER, clerk="canbo1", items=("Giấy khai sinh",), reason="Thiếu XK7"),
         ("Cần bổ sung hồ sơ", PAUSED_TEXT), ("Giấy khai sinh", "XK7")),
        (lambda d: mark_done(d, at=LATER, clerk="canbo1"),
         ("Đã có kết quả — mời quý khách đến nhận", "Ngày hẹn trả kết quả"), ()),
        (lambda d: return_result(mark_done(d, at=LATER, clerk="canbo1"), at=LATER, clerk="canbo1",
                                 collected_by="Trần Văn Nhận"),
         ("Đã trả kết quả", "Ngày trả kết quả", "10:00 ngày 10/11/2026"), ("Trần Văn Nhận",)),
    ],
)  # fmt: skip
def test_each_status_is_said_in_words_for_a_citizen(env, change, words: tuple[str, ...], absent) -> None:
    client, auth, _ = env
    counter = device(client, auth, "counter")
    d = keyed()
    assert put_record(client, counter, d).status_code == 200
    later = change(d)
    assert put_record(client, counter, later).json()["accepted"] is True
    html = page_of(client, later).text
    for text in words:
        assert text in html, text
    for private in absent:
        assert private not in html, private
    assert_no_personal_data(html, later)


def test_every_national_status_has_words_for_a_citizen() -> None:
    assert set(CITIZEN_STATUS) == set(Status)
    assert CITIZEN_STATUS[Status.RECEIVED][0] == "Đã tiếp nhận, đang giải quyết"


def test_a_wrong_key_an_unknown_code_and_a_keyless_dossier_all_get_the_same_page(env) -> None:
    client, auth, _ = env
    counter = device(client, auth, "counter")
    d = keyed()
    old = replace(make_dossier(2), lookup_key="")  # received before keys existed
    for record in (d, old):
        assert put_record(client, counter, record).status_code == 200
    misses = [
        page_of(client, d, OTHER_KEY),
        page_of(client, d, KEY.lower()),
        page_of(client, replace(d, code=make_dossier(3).code)),  # the right key on a code that is not here
        page_of(client, old, KEY),
        client.get(f"/h/{d.code}"),
        client.get(f"/h/{d.code}-"),
        client.get("/h/x"),
    ]
    bodies = {m.text for m in misses}
    assert [m.status_code for m in misses] == [404] * len(misses)
    assert len(bodies) == 1
    (body,) = bodies
    assert NOT_FOUND_TITLE in body
    assert NOT_FOUND_TEXT in body
    assert d.code not in body
    assert old.code not in body
    assert_no_personal_data(body, d)


def test_the_plain_board_port_serves_the_page(env) -> None:
    client, auth, _ = env
    d = keyed()
    assert put_record(client, device(client, auth, "counter"), d).status_code == 200
    assert board_path(lookup_path(d.code, KEY))
    board = TestClient(BoardOnly(client.app))
    page = board.get(lookup_path(d.code, KEY), headers=auth)  # a token changes nothing here
    assert page.status_code == 200
    assert "Đã tiếp nhận, đang giải quyết" in page.text
    assert board.get(lookup_path(d.code, OTHER_KEY)).status_code == 404
    assert board.get(f"/api/dossiers/{d.code}", headers=auth).status_code == 404  # the record itself: never here


# --- Mẫu 01 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [384, 576])
def test_mau_01_qr_opens_the_status_page_on_both_forms(width: int) -> None:
    d = keyed()
    receipt = receipt_of(d, CentreHeader(page_base=BOARD + "/"), "Lê Văn Bình")
    url = f"{BOARD}/h/{d.code}-{KEY}"
    image = render_roll(receipt.roll(width).pages[0], width)
    assert [b.text for b in zxingcpp.read_barcodes(image.convert("L"))] == [url]
    for doc in (receipt.a4(), receipt.roll(width)):
        lines = texts(doc)
        assert f"QR[{url}]" in lines
        assert any(line.startswith(LOOKUP_LINK_CAPTION) for line in lines)


def test_without_a_board_address_or_a_key_mau_01_carries_the_code_and_says_so() -> None:
    for d, header in ((keyed(), CentreHeader()), (replace(keyed(), lookup_key=""), CentreHeader(page_base=BOARD))):
        for doc in (receipt_of(d, header, "Lê").a4(), receipt_of(d, header, "Lê").roll(576)):
            lines = texts(doc)
            assert f"QR[{d.code}]" in lines
            assert any(line.startswith(LOOKUP_CODE_CAPTION) for line in lines)
            assert not any(LOOKUP_LINK_CAPTION in line for line in lines)


def test_the_counter_learns_where_phones_reach_the_centre() -> None:
    assert phone_page_base("https://10.0.0.2:8710", {"tls": True, "board_port": 8711}) == "http://10.0.0.2:8711"
    assert phone_page_base("http://10.0.0.2:8710", {"tls": False, "board_port": 8710}) == "http://10.0.0.2:8710"
    assert phone_page_base("http://10.0.0.2:8710", {"status": "ok"}) == "http://10.0.0.2:8710"  # before TLS
    for url in ("http://127.0.0.1:8710", "https://localhost:8710", "http://[::1]:8710", "http://0.0.0.0:8710"):
        assert phone_page_base(url, {"board_port": 8711}) == "", url  # a phone cannot open this PC's loopback
