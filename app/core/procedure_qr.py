"""What a procedure's QR code holds, and reading one back.

Posters and the kiosk encode the national procedure code; when the national portal's numeric id is
known the QR is the portal link instead, so a citizen's phone opens the procedure page directly. The
kiosk accepts both, and the bare code in any case a clerk may type it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from app.core.catalog import Catalog, Procedure

PORTAL_PAGE = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html"
_CODE = re.compile(r"^\s*(\d\.\d{6})\s*$")


def procedure_qr_text(procedure: Procedure) -> str:
    if procedure.portal_id:
        return f"{PORTAL_PAGE}?ma_thu_tuc={procedure.portal_id}"
    return procedure.code


def parse_procedure_qr(text: str, catalog: Catalog) -> Procedure | None:
    """The catalogue procedure a scanned text points to, or None when it is not one of ours."""
    match = _CODE.match(text)
    if match:
        return next((p for p in catalog.procedures if p.code == match.group(1)), None)
    try:
        parts = urlsplit(text.strip())
        host = parts.hostname
    except ValueError:  # a malformed link ("http://[::1") is simply not one of ours
        return None
    if parts.scheme not in ("http", "https") or host != "dichvucong.gov.vn":
        return None
    portal_id = (parse_qs(parts.query).get("ma_thu_tuc") or [""])[0]
    if not portal_id:
        return None
    return next((p for p in catalog.procedures if p.portal_id == portal_id), None)
