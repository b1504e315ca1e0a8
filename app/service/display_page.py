"""The hall display as a web page: a smart TV's browser opens http://centre:8710/display, nothing to install.

The page (resources/web/display.html) is self-contained: the centre LAN has no internet, so no CDN. It
reads the queue through the public read-only API and the events WebSocket, like any other board.
The notice line shown under the board is a centre setting in the store, so it survives restarts.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.params import Depends
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.core.centre import DEFAULT_NOTICE
from app.paths import resource_dir
from app.service.errors import error_body
from app.store.queue_store import QueueStore

NOTICE_MAX = 500
# TVs revalidate the page (it changes on upgrade) but keep the 0.5 MB fonts for a week.
_PAGE_CACHE = {"Cache-Control": "no-cache"}
_FONT_CACHE = {"Cache-Control": "public, max-age=604800"}
_FONTS = {"Regular": "NotoSans-Regular.ttf", "Bold": "NotoSans-Bold.ttf"}


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The length is checked in the handler so the 422 can say how long the text is and what the limit is.
    text: str = Field(
        description=f"Dòng chữ chạy dưới màn hình sảnh, tối đa {NOTICE_MAX} ký tự; rỗng để ẩn",
        json_schema_extra={"maxLength": NOTICE_MAX},
    )


class NoticeOut(BaseModel):
    text: str


def clean_notice(text: str) -> str:
    """One line of NFC text: the ticker scrolls a single line, and control characters have no business on a TV."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\t\n\r")
    return " ".join(text.split())


NOTICE_SETTING = "display_notice"
# The board's rules live in hall.js (the web twin of app/client/hall.py, run beside it in the tests); the page
# names it with this tag, and the service puts the script itself in its place: old TVs load one file, and the
# plain-HTTP board port (board_port.py) has no other path to open.
HALL_SCRIPT_TAG = '<script src="/display/hall.js"></script>'


def board_page(web_dir: Path) -> str:
    """display.html with hall.js inlined in place of its <script src> tag."""
    page = (web_dir / "display.html").read_text(encoding="utf-8")
    script = (web_dir / "hall.js").read_text(encoding="utf-8")
    if "</script" in script.lower():
        raise ValueError("hall.js must not contain a closing script tag")
    return page.replace(HALL_SCRIPT_TAG, f"<script>\n{script}</script>", 1)


def install_display(app: FastAPI, admin_dependency: Depends, store: QueueStore) -> None:
    """Mount GET /display, its fonts, and GET/PUT /api/display/notice (PUT needs ``admin_dependency``)."""
    web_dir = resource_dir() / "web"
    font_dir = resource_dir() / "fonts"

    @app.get("/display", include_in_schema=False)
    def display_page() -> HTMLResponse:
        try:
            page = board_page(web_dir)
        except FileNotFoundError:  # a bundle built without resources/web
            raise HTTPException(404) from None
        return HTMLResponse(page, headers=_PAGE_CACHE)

    @app.get("/display/font/{weight}.ttf", include_in_schema=False)
    def display_font(weight: str) -> FileResponse:
        name = _FONTS.get(weight)
        if name is None or not (font_dir / name).is_file():
            raise HTTPException(404)
        return FileResponse(font_dir / name, media_type="font/ttf", headers=_FONT_CACHE)

    @app.get("/api/display/notice", response_model=NoticeOut)
    def get_notice() -> dict[str, str]:
        saved = store.setting(NOTICE_SETTING)
        return {"text": DEFAULT_NOTICE if saved is None else saved}

    @app.put("/api/display/notice", response_model=NoticeOut, dependencies=[admin_dependency])
    def put_notice(body: NoticeIn) -> Any:
        text = clean_notice(body.text)
        if len(text) > NOTICE_MAX:
            message = (
                f"Dòng thông báo dài {len(text)} ký tự, vượt quá {NOTICE_MAX} ký tự cho phép. "
                "Hãy rút gọn nội dung rồi gửi lại."
            )
            return JSONResponse(
                error_body("invalid_request", message, fields=["body.text"], max_length=NOTICE_MAX),
                status_code=422,
            )
        store.set_setting(NOTICE_SETTING, text)
        return {"text": text}
