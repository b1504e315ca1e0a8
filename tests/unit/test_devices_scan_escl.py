"""The eSCL client against the fake eSCL scanner: capabilities, feeder and flatbed jobs, busy, vanish, jam."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import closing

import numpy as np
import pytest

from app.devices.scanners import ScannerError, ScanSettings, open_source
from app.devices.scanners.escl import EsclSource, base_url_from_txt, discover_escl
from app.devices.scanners.escl_fake import FakeEsclServer
from app.devices.scanners.escl_xml import parse_capabilities, parse_status
from app.imaging.types import RawPage

LEVELS = (20, 70, 120, 170, 220)


def _solid_pages(levels: tuple[int, ...] = LEVELS) -> list[np.ndarray]:
    return [np.full((60, 40, 3), level, np.uint8) for level in levels]


@pytest.fixture
def client() -> Iterator[tuple[FakeEsclServer, EsclSource]]:
    with FakeEsclServer(_solid_pages(), duplex=True) as fake, EsclSource(fake.url, retry_delay=0) as source:
        yield fake, source


def _next_document_calls(fake: FakeEsclServer) -> int:
    return sum(1 for method, path in fake.log if method == "GET" and path.endswith("/NextDocument"))


def test_capabilities_are_parsed_from_the_real_schema(client: tuple[FakeEsclServer, EsclSource]) -> None:
    fake, source = client
    caps = source.capabilities()
    assert caps.make_and_model == "Máy quét giả eSCL"
    assert caps.version == "2.63"
    assert caps.platen is not None
    assert caps.adf_simplex is not None
    assert caps.adf_duplex is not None
    assert caps.platen.resolutions == (75, 150, 200, 300, 600)
    assert caps.platen.color_modes == ("RGB24", "Grayscale8", "BlackAndWhite1")
    assert "image/jpeg" in caps.platen.formats
    assert (caps.platen.max_width, caps.platen.max_height) == (2550, 3508)
    info = source.info()
    assert info.uri == f"escl:{fake.url}"
    assert info.name == "Máy quét giả eSCL"
    assert info.sources == ("flatbed", "feeder")
    assert info.duplex is True
    assert info.modes == ("color", "gray", "bw")
    assert 300 in info.resolutions
    assert parse_status(fake.status_xml()) == ("Idle", "ScannerAdfLoaded")


def test_a_feeder_job_yields_every_page_in_order_then_deletes_the_job(
    client: tuple[FakeEsclServer, EsclSource],
) -> None:
    fake, source = client
    pages = list(source.scan(ScanSettings(resolution=200, mode="gray", source="feeder")))
    assert [p.index for p in pages] == [0, 1, 2, 3, 4]
    assert all(p.kind == "feeder" and p.dpi == 200.0 for p in pages)
    assert all(p.image.ndim == 2 for p in pages)  # Grayscale8 arrives as H×W
    means = [float(p.image.mean()) for p in pages]
    assert means == pytest.approx(list(LEVELS), abs=3)  # the sheets in the tray's order
    job = fake.jobs[0]
    assert (job.input_source, job.color_mode, job.dpi, job.fmt) == ("Feeder", "Grayscale8", 200, "image/jpeg")
    assert b"<scan:Duplex>false</scan:Duplex>" in job.settings_xml
    assert b"<pwg:Width>2480</pwg:Width>" in job.settings_xml
    assert b"<pwg:Height>3508</pwg:Height>" in job.settings_xml
    assert job.deleted
    assert fake.log[-1][0] == "DELETE"


def test_a_flatbed_job_gives_one_page_and_asks_once(client: tuple[FakeEsclServer, EsclSource]) -> None:
    fake, source = client
    pages = list(source.scan(ScanSettings(resolution=250, mode="color")))
    assert len(pages) == 1
    page = pages[0]
    assert page.kind == "flatbed"
    assert page.index == 0
    assert page.image.shape == (60, 40, 3)
    assert page.dpi == 300.0  # 250 is not offered: the nearest resolution the scanner has
    assert fake.jobs[0].input_source == "Platen"
    assert _next_document_calls(fake) == 1


def test_generated_pages_have_the_size_asked_for() -> None:
    with FakeEsclServer(pages=1) as fake, EsclSource(fake.url) as source:
        (page,) = source.scan(ScanSettings(resolution=150, mode="gray", page_mm=(148, 210)))
    assert page.image.shape == (1240, 874)  # A5 at 150 dpi
    assert page.image.min() < 50 < 200 < page.image.max()  # text on white, not a blank frame


def test_busy_answers_are_retried_then_the_page_comes() -> None:
    with FakeEsclServer(_solid_pages((90,)), busy_first=3) as fake, EsclSource(fake.url, retry_delay=0) as source:
        pages = list(source.scan(ScanSettings(source="feeder")))
        assert len(pages) == 1
        assert _next_document_calls(fake) == 5  # 3 × 503, the page, then 404 for "no more"


def test_a_scanner_busy_for_too_long_is_a_timeout_error() -> None:
    with (
        FakeEsclServer(_solid_pages((90,)), busy_first=100) as fake,
        EsclSource(fake.url, retry_delay=0, max_busy_retries=4) as source,
        pytest.raises(ScannerError) as caught,
    ):
        list(source.scan(ScanSettings(source="feeder")))
    assert caught.value.code == "timeout"
    assert "chờ quá lâu" in caught.value.message
    assert _next_document_calls(fake) == 5


def _save_each(source: EsclSource, settings: ScanSettings, kept: list[RawPage]) -> None:
    """What the caller does: keep every page as it arrives, before asking for the next."""
    for page in source.scan(settings):
        kept.append(page)


def test_a_scanner_that_vanishes_mid_job_keeps_the_pages_already_yielded() -> None:
    kept: list[RawPage] = []
    with (
        FakeEsclServer(_solid_pages(), vanish_after=2) as fake,
        EsclSource(fake.url, retry_delay=0) as source,
        pytest.raises(ScannerError) as caught,
    ):
        _save_each(source, ScanSettings(source="feeder"), kept)
    assert [p.index for p in kept] == [0, 1]
    assert caught.value.code == "disconnected"
    assert caught.value.message == "Máy quét 127.0.0.1 không còn kết nối qua mạng."
    assert "quét lại từ trang bị thiếu" in caught.value.for_people()


def test_a_jam_is_reported_from_the_scanner_status() -> None:
    kept: list[RawPage] = []
    with FakeEsclServer(_solid_pages(), jam_after=3) as fake, EsclSource(fake.url) as source:
        with pytest.raises(ScannerError) as caught:
            _save_each(source, ScanSettings(source="feeder"), kept)
        assert ("GET", "/eSCL/ScannerStatus") in fake.log
    assert [p.index for p in kept] == [0, 1, 2]
    assert caught.value.code == "jammed"
    assert caught.value.message == "Giấy bị kẹt trong khay nạp."


def test_an_empty_feeder_is_an_error_and_loading_it_again_works() -> None:
    with FakeEsclServer(pages=0) as fake, EsclSource(fake.url) as source:
        with pytest.raises(ScannerError) as caught:
            list(source.scan(ScanSettings(source="feeder", resolution=75)))
        assert caught.value.code == "no_docs"
        assert "Đặt giấy vào khay" in caught.value.hint
        fake.load(2)
        assert len(list(source.scan(ScanSettings(source="feeder", resolution=75)))) == 2


def test_a_feeder_is_refused_on_a_flatbed_only_scanner() -> None:
    with FakeEsclServer(pages=1, adf=False) as fake, EsclSource(fake.url) as source:
        assert source.info().sources == ("flatbed",)
        with pytest.raises(ScannerError, match="không có khay nạp giấy") as caught:
            list(source.scan(ScanSettings(source="feeder")))
        assert caught.value.code == "unsupported"
        assert fake.jobs == []


def test_an_unreachable_scanner_and_a_bad_address_are_clear_errors() -> None:
    with FakeEsclServer(pages=0) as fake:
        url = fake.url  # a port that was just free; nothing listens once the fake is closed
    with EsclSource(url, timeout=2) as source, pytest.raises(ScannerError) as caught:
        source.info()
    assert caught.value.code == "disconnected"
    with pytest.raises(ScannerError) as bad:
        open_source("escl:ftp://scanner/eSCL")
    assert bad.value.code == "bad_uri"
    assert "escl:http://" in bad.value.hint
    with closing(open_source("escl:http://192.0.2.1:8080/eSCL/")) as source_by_uri:
        assert isinstance(source_by_uri, EsclSource)
        assert source_by_uri.base_url == "http://192.0.2.1:8080/eSCL"


def test_base_url_comes_from_the_txt_record() -> None:
    assert base_url_from_txt("_uscan._tcp.local.", "10.0.0.5", 80, {b"rs": b"eSCL"}) == "http://10.0.0.5:80/eSCL"
    assert base_url_from_txt("_uscan._tcp.local.", "10.0.0.5", 8080, {}) == "http://10.0.0.5:8080/eSCL"
    assert base_url_from_txt("_uscans._tcp.local.", "10.0.0.5", 443, {b"rs": b"/scan/"}) == "https://10.0.0.5:443/scan"
    assert base_url_from_txt("_uscan._tcp.local.", "10.0.0.5", 80, {b"rs": b""}) == "http://10.0.0.5:80"


def test_capabilities_with_a_resolution_range_offer_the_usual_values() -> None:
    xml = b"""<scan:ScannerCapabilities xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03"
      xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm"><pwg:Version>2.0</pwg:Version>
      <scan:Platen><scan:PlatenInputCaps><scan:MaxWidth>2550</scan:MaxWidth><scan:MaxHeight>3300</scan:MaxHeight>
      <scan:SettingProfiles><scan:SettingProfile><scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode></scan:ColorModes>
      <scan:SupportedResolutions><scan:ResolutionRange><scan:XResolutionRange><scan:Min>100</scan:Min>
      <scan:Max>400</scan:Max><scan:Step>50</scan:Step></scan:XResolutionRange></scan:ResolutionRange>
      </scan:SupportedResolutions></scan:SettingProfile></scan:SettingProfiles></scan:PlatenInputCaps></scan:Platen>
      </scan:ScannerCapabilities>"""
    caps = parse_capabilities(xml)
    assert caps.adf_simplex is None
    assert caps.platen is not None
    assert caps.platen.resolutions == (100, 150, 200, 300, 400)
    assert caps.platen.nearest_resolution(600) == 400


def test_a_scanner_announced_by_mdns_is_found_once_with_its_txt_details() -> None:
    # Real multicast on this machine, as tests/e2e/test_mdns.py does for the centre service.
    zeroconf = pytest.importorskip("zeroconf")
    zc = zeroconf.Zeroconf(ip_version=zeroconf.IPVersion.V4Only)
    txt = {"rs": "eSCL", "ty": "Máy quét thử", "is": "platen,adf", "duplex": "T", "UUID": "7d1c2b9e-test"}
    infos = [
        zeroconf.ServiceInfo(
            service_type,
            f"Máy quét thử.{service_type}",
            addresses=[socket.inet_aton("127.0.0.1")],
            port=port,
            properties=txt,
            server="may-quet-thu.local.",
        )
        for service_type, port in (("_uscan._tcp.local.", 18080), ("_uscans._tcp.local.", 18443))
    ]
    try:
        for info in infos:
            zc.register_service(info, cooperating_responders=True)  # skips the 1.6 s name-conflict probing
        found = [s for s in discover_escl(timeout=2.0) if s.name == "Máy quét thử"]
    finally:
        zc.unregister_all_services()
        zc.close()
    assert len(found) == 1  # announced over HTTP and HTTPS, listed once
    assert found[0].uri == "escl:http://127.0.0.1:18080/eSCL"
    assert found[0].sources == ("flatbed", "feeder")
    assert found[0].duplex is True
