"""What a procedure's QR code holds, and reading one back.

A QR that says "scan with your phone" must hold a link a phone opens: the procedure's page on a public
portal when the catalogue knows it, else the centre's own procedure page (`/p/{code}` on the centre
service's board port). A centre whose service phones cannot reach gets the bare code, which only the
kiosk's camera understands, and the poster says so. The kiosk accepts every form: codes, portal links,
our own links.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from app.core.catalog import PORTAL_PAGE, Catalog, Procedure

__all__ = ["PORTAL_PAGE", "parse_procedure_qr", "procedure_link", "procedure_qr_text"]

_CODE = re.compile(r"^\s*(\d\.\d{6})\s*$")
_OUR_PAGE = re.compile(r"^/p/([^/]+)/?$")


def procedure_link(procedure: Procedure, page_base: str | None = None) -> str | None:
    """A link a phone opens for this procedure, or None when there is none to give."""
    if procedure.portal_url:
        return procedure.portal_url
    if page_base:
        return f"{page_base.rstrip('/')}/p/{procedure.code}"
    return None


def procedure_qr_text(procedure: Procedure, page_base: str | None = None) -> str:
    return procedure_link(procedure, page_base) or procedure.code


def parse_procedure_qr(text: str, catalog: Catalog) -> Procedure | None:
    """The catalogue procedure a scanned text points to, or None when it is not one of ours."""
    match = _CODE.match(text)
    if match:
        return _by_code(catalog, match.group(1))
    cleaned = text.strip()
    try:
        parts = urlsplit(cleaned)
        host = parts.hostname
    except ValueError:  # a malformed link ("http://[::1") is simply not one of ours
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    exact = next((p for p in catalog.procedures if p.portal_url == cleaned), None)
    if exact is not None:
        return exact
    ours = _OUR_PAGE.match(parts.path)
    if ours:  # any host: the centre's address changes with its LAN, the code does not
        return _by_code(catalog, ours.group(1))
    if host != "dichvucong.gov.vn":
        return None
    portal_id = (parse_qs(parts.query).get("ma_thu_tuc") or [""])[0]
    if not portal_id:
        return None
    return next((p for p in catalog.procedures if p.portal_id == portal_id), None)


def _by_code(catalog: Catalog, code: str) -> Procedure | None:
    return next((p for p in catalog.procedures if p.code == code), None)
