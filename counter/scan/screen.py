"""Số hóa hồ sơ: one calm screen for any scanner or camera, a page strip, one PDF per component.

Keys: F5 quét (scanner) · Space chụp (camera) · 1–9 gán trang đang chọn cho thành phần · Alt+↑/↓ chọn thành phần
nhận trang mới · Ctrl+←/→ xoay · Delete xóa · Ctrl+R quét/chụp lại trang đang chọn · Ctrl+S lưu bản số hóa ·
Esc quay lại (các trang đã quét vẫn được giữ để làm tiếp).

With a signing key Ctrl+S keeps the screen open so signing follows at once (Ctrl+K, Ctrl+Shift+K), and
Ctrl+Shift+S saves then signs every digitised component in one batch; without one, Ctrl+S saves and closes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.dossier import Dossier
from app.imaging.types import ProcessedPage
from app.store.page_spool import SpooledPage
from counter.scan.digitise import Digitiser, ReuseOffer
from counter.scan.sign_panel import SignPanel, seal_icon, signed_text
from counter.scan.signing import unsigned_components
from counter.widgets import Banner, card, label

MODES = (("auto", "Tự động (chữ: đen trắng, dấu đỏ/ảnh: màu)"), ("bw", "Đen trắng"), ("gray", "Xám"), ("color", "Màu"))
FEEDS = (("flatbed", "Mặt kính"), ("feeder", "Khay nạp giấy"), ("duplex", "Khay nạp, hai mặt"))
THUMB = QSize(110, 150)
KEYS_HINT = (
    "F5 quét · F6 tìm máy quét · Space chụp · 1–9 gán trang cho thành phần · Ctrl+←/→ xoay · Delete xóa · "
    "Ctrl+R quét/chụp lại · kéo thả để đổi thứ tự · Ctrl+S lưu · Esc quay lại"
)
SIGN_KEYS_HINT = "Ctrl+K ký số thành phần · Ctrl+Shift+K ký số tất cả · Ctrl+Shift+S lưu và ký số tất cả"
SIGN_NEXT = "Ký số: Ctrl+K thành phần đang chọn, Ctrl+Shift+K tất cả; Esc để đóng."
SAVED_TO_SIGN = f"Đã lưu bản số hóa. {SIGN_NEXT}"


def to_pixmap(image: np.ndarray[Any, Any], width: int) -> QPixmap:
    """A page (gray/1-bit 2-D or BGR 3-D) as a pixmap scaled to `width`."""
    data = np.ascontiguousarray(image)
    h, w = data.shape[:2]
    if data.ndim == 2:
        qimage = QImage(data.data, w, h, data.strides[0], QImage.Format.Format_Grayscale8).copy()
    else:
        qimage = QImage(data.data, w, h, data.strides[0], QImage.Format.Format_BGR888).copy()
    return QPixmap.fromImage(qimage).scaledToWidth(max(1, width), Qt.TransformationMode.SmoothTransformation)


class ScanScreen(QWidget):
    scan_wanted = Signal()  # F5: start the chosen scanner
    capture_wanted = Signal()  # Space: take the camera's current frame
    save_wanted = Signal()
    save_sign_wanted = Signal()  # Ctrl+Shift+S: save, then sign every digitised component (one PIN)
    back = Signal()
    source_changed = Signal(str)
    find_wanted = Signal()  # F6: look for scanners again

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("scan")
        self.digitiser: Digitiser | None = None
        self.retake_id: str | None = None
        self.offers: list[ReuseOffer] = []
        self.certified: set[int] = set()  # components ticked "chứng thực" (this session; the signed file keeps it)
        self.signing_busy = False
        self.can_sign = False  # this counter has a signing key (set_signing)
        self._thumbs: dict[tuple[str, str, int], QPixmap] = {}
        self._seal = seal_icon()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 8, 14, 8)
        outer.setSpacing(6)
        self.title = label("Số hóa hồ sơ", "cardTitle")
        outer.addWidget(self.title)
        # wrapped: at 1366 px the keys (and the signing ones) take two lines, never a cut-off one
        self.keys_hint = label(KEYS_HINT, "hint", wrap=True)
        outer.addWidget(self.keys_hint)
        self.strip = Banner(size=16)
        outer.addWidget(self.strip)

        devices = QHBoxLayout()
        self.source = QComboBox()
        self.source.setObjectName("scanSource")
        self.source.currentIndexChanged.connect(lambda _i: self.source_changed.emit(self.source_uri()))
        self.mode = QComboBox()
        for code, text in MODES:
            self.mode.addItem(text, code)
        self.feed = QComboBox()
        for code, text in FEEDS:
            self.feed.addItem(text, code)
        self.dpi = QComboBox()
        for dpi in (300, 200, 400):
            self.dpi.addItem(f"{dpi} dpi", dpi)
        self.scan_button = QPushButton("Quét  (F5)")
        self.scan_button.setObjectName("primary")
        self.scan_button.clicked.connect(self.scan_wanted.emit)
        self.capture_button = QPushButton("Chụp  (Space)")
        self.capture_button.setObjectName("primary")
        self.capture_button.clicked.connect(self.capture_wanted.emit)
        self.find_button = QPushButton("Tìm máy quét  (F6)")
        self.find_button.setObjectName("secondary")
        self.find_button.clicked.connect(self.find_wanted.emit)
        for w in (label("Thiết bị", "fieldLabel"), self.source, self.find_button, self.feed, self.dpi, self.mode):
            devices.addWidget(w)
        devices.addStretch(1)
        devices.addWidget(self.scan_button)
        devices.addWidget(self.capture_button)
        outer.addLayout(devices)
        self.progress = label("", "hint")
        outer.addWidget(self.progress)

        body = QHBoxLayout()
        self.preview = QLabel()
        self.preview.setObjectName("scanPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(320, 240)
        self.preview.setStyleSheet("background:#e6eaf0;border-radius:8px;")
        body.addWidget(self.preview, 3)
        right = card()
        col = QVBoxLayout(right)
        col.addWidget(label("Thành phần hồ sơ — trang mới vào thành phần đang chọn (Alt+↑/↓)", "fieldLabel", wrap=True))
        self.components = QListWidget()
        self.components.setObjectName("scanComponents")
        self.components.setWordWrap(True)
        self.components.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # long names wrap
        col.addWidget(self.components, 1)
        self.reuse_box = QVBoxLayout()
        col.addLayout(self.reuse_box)
        self.sign_panel = SignPanel()
        self.sign_panel.set_key(None)
        self.sign_panel.certify_toggled.connect(self._certify_toggled)
        self.sign_panel.sign_one.connect(self._sign_one)
        self.sign_panel.sign_all.connect(lambda: self.sign_wanted.emit(None))
        self.components.currentRowChanged.connect(lambda _row: self._update_sign_panel())
        col.addWidget(self.sign_panel)
        self.save_button = QPushButton("Lưu bản số hóa  (Ctrl+S)")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save_wanted.emit)
        self.save_sign_button = QPushButton("Lưu và ký số tất cả  (Ctrl+Shift+S)")
        self.save_sign_button.setObjectName("primary")
        self.save_sign_button.setIcon(self._seal)
        self.save_sign_button.clicked.connect(self._save_and_sign)
        self.save_sign_button.hide()
        saving = QHBoxLayout()  # side by side: at 768 px high the component list needs the height
        saving.addWidget(self.save_button, 2)
        saving.addWidget(self.save_sign_button, 3)
        col.addLayout(saving)
        body.addWidget(right, 2)
        outer.addLayout(body, 1)

        self.pages = QListWidget()
        self.pages.setObjectName("pageStrip")
        self.pages.setViewMode(QListWidget.ViewMode.IconMode)
        self.pages.setFlow(QListWidget.Flow.LeftToRight)
        self.pages.setWrapping(False)
        self.pages.setIconSize(THUMB)
        self.pages.setFixedHeight(THUMB.height() + 60)
        self.pages.setMovement(QListWidget.Movement.Snap)
        self.pages.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.pages.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.pages.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.pages.model().rowsMoved.connect(lambda *_: self._reordered())
        self.pages.currentItemChanged.connect(lambda *_: self._show_current())
        outer.addWidget(self.pages)

        # F5 here and the queue panel's F5 (no-show) never clash: the window turns the panel's keys off elsewhere
        keys: dict[str, Callable[[], object]] = {
            "F5": self.scan_wanted.emit, "F6": self.find_wanted.emit, "Space": self.capture_wanted.emit,
            "Delete": self.delete_selected,
            "Ctrl+Left": lambda: self.rotate_selected(-1), "Ctrl+Right": lambda: self.rotate_selected(1),
            "Ctrl+R": self.retake_selected, "Ctrl+S": self.save_wanted.emit, "Esc": self.back.emit,
            "Alt+Up": lambda: self.move_target(-1), "Alt+Down": lambda: self.move_target(1),
            "Ctrl+K": self._sign_one, "Ctrl+Shift+K": lambda: self.sign_wanted.emit(None),
            "Ctrl+Shift+S": self._save_and_sign,
        }  # fmt: skip
        for n in range(1, 10):
            keys[str(n)] = partial(self.assign_selected, n - 1)
        for key, slot in keys.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # --- the session -------------------------------------------------------------------------------------

    def open(self, digitiser: Digitiser, offers: list[ReuseOffer]) -> None:
        self.digitiser = digitiser
        d = digitiser.dossier
        self.title.setText(f"Số hóa hồ sơ {d.code} — {d.citizen.name}")
        self.strip.clear_message()
        self.retake_id = None
        self.certified = set()
        self.show_offers(offers)
        self.refresh()
        first = next((i for i, c in enumerate(d.components) if c.received and not c.digitised), 0)
        self.components.setCurrentRow(first)
        if digitiser.pages():
            self.strip.show_message(f"Đã mở lại {len(digitiser.pages())} trang quét dở lần trước.", "info")
        self.pages.setFocus()

    def set_signing(self, description: str | None) -> None:
        """The key this counter signs with (None: none): the sign panel, Ctrl+Shift+S and the keys line follow."""
        self.can_sign = description is not None
        self.sign_panel.set_key(description)
        self.save_sign_button.setVisible(self.can_sign)
        self.keys_hint.setText(f"{KEYS_HINT} · {SIGN_KEYS_HINT}" if self.can_sign else KEYS_HINT)
        self.update_buttons()

    def saved_in_place(self, digitiser: Digitiser, components: list[int], note: str = "") -> None:
        """After Ctrl+S with a key: the screen stays, the first just-saved component selected for Ctrl+K."""
        self.digitiser = digitiser
        self.retake_id = None
        dossier = digitiser.dossier
        self.show_offers([o for o in self.offers if not dossier.components[o.component].digitised])
        self.refresh()
        unsigned = [i for i in components if dossier.components[i].files and not dossier.components[i].files[0].signed]
        if unsigned:
            self.components.setCurrentRow(unsigned[0])
        self.preview.clear()  # its page is in the saved PDF now, no longer in the strip
        self.strip.show_message(f"{SAVED_TO_SIGN} {note}".strip(), "ok")
        self.components.setFocus()

    def set_sources(self, sources: list[tuple[str, str]], chosen: str) -> None:
        self.source.blockSignals(True)
        self.source.clear()
        for uri, name in sources:
            self.source.addItem(name, uri)
        self.source.setCurrentIndex(max(0, self.source.findData(chosen)))
        self.source.blockSignals(False)
        self.update_buttons()

    def source_uri(self) -> str:
        return str(self.source.currentData() or "")

    def is_camera(self) -> bool:
        return self.source_uri().startswith("camera:")

    def update_buttons(self, busy: bool = False) -> None:
        camera = self.is_camera()
        self.scan_button.setVisible(not camera)
        self.capture_button.setVisible(camera)
        self.scan_button.setEnabled(not busy)
        self.feed.setEnabled(not camera)
        self.dpi.setEnabled(not camera)
        pending = bool(self.digitiser and self.digitiser.pages())
        self.save_button.setEnabled(not busy and pending)
        unsigned = bool(self.digitiser and unsigned_components(self.digitiser.dossier))
        self.save_sign_button.setEnabled(self.can_sign and not busy and not self.signing_busy and (pending or unsigned))

    def target_component(self) -> int | None:
        row = self.components.currentRow()
        return row if row >= 0 else None

    def move_target(self, step: int) -> None:
        if self.components.count():
            self.components.setCurrentRow((self.components.currentRow() + step) % self.components.count())

    # --- pages ----------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Rebuild the strip and the component counts from the spool (the truth on disk)."""
        if self.digitiser is None:
            return
        keep = self.selected_ids()
        row = self.components.currentRow()
        pages = self.digitiser.pages()
        self.pages.blockSignals(True)
        self.pages.clear()
        for n, page in enumerate(pages, 1):
            target = f"TP {page.component + 1}" if page.component is not None else "chưa gán"
            mark = " ⚠" if page.warnings else ""
            item = QListWidgetItem(f"Trang {n} · {target}{mark}")
            item.setData(Qt.ItemDataRole.UserRole, page.id)
            item.setIcon(self._thumb(page))
            item.setToolTip("; ".join(page.warnings) or "Trang tốt")
            self.pages.addItem(item)
            if page.id in keep:
                item.setSelected(True)
        self.pages.blockSignals(False)
        self.components.clear()
        d = self.digitiser.dossier
        for i, comp in enumerate(d.components):
            count = len([p for p in pages if p.component == i])
            done = (
                " · đã số hóa" + (" (tái sử dụng)" if comp.files and comp.files[0].reused else "")
                if comp.digitised
                else ""
            )
            state = "" if comp.received else " · không nộp"
            item = QListWidgetItem(
                f"{i + 1}. {comp.name[:90]} — {count} trang mới{done}{state}{signed_text(comp, i in self.certified)}"
            )
            if comp.files and comp.files[0].signed:
                item.setIcon(self._seal)
                item.setToolTip(f"Đã ký số bởi {comp.files[0].signed_by}")
            self.components.addItem(item)
        self.components.setCurrentRow(row if 0 <= row < self.components.count() else 0)
        self.update_buttons()
        self._update_sign_panel()

    def _thumb(self, page: SpooledPage) -> QPixmap:
        """Thumbnails are made once per page image and rotation: the strip refreshes on every change."""
        assert self.digitiser is not None
        key = (page.id, page.file, page.rotation)
        if key not in self._thumbs:
            self._thumbs[key] = to_pixmap(self.digitiser.spool.load_image(page), THUMB.width())
        return self._thumbs[key]

    def selected_ids(self) -> list[str]:
        return [str(item.data(Qt.ItemDataRole.UserRole)) for item in self.pages.selectedItems()]

    def page_arrived(self, spooled: SpooledPage | None, processed: ProcessedPage) -> None:
        if spooled is None:
            why = processed.refused or "Trang trắng từ khay nạp giấy đã được bỏ qua."
            self.strip.show_message(why, "warning" if processed.refused else "info")
            return
        self.refresh()
        self.pages.clearSelection()
        for row in range(self.pages.count()):
            item = self.pages.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == spooled.id:
                self.pages.setCurrentItem(item)
                self.pages.scrollToItem(item)
        if processed.blank:
            self.strip.show_message("Trang vừa quét có vẻ là trang trắng: bấm Delete để bỏ, hoặc cứ để lại.", "warning")
        elif processed.blurry:
            self.strip.show_message("Trang vừa quét bị mờ: bấm Ctrl+R để quét hoặc chụp lại trang này.", "warning")
        elif processed.warnings:
            self.strip.show_message(" ".join(processed.warnings), "info")

    def _show_current(self) -> None:
        item = self.pages.currentItem()
        if self.digitiser is None or item is None:
            return
        page = next((p for p in self.digitiser.pages() if p.id == item.data(Qt.ItemDataRole.UserRole)), None)
        if page is not None:
            image = self.digitiser.spool.load_image(page)
            self.preview.setPixmap(to_pixmap(image, max(200, self.preview.width() - 20)).scaledToHeight(
                max(200, self.preview.height() - 20), Qt.TransformationMode.SmoothTransformation))  # fmt: skip

    def show_frame(self, image: QImage) -> None:
        self.preview.setPixmap(QPixmap.fromImage(image).scaled(self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio))

    def _reordered(self) -> None:
        if self.digitiser is not None:
            ids = [str(self.pages.item(r).data(Qt.ItemDataRole.UserRole)) for r in range(self.pages.count())]
            self.digitiser.spool.reorder(ids)
            self.refresh()

    def delete_selected(self) -> None:
        if self.digitiser is None:
            return
        for page_id in self.selected_ids():
            self.digitiser.spool.delete(page_id)
        self.refresh()

    def rotate_selected(self, quarter_turns: int) -> None:
        if self.digitiser is None:
            return
        for page_id in self.selected_ids():
            self.digitiser.spool.rotate(page_id, quarter_turns)
        self.refresh()
        self._show_current()

    def assign_selected(self, component: int) -> None:
        if self.digitiser is None or component >= len(self.digitiser.dossier.components):
            return
        for page_id in self.selected_ids():
            self.digitiser.spool.assign(page_id, component)
        self.refresh()

    def retake_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        self.retake_id = ids[0]
        what = "Chụp (Space)" if self.is_camera() else "Quét (F5)"
        self.strip.show_message(f"Bấm {what}: trang mới sẽ thay trang đang chọn.", "info")

    # --- signing --------------------------------------------------------------------------------------

    sign_wanted = Signal(object)  # list[int] of components, or None for every digitised one not yet signed

    def _save_and_sign(self) -> None:
        if self.can_sign:
            self.save_sign_wanted.emit()

    def _sign_one(self) -> None:
        row = self.target_component()
        if row is not None and self.sign_panel.isVisible():
            self.sign_wanted.emit([row])

    def _certify_toggled(self, on: bool) -> None:
        row = self.target_component()
        if row is None:
            return
        if on:
            self.certified.add(row)
        else:
            self.certified.discard(row)
        self.refresh()

    def _update_sign_panel(self) -> None:
        if self.digitiser is None:
            return
        comps = self.digitiser.dossier.components
        row = self.target_component()
        unsigned = [i for i, c in enumerate(comps) if c.files and not c.files[0].signed]
        current = comps[row] if row is not None and row < len(comps) else None
        signed = bool(current and current.files and current.files[0].signed)
        ticked = bool(current and current.files and current.files[0].certified_copy) or (row in self.certified)
        self.sign_panel.show_component(ticked, can_tick=current is not None and not signed)
        self.sign_panel.set_busy(self.signing_busy, bool(unsigned), row in unsigned)

    def set_signing_busy(self, busy: bool) -> None:
        self.signing_busy = busy
        self._update_sign_panel()
        self.update_buttons()

    # --- reuse ----------------------------------------------------------------------------------------

    reuse_wanted = Signal(object)  # ReuseOffer

    def show_offers(self, offers: list[ReuseOffer]) -> None:
        self.offers = offers
        refocus = False
        while self.reuse_box.count():
            item = self.reuse_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                refocus = refocus or widget.hasFocus()
                widget.deleteLater()
        if refocus:  # the clicked button goes away: keep the keys (Esc, Ctrl+S, F5…) working on this screen
            self.pages.setFocus()
        for offer in offers:
            name = self.digitiser.dossier.components[offer.component].name[:50] if self.digitiser else ""
            button = QPushButton(f"Dùng lại bản đã số hóa của “{name}” (hồ sơ {offer.from_code})")
            button.setObjectName("secondary")
            button.clicked.connect(lambda _=False, offer=offer: self.reuse_wanted.emit(offer))
            self.reuse_box.addWidget(button)

    def set_dossier(self, dossier: Dossier) -> None:
        if self.digitiser is not None:
            self.digitiser.dossier = dossier
        self.refresh()
