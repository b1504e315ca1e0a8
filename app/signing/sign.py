"""PAdES signatures (B-B, or B-T with a timestamp authority) on one PDF or a batch, each file written whole.

A file is signed in memory and replaces its target in one rename (app/atomic_file.py): a pulled token, a full
disk or a crash leaves the previous file, never a half-signed one."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.atomic_file import write_atomic
from app.signing.errors import SigningError, os_reason
from app.signing.keys import KeySource, open_signer, token_error
from app.signing.stamp import stamp_box, stamp_style, stamp_text

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignOptions:
    commune: str = ""
    stamp_page: int = 1  # 1-based; -1 = the last page
    tsa_url: str | None = None  # B-T when set
    certified_copy: bool = False  # "bản sao điện tử chứng thực từ bản chính"
    trust: tuple[Any, ...] = ()  # asn1crypto certificates: roots for gathering LTV data
    fetch_revocation: bool = True  # OCSP/CRL over the network for LTV; off in tests and offline demos


@dataclass
class SignedFile:
    path: Path
    signer: str
    when: datetime
    ltv: bool  # revocation data embedded (Long-Term Validation)
    sha256: str = ""  # of the signed file's bytes


@dataclass
class BatchResult:
    done: list[SignedFile] = field(default_factory=list)


def signer_name(signer: Signer) -> str:
    cert = signer.signing_cert
    if cert is None:
        return ""
    subject = cert.subject.native
    return str(subject.get("common_name") or cert.subject.human_friendly)


def _page_geometry(writer: Any, page_number: int) -> tuple[int, tuple[float, float, float, float], int]:
    """(0-based index, media box, /Rotate) of the stamp's page; both may be inherited from a parent Pages node."""
    count = int(writer.root["/Pages"]["/Count"])
    index = count - 1 if page_number == -1 else page_number - 1
    if not 0 <= index < count:
        raise SigningError(f"Tệp chỉ có {count} trang: không đặt được con dấu chữ ký ở trang {page_number}.")
    page_ref, _ = writer.find_page_for_modification(index)
    page = page_ref.get_object()

    def inherited(key: str, default: Any) -> Any:
        node = page
        while key not in node and "/Parent" in node:
            node = node["/Parent"]
        return node.get(key, default)

    x0, y0, x1, y1 = (float(v) for v in inherited("/MediaBox", (0, 0, 595, 842)))
    return index, (x0, y0, x1, y1), int(inherited("/Rotate", 0)) % 360


def _whole_points(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """pyhanko takes the widget's box in whole points."""
    x1, y1, x2, y2 = (round(v) for v in box)
    return x1, y1, x2, y2


def _field_name(writer: Any) -> str:
    from pyhanko.sign.fields import enumerate_sig_fields

    taken = {name for name, _, _ in enumerate_sig_fields(writer.prev)}
    n = len(taken) + 1
    while f"Signature{n}" in taken:
        n += 1
    return f"Signature{n}"


def _validation_context(signer: Signer, options: SignOptions) -> Any:
    from pyhanko_certvalidator import ValidationContext

    # Roots: the centre's trust list, plus a self-signed root the token or file carries (it is the signer's own
    # chain; gathering revocation data for it proves nothing by itself, verification checks the trust list).
    roots = list(options.trust)
    roots += [c for c in signer.cert_registry if c.self_signed == "maybe" or c.self_signed == "yes"]
    return ValidationContext(
        trust_roots=roots,
        other_certs=list(signer.cert_registry),
        allow_fetching=options.fetch_revocation,
        revocation_mode="soft-fail",
    )


def sign_bytes(data: bytes, signer: Signer, options: SignOptions, when: datetime | None = None) -> tuple[bytes, bool]:
    """The signed PDF and whether LTV data went in. Tries with LTV first; a chain that cannot be validated here
    (no trust root, no network) still signs, without it."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError as HankoSigningError
    from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError

    when = when or datetime.now(UTC)
    template, params = stamp_text(options.commune, when, options.certified_copy)
    reason = "Bản sao điện tử chứng thực từ bản chính" if options.certified_copy else "Số hóa hồ sơ, kết quả"
    timestamper = HTTPTimeStamper(options.tsa_url, timeout=15) if options.tsa_url else None

    def attempt(ltv: bool) -> bytes:
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        except (PdfReadError, ValueError) as exc:
            raise SigningError("Tệp không phải PDF hợp lệ: không ký được.") from exc
        index, (x0, y0, x1, y1), rotate = _page_geometry(writer, options.stamp_page)
        meta = signers.PdfSignatureMetadata(
            field_name=_field_name(writer),
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason,
            location=params["unit"] or None,
            embed_validation_info=ltv,
            validation_context=_validation_context(signer, options) if ltv else None,
            signer_key_usage={"digital_signature", "non_repudiation"},  # either: CAs issue one or both
        )
        pdf_signer = signers.PdfSigner(
            meta,
            signer=signer,
            timestamper=timestamper,
            stamp_style=stamp_style(template, rotate),
            new_field_spec=fields.SigFieldSpec(
                sig_field_name=meta.field_name or "Signature1",
                on_page=index,
                box=_whole_points(stamp_box(x1 - x0, y1 - y0, (x0, y0), rotate)),
            ),
        )
        out = io.BytesIO()
        pdf_signer.sign_pdf(writer, output=out, appearance_text_params=params)
        return out.getvalue()

    try:
        try:
            return attempt(ltv=True), True
        except (SigningError, TimestampRequestError):
            raise
        except Exception as exc:
            if _is_pkcs11(exc) or isinstance(exc.__cause__, TimestampRequestError):
                raise
            log.info("signing without LTV data: %s", type(exc).__name__)  # no chain/revocation here: still signs
            return attempt(ltv=False), False
    except TimestampRequestError as exc:
        raise SigningError(
            f"Không lấy được dấu thời gian từ máy chủ {options.tsa_url}: kiểm tra kết nối mạng hoặc địa chỉ máy chủ "
            "cấp dấu thời gian rồi ký lại."
        ) from exc
    except HankoSigningError as exc:
        if isinstance(exc.__cause__, TimestampRequestError):
            raise SigningError(
                f"Không lấy được dấu thời gian từ máy chủ {options.tsa_url}: kiểm tra kết nối mạng rồi ký lại."
            ) from exc
        cause = _pkcs11_cause(exc)
        if cause is not None:
            raise token_error(cause) from exc
        raise SigningError(f"Không ký được tệp: {exc}") from exc
    except SigningError:
        raise
    except Exception as exc:
        cause = _pkcs11_cause(exc)
        if cause is not None:
            raise token_error(cause) from exc
        raise SigningError(
            f"Không ký được tệp ({type(exc).__name__}): báo quản trị kiểm tra tệp và chữ ký số."
        ) from exc


def _pkcs11_cause(exc: BaseException | None) -> BaseException | None:
    """The PKCS#11 error under pyhanko's wrapping, if the token is what failed."""
    from pkcs11.exceptions import PKCS11Error

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, PKCS11Error):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _is_pkcs11(exc: BaseException) -> bool:
    return _pkcs11_cause(exc) is not None


def sign_file(src: Path, dst: Path, signer: Signer, options: SignOptions) -> SignedFile:
    """Signs `src` into `dst` (may be the same path) atomically."""
    try:
        data = src.read_bytes()
    except OSError as exc:
        raise SigningError(f"Không đọc được tệp {src.name}: {os_reason(exc)}.") from exc
    when = datetime.now(UTC)
    signed, ltv = sign_bytes(data, signer, options, when)
    try:
        write_atomic(dst, signed, mode=0o644)
    except OSError as exc:
        raise SigningError(f"Không ghi được tệp đã ký {dst.name}: {os_reason(exc)}.") from exc
    digest = hashlib.sha256(signed).hexdigest()
    return SignedFile(path=dst, signer=signer_name(signer), when=when, ltv=ltv, sha256=digest)


def sign_files(
    jobs: Iterable[tuple[Path, Path]],
    source: KeySource,
    pin: str,
    options: SignOptions,
    on_signed: Callable[[SignedFile], None] | None = None,
) -> BatchResult:
    """Signs each (src, dst) in one token session. A failure stops the batch: files signed before it stay signed
    and whole, the failing one is untouched; the error carries how many went through."""
    result = BatchResult()
    job_list: Sequence[tuple[Path, Path]] = list(jobs)
    with open_signer(source, pin) as signer:
        for src, dst in job_list:
            try:
                signed = sign_file(src, dst, signer, options)
            except SigningError as exc:
                if result.done:
                    raise type(exc)(f"{exc} (Đã ký xong {len(result.done)}/{len(job_list)} tệp.)") from exc
                raise
            result.done.append(signed)
            if on_signed is not None:
                on_signed(signed)
    return result
