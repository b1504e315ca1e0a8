"""The centre's procedures for phones and kiosks: `/p` and `/p/{code}` pages a poster's QR opens, and
`/api/catalog`, the centre's own catalogue (its fees and times) that kiosks and counters show.

Public facts only; read from the centre's copy in the data folder (`app catalog import` replaces it
whole), re-read when that file changes, so an import reaches the pages without a restart.
"""

from __future__ import annotations

import threading
from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

from app.core.catalog import Catalog, Procedure
from app.core.catalog_table import catalog_to_data
from app.paths import default_catalog_path
from app.store.catalog_file import CENTRE_CATALOG, load_catalog_file

_CACHE_HEADERS = {"Cache-Control": "no-cache"}  # revalidate: an import must show on the next visit


class CatalogSource:
    """The centre's catalogue, re-read only when its file changes (one stat per request)."""

    def __init__(self, data: Path) -> None:
        self._centre = data / CENTRE_CATALOG
        self._lock = threading.Lock()
        self._stamp: tuple[str, int, int] | None = None
        self._catalog: Catalog | None = None

    def _path(self) -> Path:
        return self._centre if self._centre.exists() else default_catalog_path()

    def current(self) -> tuple[Catalog, str]:
        """The catalogue and a tag that changes with it (for ETag)."""
        path = self._path()
        st = path.stat()
        stamp = (str(path), st.st_mtime_ns, st.st_size)
        with self._lock:
            if stamp != self._stamp or self._catalog is None:
                self._catalog = load_catalog_file(path)  # a broken file never lands: imports are validated
                self._stamp = stamp
            return self._catalog, f'"{st.st_mtime_ns:x}-{st.st_size:x}"'


def install_procedure_pages(app: FastAPI, data: Path, centre_name: str) -> CatalogSource:
    source = CatalogSource(data)

    @app.get("/api/catalog", tags=["catalogue"], summary="Danh mục thủ tục của Trung tâm (thông tin công khai)")
    def get_catalog() -> JSONResponse:
        catalog, tag = source.current()
        return JSONResponse(catalog_to_data(catalog), headers={**_CACHE_HEADERS, "ETag": tag})

    @app.get("/p", response_class=HTMLResponse, include_in_schema=False)
    def procedure_list() -> HTMLResponse:
        catalog, _ = source.current()
        return HTMLResponse(list_page(catalog, centre_name), headers=_CACHE_HEADERS)

    @app.get("/p/{code}", response_class=HTMLResponse, include_in_schema=False)
    def procedure_page(code: str) -> HTMLResponse:
        catalog, _ = source.current()
        procedure = next((p for p in catalog.procedures if p.code == code), None)
        if procedure is None:
            return HTMLResponse(unknown_page(centre_name), status_code=404, headers=_CACHE_HEADERS)
        field = catalog.field(procedure.field)
        return HTMLResponse(procedure_html(procedure, field.name if field else "", centre_name),
                            headers=_CACHE_HEADERS)  # fmt: skip

    return source


_STYLE = """body{font-family:"Be Vietnam Pro",sans-serif;margin:0;color:#111;background:#f6f7f9;line-height:1.45}
header{background:#0b4f8a;color:#fff;padding:.8em 1em}header p{margin:0;font-size:.95em}
main{padding:1em;max-width:46em;margin:auto}h1{font-size:1.45em;margin:.2em 0 .6em}
h2{font-size:1.15em;margin:1.2em 0 .4em}
.fact{background:#fff;border-radius:8px;padding:.7em .9em;margin:.5em 0;box-shadow:0 1px 2px #0002}
.fact b{display:block;color:#0b4f8a}ol{padding-left:1.3em}li{margin:.35em 0}a{color:#0b4f8a}
.muted{color:#555;font-size:.9em}ul.list{list-style:none;padding:0}ul.list li{background:#fff;margin:.4em 0;
border-radius:8px;box-shadow:0 1px 2px #0002}ul.list a{display:block;padding:.8em;text-decoration:none;color:#111}"""


def _page(title: str, centre: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{_STYLE}</style></head>
<body><header><p>{escape(centre)}</p></header><main>{body}</main></body></html>"""


def procedure_html(p: Procedure, field_name: str, centre: str) -> str:
    documents = "".join(f"<li>{escape(d)}</li>" for d in p.documents) or "<li>Hỏi cán bộ tại quầy.</li>"
    legal = "".join(f"<li>{escape(x)}</li>" for x in p.legal_basis)
    portal = (f'<p><a href="{escape(p.portal_url)}" rel="noopener">Xem thủ tục trên Cổng dịch vụ công</a></p>'
              if p.portal_url else "")  # fmt: skip
    body = f"""<p class=muted>Lĩnh vực: {escape(field_name)} · Mã thủ tục {escape(p.code)}</p>
<h1>{escape(p.name)}</h1>
<div class=fact><b>Thời hạn giải quyết</b>{escape(p.time_note)}</div>
<div class=fact><b>Phí, lệ phí</b>{escape(p.fee_text)}</div>
<h2>Hồ sơ cần chuẩn bị</h2><ol>{documents}</ol>
{f"<h2>Căn cứ pháp lý</h2><ul>{legal}</ul>" if legal else ""}{portal}
<p class=muted>Quý khách mang đủ giấy tờ đến Trung tâm, lấy số thứ tự tại máy lấy số và chờ gọi số.
<a href="/p">Các thủ tục khác</a></p>"""
    return _page(p.name, centre, body)


def list_page(catalog: Catalog, centre: str) -> str:
    sections = []
    for field in catalog.fields:
        items = "".join(f'<li><a href="/p/{escape(p.code)}">{escape(p.name)}</a></li>'
                        for p in catalog.procedures_of(field.code))  # fmt: skip
        if items:
            sections.append(f"<h2>{escape(field.name)}</h2><ul class=list>{items}</ul>")
    return _page("Thủ tục hành chính", centre, "<h1>Thủ tục hành chính</h1>" + "".join(sections))


def unknown_page(centre: str) -> str:
    body = """<h1>Không tìm thấy thủ tục này</h1>
<p>Mã trên áp phích có thể đã cũ. Quý khách xem <a href="/p">danh sách thủ tục</a> hoặc hỏi cán bộ tại quầy.</p>"""
    return _page("Không tìm thấy thủ tục", centre, body)
