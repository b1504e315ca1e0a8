"""A dossier as the three counter forms: Mẫu 01 (receipt), 02 (supplement), 03 (refusal), each A4 or roll."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.core.catalog import Procedure
from app.core.centre import CENTRE_NAME_STEM, place_of
from app.core.dossier import CHANNEL_NAMES, FORM_NAMES, Dossier, is_lookup_key, lookup_path
from app.core.procedure_qr import procedure_link
from printing.doc import Document
from printing.dossier_forms import (
    RefusalPrint,
    SupplementPrint,
    refusal_a4,
    refusal_slip,
    supplement_a4,
    supplement_slip,
)
from printing.layouts import (
    LOOKUP_CODE_CAPTION,
    LOOKUP_LINK_CAPTION,
    ReceiptPrint,
    ReceivedDocument,
    receipt_a4,
    receipt_slip,
)


@dataclass(frozen=True)
class CentreHeader:
    """What the forms print about the centre; set per centre (settings), not per dossier. The defaults are for a
    counter that has never heard from the service: centre_header() fills in the commune once it has."""

    agency: str = "UBND xã"
    unit: str = CENTRE_NAME_STEM
    place: str = ""
    collect_at: str = f"Bộ phận trả kết quả, {CENTRE_NAME_STEM}"
    hotline: str = ""
    lookup_where: str = "Cổng Dịch vụ công quốc gia (dichvucong.gov.vn) và bảng niêm yết tại Trung tâm"
    # Another page where a citizen can look a dossier up, with {code} (and {key}); it wins over page_base.
    lookup_url: str = ""
    # The centre's board address phones reach (http://IP:PORT, learned from the service's /api/health): Mẫu 01's
    # QR opens the dossier's status page /h/{code}-{key} there; procedures without a portal page link to its
    # /p/{code} on Mẫu 02/03. Empty: Mẫu 01's QR holds just the code and says so, instead of promising a page.
    page_base: str = ""

    def lookup(self, code: str, key: str = "") -> tuple[str, str]:
        """Mẫu 01's QR content and its caption: a link only where a phone can open the dossier's status."""
        if self.lookup_url and (key or "{key}" not in self.lookup_url):
            return self.lookup_url.replace("{code}", code).replace("{key}", key), LOOKUP_LINK_CAPTION
        if self.page_base and is_lookup_key(key):
            return self.page_base.rstrip("/") + lookup_path(code, key), LOOKUP_LINK_CAPTION
        return code, LOOKUP_CODE_CAPTION


def centre_header(centre_name: str | None = None, commune: str | None = None, **settings: str | None) -> CentreHeader:
    """The forms' header for the centre the service names (/api/health: `centre`, and `commune` such as "xã Đông
    Hưng"): agency "UBND xã Đông Hưng", unit "Trung tâm Phục vụ hành chính công xã Đông Hưng", place "Đông Hưng",
    results collected at that centre. `settings` (CentreHeader's fields the counter's installer gave: --agency,
    --place…; empty ones ignored) win over what comes from the service."""
    learned: dict[str, str] = {}
    if commune:
        learned |= {"agency": f"UBND {commune}", "place": place_of(commune)}
    if centre_name:
        learned |= {"unit": centre_name, "collect_at": f"Bộ phận trả kết quả, {centre_name}"}
    return CentreHeader(**(learned | {k: v for k, v in settings.items() if v}))


@dataclass(frozen=True)
class Printable:
    name: str
    _a4: Callable[[], Document]
    _roll: Callable[[int], Document]

    def a4(self) -> Document:
        return self._a4()

    def roll(self, width_dots: int) -> Document:
        return self._roll(width_dots)


def _fees(d: Dossier) -> str:
    if not d.fees:
        return "Không thu" if d.status else ""
    return "; ".join(f"{f.name}: {f.amount_vnd:,} đồng".replace(",", ".") for f in d.fees)


def receipt_print(d: Dossier, h: CentreHeader, clerk_name: str) -> ReceiptPrint:
    qr, caption = h.lookup(d.code, d.lookup_key)
    extra: tuple[tuple[str, str], ...] = (("Ghi chú", "Hồ sơ phi địa giới hành chính"),) if d.outside_area else ()
    return ReceiptPrint(
        agency=h.agency,
        unit=h.unit,
        place=h.place,
        dossier_code=d.code,
        citizen_name=d.citizen.name,
        id_number=d.citizen.id_number,
        address=d.citizen.address,
        phone=d.citizen.phone,
        content=d.summary or d.procedure_name,
        documents=tuple(ReceivedDocument(c.name, c.count, FORM_NAMES[c.form]) for c in d.components if c.received),
        statutory_time=d.statutory.text(),
        received_at=d.received_at,
        appointment_at=d.due_at or d.received_at,
        collect_at=h.collect_at,
        clerk_name=clerk_name,
        channel=CHANNEL_NAMES[d.channel],
        sets=d.sets,
        fees=_fees(d),
        lookup_qr=qr,
        lookup_caption=caption,
        hotline=h.hotline,
        extra_fields=extra,
    )


def receipt_of(d: Dossier, h: CentreHeader, clerk_name: str) -> Printable:
    r = receipt_print(d, h, clerk_name)
    return Printable(f"mau01-{d.code}", lambda: receipt_a4(r), lambda w: receipt_slip(r, w))


def _common(d: Dossier, h: CentreHeader, procedure: Procedure | None) -> dict[str, Any]:
    return {
        "agency": h.agency,
        "unit": h.unit,
        "place": h.place,
        "dossier_code": d.code,
        "citizen_name": d.citizen.name,
        "id_number": d.citizen.id_number,
        "address": d.citizen.address,
        "phone": d.citizen.phone,
        "content": d.procedure_name,
        "lookup_where": h.lookup_where,
        # what to bring next time: the procedure's page, never a bare code behind a "scan to look up" caption
        "lookup_qr": procedure_link(procedure, h.page_base or None) if procedure else None,
    }


def supplement_of(d: Dossier, h: CentreHeader, clerk_name: str, *, items: tuple[str, ...], reason: str,
                  procedure: Procedure | None = None) -> Printable:  # fmt: skip
    p = SupplementPrint(
        **_common(d, h, procedure),
        items=tuple((name, "Bổ sung theo quy định") for name in items),
        reason=reason or "Hồ sơ chưa đủ thành phần theo quy định.",
        clerk_name=clerk_name,
        clerk_phone=h.hotline,
        requested_at=d.steps[-1].at if d.steps else d.received_at,
    )
    return Printable(f"mau02-{d.code}", lambda: supplement_a4(p), lambda w: supplement_slip(p, w))


def refusal_of(d: Dossier, h: CentreHeader, clerk_name: str, *, reason: str,
               procedure: Procedure | None = None) -> Printable:  # fmt: skip
    p = RefusalPrint(
        **_common(d, h, procedure),
        reason=reason or (d.steps[-1].detail if d.steps else ""),
        contact=(h.hotline and f"Đường dây nóng {h.hotline}") or h.unit,
        clerk_name=clerk_name,
        refused_at=d.steps[-1].at if d.steps else d.received_at,
    )
    return Printable(f"mau03-{d.code}", lambda: refusal_a4(p), lambda w: refusal_slip(p, w))
