"""The hall display web page: served without auth, self-contained, Vietnamese; the notice line and its auth."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.clock import ManualClock
from app.service.api import create_app
from app.service.display_page import DEFAULT_NOTICE, NOTICE_MAX, clean_notice
from app.service.server import open_store
from tests.unit.test_api import assert_vietnamese_error


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    store, devices = open_store(tmp_path / "data", ManualClock())
    token = (tmp_path / "data" / "admin.token").read_text().strip()
    with TestClient(create_app(store, devices)) as client:
        yield client, {"Authorization": f"Bearer {token}"}
    store.close()


def script_of(html: str) -> str:
    """Every inline script of the page: the hall rules (hall.js, inlined by the service) and the board's own."""
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 2
    return "\n".join(scripts)


def test_display_page_is_served_without_auth_with_the_events_socket_and_vietnamese_labels(env) -> None:
    client, _ = env
    response = client.get("/display")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="vi">' in html
    assert '"/api/events"' in html
    assert "?since=" in html
    assert "/api/queue" in html
    assert "/api/display/notice" in html
    for label in ("Mất kết nối", "Tạm nghỉ", "Mời số", "Đang phục vụ", "Số người đang chờ", "Thứ Hai"):
        assert label in html
    assert "orientation: portrait" in html


def test_display_page_needs_nothing_from_the_internet_and_is_plain_es5(env) -> None:
    client, _ = env
    html = client.get("/display").text
    # The centre LAN has no internet: no CDN, no remote fonts, no external scripts or stylesheets.
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html)
    assert not re.search(r"url\([\"']?(https?:)?//", html)
    assert "<script src" not in html
    assert '@font-face { font-family: "Noto Sans"' in html
    assert "/display/font/Regular.ttf" in html
    assert "/display/font/Bold.ttf" in html
    # Old smart-TV browsers: no modules, arrows, let/const, optional chaining or template strings.
    js = script_of(html)
    assert 'type="module"' not in html
    for pattern in (r"=>", r"\blet\s", r"\bconst\s", r"\?\.", "`", r"\bclass\s+\w+\s*\{", r"\basync\s", r"\bawait\s"):
        assert not re.search(pattern, js), pattern


@pytest.mark.parametrize("weight", ["Regular", "Bold"])
def test_fonts_are_served_as_fonts(env, weight: str) -> None:
    client, _ = env
    response = client.get(f"/display/font/{weight}.ttf")
    assert response.status_code == 200
    assert response.headers["content-type"] in ("font/ttf", "font/sfnt", "application/font-sfnt")
    assert response.content[:4] == b"\x00\x01\x00\x00"  # TrueType outline
    assert "max-age" in response.headers["cache-control"]


def test_unknown_font_is_a_vietnamese_404(env) -> None:
    client, _ = env
    assert_vietnamese_error(client.get("/display/font/Italic.ttf"), 404)
    assert_vietnamese_error(client.get("/display/font/..%2Fcatalog%2Fprocedures.vi.ttf"), 404)


def test_notice_has_a_default_and_anyone_may_read_it(env) -> None:
    client, _ = env
    assert client.get("/api/display/notice").json() == {"text": DEFAULT_NOTICE}


def test_admin_sets_the_notice_as_one_clean_line(env) -> None:
    client, auth = env
    text = "Sáng thứ Bảy  trung tâm\nnghỉ để bảo trì hệ thống.\x07"
    response = client.put("/api/display/notice", json={"text": text}, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json() == {"text": "Sáng thứ Bảy trung tâm nghỉ để bảo trì hệ thống."}
    assert client.get("/api/display/notice").json()["text"] == "Sáng thứ Bảy trung tâm nghỉ để bảo trì hệ thống."
    assert client.put("/api/display/notice", json={"text": ""}, headers=auth).json() == {"text": ""}


def test_notice_needs_the_admin_token(env) -> None:
    client, auth = env
    assert_vietnamese_error(client.put("/api/display/notice", json={"text": "x"}), 401)
    assert_vietnamese_error(
        client.put("/api/display/notice", json={"text": "x"}, headers={"Authorization": "Bearer sai"}), 401
    )
    kiosk = client.post("/api/devices", json={"name": "Ki-ốt sảnh", "role": "kiosk"}, headers=auth).json()
    display = client.post("/api/devices", json={"name": "TV sảnh", "role": "display"}, headers=auth).json()
    for device in (kiosk, display):
        response = client.put(
            "/api/display/notice", json={"text": "x"}, headers={"Authorization": f"Bearer {device['token']}"}
        )
        assert_vietnamese_error(response, 403)
    assert client.get("/api/display/notice").json()["text"] == DEFAULT_NOTICE


def test_notice_validation_errors_are_vietnamese(env) -> None:
    client, auth = env
    too_long = client.put("/api/display/notice", json={"text": "ư" * (NOTICE_MAX + 1)}, headers=auth)
    body = assert_vietnamese_error(too_long, 422, "invalid_request")
    assert str(NOTICE_MAX) in body["message"]
    assert str(NOTICE_MAX + 1) in body["message"]
    # Exactly the limit is fine; whitespace that collapses away does not count.
    assert client.put("/api/display/notice", json={"text": "a" * NOTICE_MAX + "   "}, headers=auth).status_code == 200
    assert_vietnamese_error(client.put("/api/display/notice", json={}, headers=auth), 422, "invalid_request")
    assert_vietnamese_error(
        client.put("/api/display/notice", json={"text": "x", "color": "red"}, headers=auth), 422, "invalid_request"
    )
    assert_vietnamese_error(client.put("/api/display/notice", json={"text": 5}, headers=auth), 422, "invalid_request")
    assert_vietnamese_error(
        client.put("/api/display/notice", content=b"{not json", headers={**auth, "Content-Type": "application/json"}),
        422,
        "bad_json",
    )


def test_notice_is_in_the_openapi_document_but_the_page_is_not(env) -> None:
    client, _ = env
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/display/notice"]) == {"get", "put"}
    assert "/display" not in paths


def test_clean_notice_normalises_to_nfc() -> None:
    decomposed = "Tho\u0302ng ba\u0301o"  # "ô" and "á" as base letters + combining marks
    assert clean_notice(decomposed) == "Thông báo"
    assert len(clean_notice(decomposed)) == len("Thông báo")


def test_the_notice_survives_a_restart_of_the_service(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for text in ("Chiều nay Trung tâm nghỉ họp từ 16:00.", None):
        store, devices = open_store(data, ManualClock())
        token = (data / "admin.token").read_text().strip()
        with TestClient(create_app(store, devices)) as client:
            if text is not None:
                put = client.put(
                    "/api/display/notice", json={"text": text}, headers={"Authorization": f"Bearer {token}"}
                )
                assert put.status_code == 200
            else:  # the second start: what the director set is still there
                assert client.get("/api/display/notice").json() == {"text": "Chiều nay Trung tâm nghỉ họp từ 16:00."}
        store.close()
