"""The counter's signing step on a real dossier store: a SoftHSM2 token, pdfsig, and the provincial simulator
over HTTP receiving the signed file and its flag."""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.core.clock import ManualClock
from app.core.dossier import Citizen, Component, ComponentFile, Dossier, Statutory
from app.core.national_record import national_record
from app.signing.demo_token import TEST_PIN, DemoToken, create_test_token
from app.signing.errors import TokenGoneError, WrongPinError
from app.signing.keys import Pkcs11Key
from app.signing.sign import SignedFile
from app.store.dossier_store import DossierStore
from app.sync.gateway import ProvincialSink
from app.sync.gateway_config import config_for_url
from app.sync.simulator import Simulator
from app.sync.simulator_store import ProvinceStore
from app.sync.sink import Delivered
from counter.scan.digitise import files_folder
from counter.scan.signing import SigningSetup, sign_components
from tests.support.signing_peers import assert_pdfsig_valid, needs_peers, sample_pdf

pytestmark = needs_peers
CODE = "H48.22-260316-0007"
AT = datetime(2026, 3, 16, 2, 30, tzinfo=UTC)


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DemoToken:
    made = create_test_token(tmp_path / "token")
    monkeypatch.setenv("SOFTHSM2_CONF", str(made.softhsm2_conf))
    return made


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DossierStore]:
    s = DossierStore(tmp_path / "counter", ManualClock(AT))
    yield s
    s.close()


def digitised(store: DossierStore) -> Dossier:
    """A dossier whose components 1 and 3 were digitised here (2 was not)."""
    folder = files_folder(store.folder, CODE)
    folder.mkdir(parents=True)
    files = []
    for n in (1, 3):
        path = sample_pdf(folder / f"0{n}-thanh-phan.pdf", pages=n)
        files.append(ComponentFile(str(path), hashlib.sha256(path.read_bytes()).hexdigest(), n))
    d = Dossier(
        code=CODE, procedure_code="2.000815", procedure_name="Chứng thực bản sao từ bản chính", field_code="CT",
        citizen=Citizen("001086012345", "Nguyễn Văn An", date(1986, 3, 5)),
        components=(Component("Giấy khai sinh", files=(files[0],)), Component("Tờ khai"),
                    Component("Bằng tốt nghiệp", files=(files[1],))),
        received_at=AT, due_at=AT + timedelta(days=1), statutory=Statutory(1, "working_days"), clerk="lan",
        counter=1, revision=1,
    )  # fmt: skip
    return store.adopt(d)


def setup_for(token: DemoToken) -> SigningSetup:
    return SigningSetup(Pkcs11Key(token.pkcs11), commune="Đông Hưng")


def test_signing_all_replaces_files_records_the_flag_and_the_province_gets_both(
    token: DemoToken, store: DossierStore, tmp_path: Path
) -> None:
    before = digitised(store)
    old_paths = [Path(c.files[0].path) for c in before.components if c.files]
    outcome = sign_components(store, CODE, setup_for(token), TEST_PIN, "lan", certified={2})
    assert outcome.signed == 2
    d = store.get(CODE)
    assert d.revision == before.revision + 2  # one recorded change per signed component: the outbox sends each
    first, third = d.components[0].files[0], d.components[2].files[0]
    assert "TEST" in first.signed_by
    assert (first.certified_copy, third.certified_copy) == (False, True)
    assert d.components[1].files == ()
    for f in (first, third):
        path = Path(f.path)
        assert path.name.endswith("-ky-so.pdf")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == f.sha256
        assert_pdfsig_valid(path)
    assert not [p for p in old_paths if p.exists()]  # the unsigned files are gone: nothing else used them
    assert [s.content for s in d.steps[-2:]] == [
        "Ký số thành phần hồ sơ",
        "Ký số bản sao điện tử chứng thực từ bản chính",
    ]
    docs = national_record(d, unit_code="H48.22")["TaiLieuNop"]
    assert [(x["DaKySo"], x["BanSaoChungThuc"]) for x in docs] == [(1, 0), (1, 1)]

    province = ProvinceStore(tmp_path / "province")
    server = Simulator(("127.0.0.1", 0), province)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sink = ProvincialSink(config_for_url(f"http://127.0.0.1:{server.server_address[1]}", "H48.22"))
    try:
        sink.send(d, {f.sha256: Path(f.path) for f in (first, third)}, Delivered())
        assert province.signed_files(CODE) == {first.sha256: first.signed_by, third.sha256: third.signed_by}
        summary = next(x for x in province.summary() if x["MaHoSo"] == CODE)
        assert sorted(summary["files"]) == sorted([first.sha256, third.sha256])
        assert summary["signed"][third.sha256] == third.signed_by
        assert_pdfsig_valid(province.files_dir / third.sha256)  # the province holds the signed bytes
    finally:
        sink.close()
        server.shutdown()
        server.server_close()
        thread.join()
        province.close()


def test_a_token_pulled_mid_batch_keeps_the_first_signed_and_the_second_as_it_was(
    token: DemoToken, store: DossierStore
) -> None:
    before = digitised(store)
    second = before.components[2].files[0]
    second_bytes = Path(second.path).read_bytes()

    def pull(_done: SignedFile) -> None:
        shutil.rmtree(token.softhsm2_conf.parent / "tokens")

    with pytest.raises(TokenGoneError, match=r"đã bị rút ra.*Đã ký xong 1/2 thành phần"):
        sign_components(store, CODE, setup_for(token), TEST_PIN, "lan", on_signed=pull)
    d = store.get(CODE)
    assert d.components[0].files[0].signed
    assert_pdfsig_valid(Path(d.components[0].files[0].path))
    assert d.components[2].files[0] == second  # same path, same hash, unsigned
    assert Path(second.path).read_bytes() == second_bytes
    assert not Path(second.path).with_name("03-thanh-phan-ky-so.pdf").exists()


def test_a_wrong_pin_changes_nothing(token: DemoToken, store: DossierStore) -> None:
    before = digitised(store)
    with pytest.raises(WrongPinError, match="Mã PIN"):
        sign_components(store, CODE, setup_for(token), "000000", "lan")
    assert store.get(CODE) == before
    assert sorted(p.name for p in files_folder(store.folder, CODE).iterdir()) == [
        "01-thanh-phan.pdf",
        "03-thanh-phan.pdf",
    ]
