"""Checking a signed PDF: who signed, when, whether the file changed since, whether the chain reaches the trust list.

The trust list is the centre's own: the Vietnamese root CA certificates it installs (none are bundled) in the
folder `trust_dir()` or passed with `--trust`."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.clock import LOCAL_TZ
from app.signing.errors import SigningError, os_reason

CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")


class Verdict(enum.IntEnum):
    """Also the exit code of `python -m app verify`."""

    VALID = 0
    INVALID = 1  # broken signature, or the file changed after signing, or no signature at all
    UNTRUSTED = 2  # intact and unchanged, but the chain does not reach the trust list


@dataclass(frozen=True)
class SignatureReport:
    field: str
    signer: str
    signed_at: datetime | None
    timestamped: bool  # the time comes from a timestamp authority (PAdES B-T), not the signer's clock
    intact: bool  # the signed bytes hash to what the signer signed, and the signature checks out
    unchanged: bool  # nothing after the signature except what the standard allows (LTV data)
    covers_all: bool  # the signature covers the whole file as it is now
    trusted: bool
    ltv: bool
    problem: str = ""

    @property
    def verdict(self) -> Verdict:
        if not (self.intact and self.unchanged):
            return Verdict.INVALID
        return Verdict.VALID if self.trusted else Verdict.UNTRUSTED


def trust_dir() -> Path:
    from app.config import config_dir

    return config_dir() / "trust"


def load_trust(paths: list[Path]) -> list[Any]:
    """Certificates from PEM/DER files and folders of them (asn1crypto objects, as pyhanko wants)."""
    from asn1crypto import pem, x509

    found: list[Any] = []
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in CERT_SUFFIXES)
        elif path.is_file():
            files.append(path)
        else:
            raise SigningError(f"Không thấy tệp/thư mục chứng thư tin cậy: {path}")
    for file in files:
        data = file.read_bytes()
        try:
            if pem.detect(data):
                found += [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
            else:
                found.append(x509.Certificate.load(data))
        except ValueError as exc:
            raise SigningError(f"Tệp {file.name} không phải chứng thư số (PEM/DER).") from exc
    return found


def _name(cert: Any) -> str:
    subject = cert.subject.native
    return str(subject.get("common_name") or cert.subject.human_friendly)


def _report(sig: Any, roots: list[Any]) -> SignatureReport:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    # Either usage will do: the CAs issue organisation certificates with one or both.
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
    status = validate_pdf_signature(sig, signer_validation_context=context, key_usage_settings=usage)
    ts = status.timestamp_validity
    when = ts.timestamp if ts is not None else status.signer_reported_dt
    coverage = status.coverage
    level = status.modification_level
    unchanged = coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and bool(status.docmdp_ok)
        and level is not None
        and level <= ModificationLevel.LTA_UPDATES
    )
    ts_ok = ts is None or (ts.intact and ts.valid)
    return SignatureReport(
        field=str(sig.field_name),
        signer=_name(status.signing_cert),
        signed_at=when,
        timestamped=ts is not None and ts_ok,
        intact=bool(status.intact and status.valid and ts_ok),
        unchanged=unchanged,
        covers_all=coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=bool(status.trusted) and bool(roots),
        ltv=_has_dss(sig.reader),
    )


def _has_dss(reader: Any) -> bool:
    return "/DSS" in reader.root


def verify_file(path: Path, trust: list[Path] | None = None) -> list[SignatureReport]:
    """One report per signature, in the order they were made. SigningError when the file cannot be read at all."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    roots = load_trust(trust or [])
    try:
        with path.open("rb") as f:
            reader = PdfFileReader(f, strict=False)
            sigs = reader.embedded_signatures
            reports = []
            for sig in sigs:
                try:
                    reports.append(_report(sig, roots))
                except Exception as exc:
                    reports.append(_broken(sig, exc))
            return reports
    except OSError as exc:
        raise SigningError(f"Không đọc được tệp {path.name}: {os_reason(exc)}.") from exc
    except (PdfError, ValueError, KeyError) as exc:
        raise SigningError(f"Tệp {path.name} hỏng hoặc không phải PDF: {exc}") from exc


def _broken(sig: Any, exc: Exception) -> SignatureReport:
    try:
        signer = _name(sig.signer_cert)
    except Exception:
        signer = "?"
    return SignatureReport(
        field=str(sig.field_name),
        signer=signer,
        signed_at=None,
        timestamped=False,
        intact=False,
        unchanged=False,
        covers_all=False,
        trusted=False,
        ltv=False,
        problem=f"{type(exc).__name__}: {exc}",
    )


def describe(report: SignatureReport, has_trust: bool) -> list[str]:
    """The lines `verify` prints for one signature, in Vietnamese."""
    when = report.signed_at.astimezone(LOCAL_TZ).strftime("%H:%M:%S %d/%m/%Y (GMT+7)") if report.signed_at else "?"
    source = "dấu thời gian của máy chủ cấp dấu thời gian" if report.timestamped else "đồng hồ máy ký, tự khai"
    lines = [
        f"Chữ ký {report.field}",
        f"  Người ký: {report.signer}",
        f"  Thời điểm ký: {when} ({source})",
    ]
    if not report.intact:
        lines.append("  Chữ ký: KHÔNG HỢP LỆ (nội dung đã ký bị sửa hoặc chữ ký hỏng)")
    else:
        lines.append("  Chữ ký: hợp lệ về mật mã")
    if report.intact and report.unchanged:
        lines.append(
            "  Nội dung: không thay đổi kể từ khi ký"
            if report.covers_all
            else "  Nội dung: không thay đổi kể từ khi ký (sau đó chỉ thêm dữ liệu kiểm tra dài hạn hoặc chữ ký khác)"
        )
    else:
        lines.append("  Nội dung: ĐÃ BỊ THAY ĐỔI sau khi ký")
    if not report.intact:
        lines.append("  Chứng thư số: không đánh giá (chữ ký không hợp lệ)")
    elif report.trusted:
        lines.append("  Chứng thư số: thuộc danh sách tin cậy")
    elif has_trust:
        lines.append("  Chứng thư số: KHÔNG dẫn tới chứng thư gốc nào trong danh sách tin cậy")
    else:
        lines.append(f"  Chứng thư số: chưa kiểm tra (chưa cài chứng thư gốc tin cậy vào {trust_dir()} hoặc --trust)")
    if report.ltv:
        lines.append("  Dữ liệu kiểm tra dài hạn (LTV): có")
    if report.problem:
        lines.append(f"  Lỗi: {report.problem}")
    return lines


def overall(reports: list[SignatureReport]) -> Verdict:
    if not reports:
        return Verdict.INVALID
    return max(r.verdict for r in reports)
