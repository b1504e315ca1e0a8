"""eSCL XML for the client: ScannerCapabilities and ScannerStatus parsing, ScanSettings building.

Namespaces are the ones every eSCL scanner uses: scan: (HP's 2011 eSCL schema) and pwg: (PWG
semantic model). Lengths are in 1/300 inch ("ThreeHundredthsOfInches").
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

SCAN_NS = "http://schemas.hp.com/imaging/escl/2011/05/03"
PWG_NS = "http://www.pwg.org/schemas/2010/12/sm"
NS = {"scan": SCAN_NS, "pwg": PWG_NS}
UNITS_PER_INCH = 300
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class InputCaps:
    """One input (platen, feeder simplex or duplex): its area, resolutions, colour modes and formats."""

    max_width: int  # 1/300 inch
    max_height: int
    resolutions: tuple[int, ...]
    color_modes: tuple[str, ...]  # RGB24, Grayscale8, BlackAndWhite1
    formats: tuple[str, ...]  # image/jpeg, application/pdf…

    def nearest_resolution(self, wanted: int) -> int:
        if not self.resolutions:
            return wanted
        return min(self.resolutions, key=lambda r: (abs(r - wanted), -r))


@dataclass(frozen=True)
class EsclCaps:
    make_and_model: str
    version: str
    platen: InputCaps | None
    adf_simplex: InputCaps | None
    adf_duplex: InputCaps | None


def _int(element: ET.Element | None, default: int = 0) -> int:
    try:
        return int((element.text or "").strip()) if element is not None else default
    except ValueError:
        return default


def _text(root: ET.Element, path: str) -> str:
    element = root.find(path, NS)
    return (element.text or "").strip() if element is not None else ""


def _input_caps(element: ET.Element | None) -> InputCaps | None:
    if element is None:
        return None
    resolutions: set[int] = set()
    modes: list[str] = []
    formats: list[str] = []
    for profile in element.iterfind("scan:SettingProfiles/scan:SettingProfile", NS):
        for mode in profile.iterfind("scan:ColorModes/scan:ColorMode", NS):
            if mode.text and mode.text.strip() not in modes:
                modes.append(mode.text.strip())
        for fmt in profile.iterfind("scan:DocumentFormats/*", NS):
            if fmt.text and fmt.text.strip() not in formats:
                formats.append(fmt.text.strip())
        for res in profile.iterfind("scan:SupportedResolutions/scan:DiscreteResolutions/scan:DiscreteResolution", NS):
            x = _int(res.find("scan:XResolution", NS))
            if x > 0:
                resolutions.add(x)
        for rng in profile.iterfind("scan:SupportedResolutions/scan:ResolutionRange/scan:XResolutionRange", NS):
            low, high = _int(rng.find("scan:Min", NS)), _int(rng.find("scan:Max", NS))
            step = max(_int(rng.find("scan:Step", NS), 1), 1)
            # A range is offered as the usual document resolutions inside it (and its ends).
            resolutions.update(
                r for r in (low, high, 150, 200, 300, 400, 600) if low <= r <= high and (r - low) % step == 0
            )
    return InputCaps(
        _int(element.find("scan:MaxWidth", NS)),
        _int(element.find("scan:MaxHeight", NS)),
        tuple(sorted(resolutions)),
        tuple(modes),
        tuple(formats),
    )


def parse_capabilities(xml: bytes) -> EsclCaps:
    # A LAN scanner's reply; ElementTree expands no external entities (no defusedxml dependency for this).
    root = ET.fromstring(xml)  # noqa: S314
    return EsclCaps(
        make_and_model=_text(root, "pwg:MakeAndModel"),
        version=_text(root, "pwg:Version"),
        platen=_input_caps(root.find("scan:Platen/scan:PlatenInputCaps", NS)),
        adf_simplex=_input_caps(root.find("scan:Adf/scan:AdfSimplexInputCaps", NS)),
        adf_duplex=_input_caps(root.find("scan:Adf/scan:AdfDuplexInputCaps", NS)),
    )


def parse_status(xml: bytes) -> tuple[str, str]:
    """(pwg:State, scan:AdfState) from ScannerStatus, e.g. ("Idle", "ScannerAdfJam"); "" when absent."""
    root = ET.fromstring(xml)  # noqa: S314 - see parse_capabilities
    return _text(root, "pwg:State"), _text(root, "scan:AdfState")


def scan_settings_xml(
    caps: InputCaps, input_source: str, color_mode: str, dpi: int, page_mm: tuple[float, float] | None, duplex: bool
) -> bytes:
    """The ScanSettings document POSTed to ScanJobs. JPEG is asked for when offered (PNG for 1-bit pages)."""
    if page_mm is None:
        width, height = caps.max_width, caps.max_height
    else:
        width = round(page_mm[0] / MM_PER_INCH * UNITS_PER_INCH)
        height = round(page_mm[1] / MM_PER_INCH * UNITS_PER_INCH)
        if caps.max_width:
            width = min(width, caps.max_width)
        if caps.max_height:
            height = min(height, caps.max_height)
    preferred = ("image/png", "image/jpeg") if color_mode == "BlackAndWhite1" else ("image/jpeg", "image/png")
    fmt = next((f for f in preferred if f in caps.formats or not caps.formats), caps.formats[0])
    ET.register_namespace("scan", SCAN_NS)
    ET.register_namespace("pwg", PWG_NS)
    root = ET.Element(f"{{{SCAN_NS}}}ScanSettings")
    ET.SubElement(root, f"{{{PWG_NS}}}Version").text = "2.0"
    region = ET.SubElement(ET.SubElement(root, f"{{{PWG_NS}}}ScanRegions"), f"{{{PWG_NS}}}ScanRegion")
    for tag, value in (
        ("ContentRegionUnits", "escl:ThreeHundredthsOfInches"),
        ("XOffset", "0"),
        ("YOffset", "0"),
        ("Width", str(width)),
        ("Height", str(height)),
    ):
        ET.SubElement(region, f"{{{PWG_NS}}}{tag}").text = value
    ET.SubElement(root, f"{{{PWG_NS}}}InputSource").text = input_source
    ET.SubElement(root, f"{{{SCAN_NS}}}ColorMode").text = color_mode
    ET.SubElement(root, f"{{{SCAN_NS}}}XResolution").text = str(dpi)
    ET.SubElement(root, f"{{{SCAN_NS}}}YResolution").text = str(dpi)
    ET.SubElement(root, f"{{{PWG_NS}}}DocumentFormat").text = fmt
    ET.SubElement(root, f"{{{SCAN_NS}}}DocumentFormatExt").text = fmt
    if input_source == "Feeder":
        ET.SubElement(root, f"{{{SCAN_NS}}}Duplex").text = "true" if duplex else "false"
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
