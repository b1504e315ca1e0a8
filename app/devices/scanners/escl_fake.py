"""A fake eSCL scanner on 127.0.0.1: the test peer of EsclSource and the demo's scanner.

    with FakeEsclServer(pages=5) as fake:          # a feeder holding 5 generated pages
        source = EsclSource(fake.url)              # fake.url == "http://127.0.0.1:PORT/eSCL"

It serves the real capability schema (written out here, not built by the client's code, so the two
cannot share a mistake), accepts ScanJobs, and hands out NextDocument pages: a feeder job drains the
tray then answers 404, a platen job gives one page. Faults: `busy_first=n` answers 503 to the first n
NextDocument requests; `vanish_after=k` resets every connection once k pages were served (the
scanner was switched off); `jam_after=k` stops the job with ScannerStatus saying ScannerAdfJam.
Stdlib only (http.server) plus OpenCV for the page images; HTTP/1.0 so no connection outlives a request.
"""

from __future__ import annotations

import socket
import struct
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from xml.sax.saxutils import escape

import cv2
import numpy as np

SCAN_NS = "http://schemas.hp.com/imaging/escl/2011/05/03"
PWG_NS = "http://www.pwg.org/schemas/2010/12/sm"
FORMATS = ("image/jpeg", "image/png")  # what the fake can produce, and so all it advertises

_PROFILE = """<scan:SettingProfiles><scan:SettingProfile>
<scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode>
<scan:ColorMode>BlackAndWhite1</scan:ColorMode></scan:ColorModes>
<scan:DocumentFormats>{formats}</scan:DocumentFormats>
<scan:SupportedResolutions><scan:DiscreteResolutions>{resolutions}</scan:DiscreteResolutions></scan:SupportedResolutions>
<scan:ColorSpaces><scan:ColorSpace>RGB</scan:ColorSpace></scan:ColorSpaces>
</scan:SettingProfile></scan:SettingProfiles>"""
_INPUT = """<scan:MinWidth>16</scan:MinWidth><scan:MaxWidth>2550</scan:MaxWidth><scan:MinHeight>16</scan:MinHeight>
<scan:MaxHeight>3508</scan:MaxHeight><scan:MaxScanRegions>1</scan:MaxScanRegions>{profile}
<scan:SupportedIntents><scan:Intent>Document</scan:Intent><scan:Intent>Photo</scan:Intent></scan:SupportedIntents>
<scan:MaxOpticalXResolution>600</scan:MaxOpticalXResolution><scan:MaxOpticalYResolution>600</scan:MaxOpticalYResolution>"""
_CAPS = """<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerCapabilities xmlns:scan="{scan}" xmlns:pwg="{pwg}">
<pwg:Version>2.63</pwg:Version><pwg:MakeAndModel>{model}</pwg:MakeAndModel><pwg:SerialNumber>FAKE0001</pwg:SerialNumber>
<scan:UUID>{uuid}</scan:UUID><scan:AdminURI>{admin}</scan:AdminURI>
{platen}{adf}
</scan:ScannerCapabilities>"""


def make_page(number: int, dpi: int, width_mm: float = 210.0, height_mm: float = 297.0) -> np.ndarray:
    """A white BGR page with its number and some text-like lines, at `dpi` (A4 by default)."""
    width, height = round(width_mm / 25.4 * dpi), round(height_mm / 25.4 * dpi)
    page = np.full((height, width, 3), 255, np.uint8)
    scale = dpi / 100
    cv2.putText(page, f"Trang {number}", (round(width * 0.1), round(height * 0.12)), cv2.FONT_HERSHEY_SIMPLEX,
                1.5 * scale, (0, 0, 0), max(1, round(3 * scale)))  # fmt: skip
    for row in range(12):
        y = round(height * (0.2 + row * 0.05))
        cv2.line(
            page,
            (round(width * 0.1), y),
            (round(width * (0.5 + 0.03 * (row % 7))), y),
            (40, 40, 40),
            max(1, round(scale)),
        )
    return page


@dataclass
class FakeJob:
    id: str
    input_source: str  # Platen | Feeder
    color_mode: str
    dpi: int
    fmt: str
    width_mm: float = 210.0
    height_mm: float = 297.0
    served: int = 0
    done: bool = False  # every page it will give was given: the scanner is idle again
    deleted: bool = False
    settings_xml: bytes = b""


@dataclass
class _State:
    tray: list[np.ndarray | None]  # None: generate the page at the job's resolution
    jobs: dict[str, FakeJob] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)
    pages_served: int = 0
    busy_left: int = 0
    vanished: bool = False
    jammed: bool = False
    next_number: int = 1


class FakeEsclServer:
    def __init__(
        self,
        pages: int | Sequence[np.ndarray] = 3,
        *,
        platen: bool = True,
        adf: bool = True,
        duplex: bool = False,
        resolutions: Sequence[int] = (75, 150, 200, 300, 600),
        formats: Sequence[str] = FORMATS,  # Debian's SANE escl backend cannot read PNG: offer it JPEG only
        busy_first: int = 0,
        vanish_after: int | None = None,
        jam_after: int | None = None,
        model: str = "Máy quét giả eSCL",
    ) -> None:
        tray: list[np.ndarray | None] = [None] * pages if isinstance(pages, int) else list(pages)
        self.state = _State(tray=tray, busy_left=busy_first)
        self.vanish_after = vanish_after
        unknown = set(formats) - set(FORMATS)
        if unknown or not formats:
            raise ValueError(f"the fake serves only {FORMATS}, not {sorted(unknown)}")
        self.formats = tuple(formats)
        self.jam_after = jam_after
        self.uuid = str(uuid.uuid4())
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = False
        self._server.block_on_close = True  # server_close joins the request threads: nothing outlives the fake
        self._server.fake = self  # type: ignore[attr-defined]
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/eSCL"
        self.caps_xml = self._capabilities(platen, adf, duplex, resolutions, escape(model))
        # A short poll interval: shutdown() waits for the serving loop to look at its flag (0.5 s by default).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-escl", daemon=True
        )
        self._thread.start()

    def _capabilities(self, platen: bool, adf: bool, duplex: bool, resolutions: Sequence[int], model: str) -> bytes:
        discrete = "".join(
            f"<scan:DiscreteResolution><scan:XResolution>{r}</scan:XResolution>"
            f"<scan:YResolution>{r}</scan:YResolution></scan:DiscreteResolution>"
            for r in resolutions
        )
        listed = "".join(f"<pwg:DocumentFormat>{f}</pwg:DocumentFormat>" for f in self.formats) + "".join(
            f"<scan:DocumentFormatExt>{f}</scan:DocumentFormatExt>" for f in self.formats
        )
        body = _INPUT.format(profile=_PROFILE.format(resolutions=discrete, formats=listed))
        platen_xml = f"<scan:Platen><scan:PlatenInputCaps>{body}</scan:PlatenInputCaps></scan:Platen>" if platen else ""
        adf_xml = ""
        if adf:
            duplex_xml = f"<scan:AdfDuplexInputCaps>{body}</scan:AdfDuplexInputCaps>" if duplex else ""
            options = "<scan:AdfOption>DetectPaperLoaded</scan:AdfOption>" + (
                "<scan:AdfOption>Duplex</scan:AdfOption>" if duplex else ""
            )
            adf_xml = (
                f"<scan:Adf><scan:AdfSimplexInputCaps>{body}</scan:AdfSimplexInputCaps>{duplex_xml}"
                f"<scan:FeederCapacity>50</scan:FeederCapacity><scan:AdfOptions>{options}</scan:AdfOptions></scan:Adf>"
            )
        return _CAPS.format(
            scan=SCAN_NS, pwg=PWG_NS, model=model, uuid=self.uuid, admin=f"{self.url}/", platen=platen_xml, adf=adf_xml
        ).encode()

    # -- what the tests look at ------------------------------------------------------------------
    @property
    def jobs(self) -> list[FakeJob]:
        with self._lock:
            return list(self.state.jobs.values())

    @property
    def log(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self.state.log)

    def load(self, pages: int | Sequence[np.ndarray]) -> None:
        """Put sheets into the feeder tray (after it ran dry)."""
        with self._lock:
            self.state.tray.extend([None] * pages if isinstance(pages, int) else pages)

    # -- request handling (called from handler threads) ------------------------------------------
    def status_xml(self) -> bytes:
        with self._lock:
            adf = "ScannerAdfJam" if self.state.jammed else "ScannerAdfLoaded" if self.state.tray else "ScannerAdfEmpty"
            active = any(not (j.done or j.deleted) for j in self.state.jobs.values())
        state = "Processing" if active else "Idle"
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><scan:ScannerStatus xmlns:scan="{SCAN_NS}" xmlns:pwg="{PWG_NS}">'
            f"<pwg:Version>2.63</pwg:Version><pwg:State>{state}</pwg:State><scan:AdfState>{adf}</scan:AdfState>"
            "</scan:ScannerStatus>"
        ).encode()

    def create_job(self, body: bytes) -> FakeJob | None:
        try:
            # Our own client's request in tests and demos; ElementTree expands no external entities.
            root = ET.fromstring(body)  # noqa: S314
        except ET.ParseError:
            return None
        ns = {"scan": SCAN_NS, "pwg": PWG_NS}

        def text(path: str, default: str) -> str:
            element = root.find(path, ns)
            return (element.text or default).strip() if element is not None else default

        job = FakeJob(
            id=str(uuid.uuid4()),
            input_source=text("pwg:InputSource", "Platen"),
            color_mode=text("scan:ColorMode", "RGB24"),
            dpi=int(text("scan:XResolution", "300")),
            # Clients name the format in either element (SANE's escl backend sends only the Ext one).
            fmt=text("scan:DocumentFormatExt", text("pwg:DocumentFormat", "image/jpeg")),
            # The region is in 1/300 inch; a generated page has the size asked for.
            width_mm=int(text("pwg:ScanRegions/pwg:ScanRegion/pwg:Width", "2480")) * 25.4 / 300,
            height_mm=int(text("pwg:ScanRegions/pwg:ScanRegion/pwg:Height", "3508")) * 25.4 / 300,
            settings_xml=body,
        )
        if job.fmt not in self.formats:
            return None
        with self._lock:
            self.state.jobs[job.id] = job
        return job

    def next_document(self, job_id: str) -> tuple[int, bytes, str]:
        """(HTTP status, body, content type) for NextDocument."""
        with self._lock:
            job = self.state.jobs.get(job_id)
            if job is None or job.deleted:
                return 404, b"", "text/plain"
            if self.state.busy_left > 0:
                self.state.busy_left -= 1
                return 503, b"", "text/plain"
            if self.jam_after is not None and self.state.pages_served >= self.jam_after:
                self.state.jammed = True
                job.done = True
                return 500, b"", "text/plain"
            if job.input_source == "Platen":
                if job.served:
                    return 404, b"", "text/plain"
                page = self.state.tray[0] if self.state.tray else None  # the sheet on the glass stays there
                job.done = True
            else:
                if not self.state.tray:
                    job.done = True
                    return 404, b"", "text/plain"
                page = self.state.tray.pop(0)
            number = self.state.next_number
            self.state.next_number += 1
            job.served += 1
            self.state.pages_served += 1
        return 200, *_encode(
            page if page is not None else make_page(number, job.dpi, job.width_mm, job.height_mm),
            job.color_mode,
            job.fmt,
        )

    def should_vanish(self) -> bool:
        with self._lock:
            if self.vanish_after is not None and self.state.pages_served >= self.vanish_after:
                self.state.vanished = True
            return self.state.vanished

    def delete_job(self, job_id: str) -> bool:
        with self._lock:
            job = self.state.jobs.get(job_id)
            if job is None:
                return False
            job.deleted = True
            return True

    def record(self, method: str, path: str) -> None:
        with self._lock:
            self.state.log.append((method, path))

    # -- lifetime --------------------------------------------------------------------------------
    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
            self._server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _encode(page: np.ndarray, color_mode: str, fmt: str) -> tuple[bytes, str]:
    image = page
    if color_mode in ("Grayscale8", "BlackAndWhite1") and image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if color_mode == "BlackAndWhite1":
        image = np.where(image >= 128, 255, 0).astype(np.uint8)
    if color_mode == "RGB24" and image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    extension, content_type = (".png", "image/png") if fmt == "image/png" else (".jpg", "image/jpeg")
    ok, data = cv2.imencode(extension, image)
    assert ok, "OpenCV could not encode a page"
    return data.tobytes(), content_type


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeESCL/1.0"
    protocol_version = "HTTP/1.0"

    @property
    def fake(self) -> FakeEsclServer:
        return self.server.fake  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: tests read fake.log instead

    def _reset(self) -> None:
        # SO_LINGER 0: close() sends RST, like a scanner switched off mid-transfer.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True

    def _reply(
        self, status: int, body: bytes = b"", content_type: str = "text/xml", headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _route(self, method: str) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        self.fake.record(method, path)
        if self.fake.should_vanish():
            self._reset()
            return
        parts = path.split("/")  # ["", "eSCL", "ScanJobs", id, "NextDocument"]
        if method == "GET" and path == "/eSCL/ScannerCapabilities":
            self._reply(200, self.fake.caps_xml)
        elif method == "GET" and path == "/eSCL/ScannerStatus":
            self._reply(200, self.fake.status_xml())
        elif method == "POST" and path == "/eSCL/ScanJobs":
            length = int(self.headers.get("Content-Length") or 0)
            job = self.fake.create_job(self.rfile.read(length))
            if job is None:
                self._reply(409)  # what scanners answer to settings they cannot honour
            else:
                self._reply(201, headers={"Location": f"http://127.0.0.1:{self.fake.port}/eSCL/ScanJobs/{job.id}"})
        elif method == "GET" and len(parts) == 5 and parts[2] == "ScanJobs" and parts[4] == "NextDocument":
            status, body, content_type = self.fake.next_document(parts[3])
            self._reply(status, body, content_type)
        elif method == "DELETE" and len(parts) == 4 and parts[2] == "ScanJobs":
            self._reply(200 if self.fake.delete_job(parts[3]) else 404)
        else:
            self._reply(404)

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_DELETE(self) -> None:
        self._route("DELETE")
