"""The bundled Unicode faces: cheap printers and bare machines have no Vietnamese font of their own."""

from __future__ import annotations

from pathlib import Path

from app.paths import resource_dir
from printing.errors import FontMissing

REGULAR = "NotoSans-Regular.ttf"
BOLD = "NotoSans-Bold.ttf"


def font_dir() -> Path:
    return resource_dir() / "fonts"


def font_path(*, bold: bool = False, directory: Path | None = None) -> Path:
    path = (directory or font_dir()) / (BOLD if bold else REGULAR)
    if not path.is_file():
        raise FontMissing(
            f"Không tìm thấy phông chữ {path.name} nên không in được chữ tiếng Việt.",
            hint=f"Cài lại phần mềm hoặc chép tệp {path.name} vào thư mục {path.parent}.",
        )
    return path
