"""Signing a dossier's digitised components at the counter, the last step before sync (Qt-free).

Each signed file is written whole beside the unsigned one, then the dossier switches to it in one transaction
(a recorded change the outbox sends with the new file), then the unsigned file goes if nothing else uses it.
A crash or a pulled token at any point leaves the dossier pointing at a whole file with the right hash."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.core.dossier import ComponentFile, Dossier, record_signature
from app.signing.errors import SigningError
from app.signing.keys import KeySource, PfxKey, Pkcs11Key, open_signer
from app.signing.sign import SignedFile, SignOptions, sign_file
from app.store.dossier_store import DossierStore
from counter.scan.digitise import files_folder

log = logging.getLogger(__name__)
SIGNED_SUFFIX = "-ky-so"


@dataclass(frozen=True)
class SigningSetup:
    """How this counter signs: the key's place, the timestamp authority, the commune on the stamp."""

    source: KeySource
    tsa_url: str | None = None
    commune: str = ""
    pin_hint: str = ""  # the demo's test token only: real PINs are never known here

    def describe(self) -> str:
        if isinstance(self.source, PfxKey):
            return f"tệp chữ ký số {self.source.path.name}"
        slot = f", khe {self.source.slot}" if self.source.slot is not None else ""
        return f"thiết bị ký số (USB token{slot})"


@dataclass(frozen=True)
class SignOutcome:
    dossier: Dossier
    signed: int


def unsigned_components(d: Dossier, which: list[int] | None = None) -> list[int]:
    """Components (of `which`, or all) that are digitised and not yet signed."""
    indexes = range(len(d.components)) if which is None else which
    return [
        i
        for i in indexes
        if 0 <= i < len(d.components) and d.components[i].files and not d.components[i].files[0].signed
    ]


def sign_components(
    store: DossierStore,
    code: str,
    setup: SigningSetup,
    pin: str,
    clerk: str,
    *,
    which: list[int] | None = None,
    certified: set[int] | frozenset[int] = frozenset(),
    on_signed: Callable[[SignedFile], None] | None = None,
) -> SignOutcome:
    """Signs the chosen (default: all) digitised, unsigned components of dossier `code` in one token session.

    A failure stops the batch with a Vietnamese SigningError: components signed before it stay signed and
    recorded, the failing one keeps its unsigned file."""
    d = store.get(code)
    jobs = unsigned_components(d, which)
    if not jobs:
        raise SigningError("Không có thành phần nào đã số hóa mà chưa ký số.")
    folder = files_folder(store.folder, d.code)
    folder.mkdir(parents=True, exist_ok=True)
    done = 0
    with open_signer(setup.source, pin) as signer:
        for index in jobs:
            old = d.components[index].files[0]
            src = Path(old.path)
            dst = folder / f"{src.stem.removesuffix(SIGNED_SUFFIX)}{SIGNED_SUFFIX}.pdf"
            options = SignOptions(commune=setup.commune, tsa_url=setup.tsa_url, certified_copy=index in certified)
            try:
                made = sign_file(src, dst, signer, options)
            except SigningError as exc:
                if done:
                    raise type(exc)(f"{exc} (Đã ký xong {done}/{len(jobs)} thành phần.)") from exc
                raise
            new = replace_file(old, made, certified=index in certified)
            d = store.change(d.code, "signed", _record(clerk, index, new))
            done += 1
            _drop_if_unused(store, d, src, dst)
            if on_signed is not None:
                on_signed(made)
    return SignOutcome(d, done)


def replace_file(old: ComponentFile, made: SignedFile, *, certified: bool) -> ComponentFile:
    return ComponentFile(
        str(made.path), made.sha256, old.pages, old.reused, signed_by=made.signer or "?", certified_copy=certified
    )


def _record(clerk: str, component: int, file: ComponentFile) -> Callable[[Dossier, datetime], Dossier]:
    def apply(d: Dossier, at: datetime) -> Dossier:
        return record_signature(d, at=at, clerk=clerk, component=component, file=file)

    return apply


def _drop_if_unused(store: DossierStore, d: Dossier, src: Path, dst: Path) -> None:
    """The unsigned file goes unless another dossier of this citizen reuses it (reuse only links the same
    citizen's dossiers) or it lies outside the counter's folder."""
    if src == dst or not src.is_relative_to(store.folder):
        return
    wanted = str(src)
    for other in store.of_citizen(d.citizen.id_number):
        if any(f.path == wanted for c in other.components for f in c.files):
            return
    with contextlib.suppress(FileNotFoundError):
        src.unlink()


def demo_setup(folder: Path, commune: str) -> SigningSetup | None:
    """`counter --demo` / `--test-token DIR`: a fresh SoftHSM2 test token in `folder`; None without SoftHSM2."""
    from app.signing.demo_token import TEST_PIN, create_test_token, softhsm_module

    if softhsm_module() is None:
        return None
    try:
        token = create_test_token(folder)
    except Exception as exc:  # the demo runs on without signing rather than not at all
        log.warning("demo token not made (%s)", type(exc).__name__)
        return None
    os.environ["SOFTHSM2_CONF"] = str(token.softhsm2_conf)  # SoftHSM finds its token folder through this
    return SigningSetup(Pkcs11Key(token.pkcs11), commune=commune, pin_hint=f"Thiết bị THỬ: mã PIN là {TEST_PIN}")
