"""What moves between scanners, the clean-up pipeline and the page store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]  # H×W (gray or 1-bit as 0/255) or H×W×3 (BGR, as OpenCV)
SourceKind = Literal["camera", "flatbed", "feeder"]
ColourMode = Literal["bw", "gray", "color"]
MIN_DPI = 200  # the provinces' digitisation floor


@dataclass
class RawPage:
    """A page as a device delivered it, before any clean-up."""

    image: Image
    dpi: float  # for a camera: an estimate, fixed by the pipeline once the page is found
    kind: SourceKind
    index: int = 0  # order within the job, from 0
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class ProcessedPage:
    """A page ready to keep: cropped, straight, in the colour mode it needs, with what the clerk should know."""

    image: Image
    dpi: float
    mode: ColourMode
    blank: bool = False
    blurry: bool = False
    blur_score: float = 0.0
    skew_deg: float = 0.0  # the correction applied
    warnings: tuple[str, ...] = ()  # Vietnamese, shown beside the thumbnail
    refused: str = ""  # non-empty: must not be stored (e.g. under 200 dpi), says why in Vietnamese
