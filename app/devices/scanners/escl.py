"""Driverless network scanners over eSCL (Apple AirScan / Mopria), with requests.

The protocol, as NAPS2's client speaks it: GET {base}/ScannerCapabilities, POST {base}/ScanJobs
(201 + Location), GET {job}/NextDocument until 404 (503: not ready yet, ask again), DELETE {job}.
Found on the LAN by mDNS `_uscan._tcp` (`_uscans._tcp` for HTTPS); the TXT key `rs` is the path.
"""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests

from app.devices.scanners.base import ClosingSource, ScannerError, ScanSettings, SourceInfo, decode_image
from app.devices.scanners.escl_xml import (
    EsclCaps,
    InputCaps,
    parse_capabilities,
    parse_status,
    scan_settings_xml,
)
from app.imaging.types import RawPage, SourceKind

SERVICE_TYPES = ("_uscan._tcp.local.", "_uscans._tcp.local.")
MODE_TO_ESCL = {"color": "RGB24", "gray": "Grayscale8", "bw": "BlackAndWhite1"}
CONNECT_TIMEOUT = 3.0
DISCONNECTED_HINT = "Kiểm tra máy quét còn bật, cáp mạng/Wi-Fi còn nối, rồi quét lại từ trang bị thiếu."


@dataclass(frozen=True)
class _Job:
    url: str
    kind: SourceKind
    dpi: float
    mode: str


class EsclSource(ClosingSource):
    """One eSCL scanner at `base_url` ("http://HOST:PORT/eSCL")."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        page_timeout: float = 90.0,  # a page at 600 dpi can take a minute before NextDocument answers
        retry_delay: float = 0.5,
        max_busy_retries: int = 40,
        verify: bool = True,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ScannerError(
                f"Địa chỉ máy quét mạng {base_url!r} không hợp lệ.",
                "Dạng đúng: escl:http://ĐỊA_CHỈ:CỔNG/eSCL.",
                "bad_uri",
            )
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.page_timeout = page_timeout
        self.retry_delay = retry_delay
        self.max_busy_retries = max_busy_retries
        self._session = requests.Session()
        self._session.verify = verify
        self._caps: EsclCaps | None = None
        self._host = parts.hostname or base_url

    # -- HTTP plumbing ---------------------------------------------------------------------------
    def _request(self, method: str, url: str, *, read_timeout: float | None = None, data: bytes | None = None
                 ) -> requests.Response:  # fmt: skip
        headers = {"Content-Type": "text/xml; charset=utf-8"} if data is not None else None
        try:
            return self._session.request(
                method, url, data=data, headers=headers, timeout=(CONNECT_TIMEOUT, read_timeout or self.timeout)
            )
        except requests.Timeout as exc:
            raise ScannerError(
                f"Máy quét {self._host} không trả lời kịp.",
                "Kiểm tra máy quét có đang báo lỗi trên màn hình không.",
                "timeout",
            ) from exc
        except requests.RequestException as exc:
            raise ScannerError(
                f"Máy quét {self._host} không còn kết nối qua mạng.", DISCONNECTED_HINT, "disconnected"
            ) from exc

    def capabilities(self) -> EsclCaps:
        if self._caps is None:
            response = self._request("GET", f"{self.base_url}/ScannerCapabilities")
            if response.status_code != 200:
                raise ScannerError(
                    f"Máy quét {self._host} không cho biết khả năng quét (HTTP {response.status_code}).",
                    "Kiểm tra địa chỉ, đường dẫn thường là /eSCL.",
                    "unsupported",
                )
            try:
                self._caps = parse_capabilities(response.content)
            except ET.ParseError as exc:
                raise ScannerError(f"Máy quét {self._host} trả về dữ liệu không đọc được.", "", "unsupported") from exc
        return self._caps

    def _status_error(self, fallback: ScannerError) -> ScannerError:
        """Why the job stopped, from ScannerStatus (jam, empty feeder, open hatch); `fallback` if it does not say."""
        try:
            response = self._request("GET", f"{self.base_url}/ScannerStatus")
            adf_state = parse_status(response.content)[1] if response.status_code == 200 else ""
        except (ScannerError, ET.ParseError):
            return fallback
        if "Jam" in adf_state or "Mispick" in adf_state or "MultipickDetected" in adf_state:
            return ScannerError("Giấy bị kẹt trong khay nạp.", "Lấy tờ giấy bị kẹt ra rồi quét lại từ tờ đó.", "jammed")
        if "HatchOpen" in adf_state:
            return ScannerError("Nắp khay nạp giấy đang mở.", "Đóng nắp rồi quét lại.", "cover_open")
        if "Empty" in adf_state:
            return ScannerError("Khay nạp giấy không có tờ nào.", "Đặt giấy vào khay nạp rồi quét lại.", "no_docs")
        return fallback

    # -- the interface ---------------------------------------------------------------------------
    def info(self) -> SourceInfo:
        caps = self.capabilities()
        inputs = [c for c in (caps.platen, caps.adf_simplex, caps.adf_duplex) if c is not None]
        resolutions = sorted({r for c in inputs for r in c.resolutions})
        escl_modes = {m for c in inputs for m in c.color_modes}
        modes = tuple(m for m, e in MODE_TO_ESCL.items() if e in escl_modes)
        sources: tuple[SourceKind, ...] = (
            *(("flatbed",) if caps.platen else ()),
            *(("feeder",) if caps.adf_simplex or caps.adf_duplex else ()),
        )
        return SourceInfo(
            f"escl:{self.base_url}",
            caps.make_and_model or self._host,
            "flatbed" if caps.platen else "feeder",
            tuple(resolutions),
            modes,  # type: ignore[arg-type]
            sources,
            caps.adf_duplex is not None,
        )

    def _input(self, settings: ScanSettings) -> tuple[InputCaps, str, SourceKind, bool]:
        caps = self.capabilities()
        if settings.source == "feeder" or settings.duplex:
            duplex = settings.duplex and caps.adf_duplex is not None
            chosen = caps.adf_duplex if duplex else caps.adf_simplex or caps.adf_duplex
            if chosen is None:
                raise ScannerError(
                    "Máy quét này không có khay nạp giấy tự động.", "Chọn quét trên mặt kính.", "unsupported"
                )
            return chosen, "Feeder", "feeder", duplex
        if caps.platen is None:
            raise ScannerError("Máy quét này không có mặt kính.", "Chọn quét bằng khay nạp giấy.", "unsupported")
        return caps.platen, "Platen", "flatbed", False

    def _start(self, settings: ScanSettings) -> _Job:
        chosen, input_source, kind, duplex = self._input(settings)
        dpi = chosen.nearest_resolution(settings.resolution)
        mode = MODE_TO_ESCL[settings.mode]
        if mode not in chosen.color_modes and chosen.color_modes:
            mode = "Grayscale8" if "Grayscale8" in chosen.color_modes else chosen.color_modes[0]
        body = scan_settings_xml(chosen, input_source, mode, dpi, settings.page_mm, duplex)
        for _ in range(self.max_busy_retries + 1):
            response = self._request("POST", f"{self.base_url}/ScanJobs", data=body)
            if response.status_code == 201 and response.headers.get("Location"):
                job_url = urljoin(f"{self.base_url}/", response.headers["Location"]).rstrip("/")
                return _Job(job_url, kind, float(dpi), mode)
            if response.status_code != 503:
                break
            time.sleep(self.retry_delay)  # busy with someone else's job: ask again shortly
        fallback = ScannerError(
            f"Máy quét {self._host} không nhận lệnh quét (HTTP {response.status_code}).",
            "Kiểm tra màn hình máy quét có báo lỗi không rồi thử lại.",
            "busy" if response.status_code in (409, 503) else "error",
        )
        raise self._status_error(fallback) if kind == "feeder" else fallback

    def scan(self, settings: ScanSettings) -> Iterator[RawPage]:
        job = self._start(settings)
        index = 0
        busy = 0
        try:
            while settings.max_pages is None or index < settings.max_pages:
                response = self._request("GET", f"{job.url}/NextDocument", read_timeout=self.page_timeout)
                if response.status_code == 503:
                    busy += 1
                    if busy > self.max_busy_retries:
                        raise ScannerError(
                            f"Máy quét {self._host} chờ quá lâu mà chưa trả trang.",
                            "Kiểm tra máy quét rồi quét lại.",
                            "timeout",
                        )
                    time.sleep(self.retry_delay)  # the page is still being scanned
                    continue
                busy = 0
                if response.status_code == 404 and index > 0:
                    return  # no more pages: the feeder is empty (or the flatbed's one page was taken)
                if response.status_code != 200:
                    fallback = ScannerError(
                        f"Máy quét {self._host} dừng lượt quét (HTTP {response.status_code}).",
                        "Kiểm tra giấy và màn hình máy quét rồi quét lại.",
                        "no_docs" if response.status_code == 404 and job.kind == "feeder" else "error",
                    )
                    raise self._status_error(fallback)
                image = decode_image(response.content)
                if image is None:
                    raise ScannerError(
                        f"Không đọc được ảnh trang {index + 1} từ máy quét {self._host}.",
                        f"Định dạng nhận được: {response.headers.get('Content-Type', '?')}.",
                        "unsupported",
                    )
                meta = {"device": f"escl:{self.base_url}", "mode": job.mode}
                yield RawPage(image, job.dpi, job.kind, index, meta)
                index += 1
                if job.kind == "flatbed":
                    return  # a platen job is one page; some scanners never answer a second NextDocument
        finally:
            self._delete(job.url)

    def _delete(self, job_url: str) -> None:
        try:
            self._session.delete(job_url, timeout=(CONNECT_TIMEOUT, 3.0))
        except requests.RequestException:
            return  # best effort: a vanished scanner forgets its jobs anyway

    def close(self) -> None:
        self._session.close()


# -- discovery -----------------------------------------------------------------------------------
def base_url_from_txt(service_type: str, address: str, port: int, properties: dict[bytes, bytes | None]) -> str:
    """The eSCL base URL an mDNS answer describes; the TXT key `rs` is the path (default "eSCL")."""
    scheme = "https" if service_type.startswith("_uscans.") else "http"
    raw = properties.get(b"rs")
    path = (raw.decode("utf-8", "replace") if raw is not None else "eSCL").strip("/")
    host = f"[{address}]" if ":" in address else address
    return f"{scheme}://{host}:{port}" + (f"/{path}" if path else "")


def discover_escl(timeout: float = 2.0) -> list[SourceInfo]:
    """eSCL scanners announcing themselves within `timeout` seconds; one entry per scanner (HTTP preferred)."""
    from zeroconf import IPVersion, ServiceBrowser, ServiceListener, Zeroconf

    found: dict[str, tuple[str, SourceInfo]] = {}
    lock = threading.Lock()

    class _Collector(ServiceListener):
        def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            info = zc.get_service_info(type_, name, timeout=int(max(timeout, 0.5) * 1000))
            if info is None or not info.parsed_addresses() or info.port is None:
                return
            props = info.properties
            url = base_url_from_txt(type_, info.parsed_addresses()[0], info.port, props)
            title = (props.get(b"ty") or name.split(".")[0].encode()).decode("utf-8", "replace")
            sources_txt = (props.get(b"is") or b"").decode("ascii", "replace").lower()
            sources: tuple[SourceKind, ...] = (
                *(("flatbed",) if "platen" in sources_txt or not sources_txt else ()),
                *(("feeder",) if "adf" in sources_txt or "feeder" in sources_txt else ()),
            )
            duplex = (props.get(b"duplex") or b"F").upper().startswith(b"T")
            key = (props.get(b"UUID") or props.get(b"uuid") or name.split(".")[0].encode()).decode("ascii", "replace")
            entry = SourceInfo(f"escl:{url}", title, sources[0] if sources else "flatbed", (), (), sources, duplex)
            with lock:
                # A scanner announced over both HTTP and HTTPS is listed once, as HTTP: its certificate is self-signed.
                if key not in found or type_.startswith("_uscan."):
                    found[key] = (type_, entry)

        def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            pass

        def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            pass

    zc = Zeroconf(ip_version=IPVersion.V4Only)
    try:
        browser = ServiceBrowser(zc, list(SERVICE_TYPES), _Collector())
        threading.Event().wait(timeout)  # announcements arrive during the whole window; there is no "all found"
        browser.cancel()
    finally:
        zc.close()
    with lock:
        return [entry for _, entry in found.values()]
