"""PAdES B-T: the signature carries a timestamp token from a real RFC 3161 server over HTTP on this machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from app.signing.demo_token import TEST_PIN, create_test_token
from app.signing.errors import SigningError
from app.signing.keys import PfxKey
from app.signing.sign import SignOptions, sign_files
from app.signing.verify import Verdict, load_trust, overall, verify_file
from tests.support.signing_peers import assert_pdfsig_valid, needs_peers, sample_pdf
from tests.support.tsa_server import running_tsa

pytestmark = needs_peers


def test_b_t_signature_carries_a_valid_timestamp_token(tmp_path: Path) -> None:
    token = create_test_token(tmp_path / "token")
    out = tmp_path / "bt.pdf"
    with running_tsa(tmp_path) as tsa:
        trust = tuple(load_trust([tsa.ca_pem]))  # the TSA's root known: its chain goes into the LTV data too
        options = SignOptions(commune="Đông Hưng", tsa_url=tsa.url, trust=trust, fetch_revocation=False)
        done = sign_files([(sample_pdf(tmp_path / "a.pdf"), out)], PfxKey(token.pfx), TEST_PIN, options).done
        assert len(tsa.requests) >= 1  # the signer really asked the server
        assert done[0].ltv
    assert_pdfsig_valid(out)
    reports = verify_file(out, [token.ca, tsa.ca_pem])
    assert overall(reports) is Verdict.VALID
    assert reports[0].timestamped
    assert reports[0].signed_at is not None
    # pyhanko's own reading of the token: intact, and its chain reaches the TSA's root
    with out.open("rb") as f:
        sig = PdfFileReader(f, strict=False).embedded_signatures[0]
        context = ValidationContext(trust_roots=load_trust([token.ca, tsa.ca_pem]), allow_fetching=False)
        status = validate_pdf_signature(sig, signer_validation_context=context)
        assert status.timestamp_validity is not None
        assert status.timestamp_validity.intact
        assert status.timestamp_validity.valid
        assert status.timestamp_validity.trusted


def test_an_unreachable_timestamp_server_gives_a_vietnamese_error_and_no_file(tmp_path: Path) -> None:
    token = create_test_token(tmp_path / "token")
    with running_tsa(tmp_path) as tsa:
        url = tsa.url
    out = tmp_path / "bt.pdf"
    options = SignOptions(tsa_url=url, fetch_revocation=False)  # the server has stopped: the port refuses
    with pytest.raises(SigningError, match="Không lấy được dấu thời gian"):
        sign_files([(sample_pdf(tmp_path / "a.pdf"), out)], PfxKey(token.pfx), TEST_PIN, options)
    assert not out.exists()
