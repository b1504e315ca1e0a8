"""One digitisation session for one dossier: pages spooled to disk as they come, then one PDF per component.

Qt-free: the scan screen drives it from worker threads. Nothing here waits on the network; files stay under the
counter's data folder (0700) with their SHA-256 recorded in the dossier, the component flagged digitised.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.core.dossier import ComponentFile, Dossier, attach_files
from app.core.text_search import fold
from app.imaging.types import ProcessedPage
from app.store.component_pdf import PdfMeta, write_component_pdf
from app.store.page_spool import PageSpool, SpooledPage
from counter.dossier.desk import DossierDesk

SPOOL_DIR = "pages"
FILES_DIR = "files"


@dataclass(frozen=True)
class ReuseOffer:
    """A component this citizen already had digitised at this counter, in an earlier dossier."""

    component: int  # index in the current dossier
    from_code: str
    file: ComponentFile


def _slug(text: str, limit: int = 40) -> str:
    """A file name from Vietnamese text: the search's own folding (no marks, đ → d), ASCII only."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:limit] or "thanh-phan"


def files_folder(data: Path, code: str) -> Path:
    """Where a dossier's component PDFs live under the counter's data folder."""
    return data / FILES_DIR / _slug(code, 60)


class Digitiser:
    def __init__(self, desk: DossierDesk, dossier: Dossier, session: str | None = None) -> None:
        self.desk = desk
        self.dossier = dossier
        self.session = session or uuid.uuid4().hex[:12]
        folder = desk.store.folder / SPOOL_DIR / f"{_slug(dossier.code, 60)}-{self.session}"
        self.spool = PageSpool.open(folder) if folder.exists() else PageSpool(folder)

    @classmethod
    def resume(cls, desk: DossierDesk, dossier: Dossier) -> Digitiser:
        """Pick up pages a crash left behind for this dossier (newest session), or start afresh."""
        root = desk.store.folder / SPOOL_DIR
        prefix = f"{_slug(dossier.code, 60)}-"
        left = (
            sorted((p for p in root.glob(f"{prefix}*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
            if root.exists()
            else []
        )
        return cls(desk, dossier, left[-1].name.removeprefix(prefix)) if left else cls(desk, dossier)

    # --- pages ---------------------------------------------------------------------------------------

    def add(self, page: ProcessedPage, component: int | None) -> SpooledPage:
        spooled = self.spool.add(page)
        if component is not None:
            self.spool.assign(spooled.id, component)
        return spooled

    def pages(self) -> list[SpooledPage]:
        return self.spool.pages()

    def pages_of(self, component: int) -> list[SpooledPage]:
        return [p for p in self.spool.pages() if p.component == component]

    # --- reuse ----------------------------------------------------------------------------------------

    def reuse_offers(self) -> list[ReuseOffer]:
        """Components of this dossier that the same citizen brought before and that were digitised here."""
        offers: list[ReuseOffer] = []
        earlier = [d for d in self.desk.store.of_citizen(self.dossier.citizen.id_number) if d.code != self.dossier.code]
        for index, comp in enumerate(self.dossier.components):
            if comp.digitised or not comp.received:
                continue
            for d in earlier:
                match = next((c for c in d.components if c.name == comp.name and c.files), None)
                if match is not None and Path(match.files[0].path).is_file():
                    offers.append(ReuseOffer(index, d.code, match.files[0]))
                    break
        return offers

    def reuse(self, offer: ReuseOffer, clerk: str) -> Dossier:
        reused = ComponentFile(offer.file.path, offer.file.sha256, offer.file.pages, reused=True)
        self.dossier = self.desk.store.change(
            self.dossier.code,
            "files",
            lambda d, at: attach_files(d, at=at, clerk=clerk, component=offer.component, files=(reused,)),
        )
        return self.dossier

    # --- finishing ------------------------------------------------------------------------------------

    def finish(self, clerk: str, clerk_name: str, now: datetime) -> Dossier:
        """One PDF per component that has pages, recorded on the dossier; then the spool is removed."""
        folder = files_folder(self.desk.store.folder, self.dossier.code)
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        for index, comp in enumerate(self.dossier.components):
            pages = self.pages_of(index)
            if not pages:
                continue
            path = folder / f"{index + 1:02d}-{_slug(comp.name)}.pdf"
            # the spooled bytes go into the PDF as they are: no second JPEG encode
            made = write_component_pdf(pages, path, PdfMeta(self.dossier.code, comp.name, clerk_name, now))
            file = ComponentFile(str(made.path), made.sha256, made.pages)
            self.dossier = self.desk.store.change(self.dossier.code, "files", _attach(clerk, index, file))
        self.spool.discard()
        return self.dossier

    def abandon(self) -> None:
        self.spool.discard()


def _attach(clerk: str, component: int, file: ComponentFile) -> Callable[[Dossier, datetime], Dossier]:
    def apply(d: Dossier, at: datetime) -> Dossier:
        return attach_files(d, at=at, clerk=clerk, component=component, files=(file,))

    return apply
