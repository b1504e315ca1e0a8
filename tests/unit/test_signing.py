"""PAdES signing against real peers: a SoftHSM2 token, a PKCS#12 file, poppler's pdfsig and our own verifier."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from app.signing.demo_token import TEST_PIN, DemoToken, create_test_token
from app.signing.errors import SigningError, TokenGoneError, WrongPinError
from app.signing.keys import PfxKey, Pkcs11Key
from app.signing.sign import SignedFile, SignOptions, sign_files
from app.signing.verify import Verdict, load_trust, overall, verify_file
from tests.support.signing_peers import assert_pdfsig_valid, flip_signed_byte, needs_peers, pdfsig, sample_pdf

pytestmark = needs_peers
OFFLINE = SignOptions(commune="Đông Hưng", fetch_revocation=False)


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DemoToken:
    made = create_test_token(tmp_path / "token")
    monkeypatch.setenv("SOFTHSM2_CONF", str(made.softhsm2_conf))
    return made


def test_token_signature_is_pades_and_valid_for_pdfsig_and_verify(token: DemoToken, tmp_path: Path) -> None:
    src, out = sample_pdf(tmp_path / "a.pdf"), tmp_path / "signed.pdf"
    result = sign_files([(src, out)], Pkcs11Key(token.pkcs11), TEST_PIN, OFFLINE)
    assert [d.path for d in result.done] == [out]
    assert "TEST" in result.done[0].signer
    assert result.done[0].ltv  # the token carries its CA: the chain is embedded in a DSS
    output = assert_pdfsig_valid(out)
    assert "UBND xã Đông Hưng TEST" in output
    with pikepdf.open(out) as pdf:
        sig = pdf.Root.AcroForm.Fields[0].V
        assert sig.SubFilter == "/ETSI.CAdES.detached"
        assert "/DSS" in pdf.Root
    trusted = verify_file(out, [token.ca])
    assert overall(trusted) is Verdict.VALID
    assert trusted[0].intact
    assert trusted[0].unchanged
    assert trusted[0].trusted
    assert overall(verify_file(out, [])) is Verdict.UNTRUSTED  # no trust list: intact but not trusted


def test_pfx_certified_copy_with_stamp_on_the_last_page(token: DemoToken, tmp_path: Path) -> None:
    src, out = sample_pdf(tmp_path / "a.pdf", pages=3), tmp_path / "copy.pdf"
    options = SignOptions(commune="phường Ba Đình", stamp_page=-1, certified_copy=True, fetch_revocation=False)
    sign_files([(src, out)], PfxKey(token.pfx), TEST_PIN, options)
    assert_pdfsig_valid(out)
    with pikepdf.open(out) as pdf:
        widgets = [[a for a in p.get("/Annots", []) if a.get("/FT") == "/Sig"] for p in pdf.pages]
        assert [len(w) for w in widgets] == [0, 0, 1]
        assert "chứng thực từ bản chính" in str(pdf.Root.AcroForm.Fields[0].V.Reason)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "NotoSans" in fonts  # the bundled font, embedded: Vietnamese reads the same on any machine
    text = subprocess.run(["pdftotext", "-l", "3", str(out), "-"], capture_output=True, text=True).stdout
    assert "BẢN SAO ĐIỆN TỬ CHỨNG THỰC TỪ BẢN CHÍNH" in text
    assert "UBND phường Ba Đình" in text


def test_a_byte_changed_after_signing_is_invalid_for_both_verifiers(token: DemoToken, tmp_path: Path) -> None:
    out = tmp_path / "signed.pdf"
    sign_files([(sample_pdf(tmp_path / "a.pdf"), out)], Pkcs11Key(token.pkcs11), TEST_PIN, OFFLINE)
    assert_pdfsig_valid(out)
    flip_signed_byte(out)
    verdicts, output = pdfsig(out)
    assert len(verdicts) == 1, output
    assert verdicts[0] != "Signature is Valid.", output
    reports = verify_file(out, [token.ca])
    assert overall(reports) is Verdict.INVALID
    assert not reports[0].intact


def test_wrong_pin_gives_a_vietnamese_error_and_no_file(token: DemoToken, tmp_path: Path) -> None:
    src, out = sample_pdf(tmp_path / "a.pdf"), tmp_path / "signed.pdf"
    with pytest.raises(WrongPinError, match="Mã PIN của thiết bị ký số không đúng"):
        sign_files([(src, out)], Pkcs11Key(token.pkcs11), "000000", OFFLINE)
    with pytest.raises(WrongPinError, match="sai mật khẩu"):
        sign_files([(src, out)], PfxKey(token.pfx), "000000", OFFLINE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "token"]


def test_token_pulled_mid_batch_leaves_signed_files_whole_and_the_rest_untouched(
    token: DemoToken, tmp_path: Path
) -> None:
    files = [sample_pdf(tmp_path / f"c{i}.pdf") for i in range(3)]
    before = [f.read_bytes() for f in files]

    def pull_token(done: SignedFile) -> None:  # the clerk pulls the USB token after the first file
        shutil.rmtree(token.softhsm2_conf.parent / "tokens")

    with pytest.raises(TokenGoneError, match=r"đã bị rút ra.*Đã ký xong 1/3 tệp") as caught:
        sign_files([(f, f) for f in files], Pkcs11Key(token.pkcs11), TEST_PIN, OFFLINE, on_signed=pull_token)
    assert "USB token" in str(caught.value)
    assert_pdfsig_valid(files[0])  # signed in place, whole
    assert [f.read_bytes() for f in files[1:]] == before[1:]  # the one being signed and the rest: untouched
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp" or p.name.startswith(".")]


def test_token_missing_from_the_start(token: DemoToken, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "elsewhere"
    (empty / "tokens").mkdir(parents=True)
    conf = empty / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {empty / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    out = tmp_path / "signed.pdf"
    with pytest.raises(TokenGoneError, match="Không thấy thiết bị ký số"):
        sign_files([(sample_pdf(tmp_path / "a.pdf"), out)], Pkcs11Key(token.pkcs11), TEST_PIN, OFFLINE)
    assert not out.exists()


def test_a_missing_module_and_a_page_out_of_range(token: DemoToken, tmp_path: Path) -> None:
    src = sample_pdf(tmp_path / "a.pdf")
    with pytest.raises(SigningError, match="Không tìm thấy thư viện PKCS#11"):
        sign_files([(src, tmp_path / "x.pdf")], Pkcs11Key(str(tmp_path / "nope.so")), TEST_PIN, OFFLINE)
    with pytest.raises(SigningError, match="Tệp chỉ có 2 trang"):
        sign_files([(src, tmp_path / "x.pdf")], PfxKey(token.pfx), TEST_PIN, SignOptions(stamp_page=5))
    assert not (tmp_path / "x.pdf").exists()


def test_load_trust_reads_pem_files_and_folders(token: DemoToken, tmp_path: Path) -> None:
    assert len(load_trust([token.ca])) == 1
    assert len(load_trust([token.ca.parent])) == 1  # the folder: only certificate files count
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(SigningError, match="không phải chứng thư số"):
        load_trust([bad])


@pytest.mark.parametrize(("turn", "matrix"), [(0, None), (90, [0, 1, -1, 0, 0, 0]), (270, [0, -1, 1, 0, 0, 0])])
def test_the_stamp_stays_upright_at_the_bottom_right_of_a_turned_page(
    token: DemoToken, tmp_path: Path, turn: int, matrix: list[int] | None
) -> None:
    """A page the clerk turned (/Rotate) shows the stamp where and how the reader expects it."""
    src, out = sample_pdf(tmp_path / "a.pdf", pages=1), tmp_path / "signed.pdf"
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        pdf.pages[0].Rotate = turn
        pdf.save(src)
    sign_files([(src, out)], PfxKey(token.pfx), TEST_PIN, OFFLINE)
    assert_pdfsig_valid(out)
    with pikepdf.open(out) as pdf:
        widget = next(a for a in pdf.pages[0].Annots if a.get("/FT") == "/Sig")
        x1, y1, x2, y2 = (float(v) for v in widget.Rect)
        form = widget.AP.N
        assert (list(form.Matrix) if "/Matrix" in form else None) == matrix
    if turn == 0:  # A4 595×842: bottom right, wider than tall
        assert (x2 > 500, y1 < 100) == (True, True)
        assert x2 - x1 > y2 - y1
    else:  # shown turned a quarter: the box is tall in page coordinates, at the shown bottom right
        assert x2 - x1 < y2 - y1
        assert (x2 > 500) if turn == 90 else (x1 < 100)
        assert y2 > 700 if turn == 90 else y1 < 100
