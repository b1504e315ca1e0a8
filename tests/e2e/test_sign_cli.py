"""`python -m app test-token | sign | verify` as an IT officer runs them, checked by poppler's pdfsig too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.signing_peers import assert_pdfsig_valid, flip_signed_byte, needs_peers, pdfsig, sample_pdf

ROOT = Path(__file__).resolve().parents[2]
pytestmark = needs_peers


def run_app(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def make_token(folder: Path) -> dict[str, str]:
    done = run_app("test-token", "--dir", str(folder))
    assert done.returncode == 0, done.stderr
    token: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(token) >= {"pkcs11", "softhsm2_conf", "pin_file", "ca"}
    return token


def test_sign_with_the_test_token_then_verify_and_tamper(tmp_path: Path) -> None:
    token = make_token(tmp_path / "token")
    src, out = sample_pdf(tmp_path / "a.pdf"), tmp_path / "signed.pdf"
    env = {"SOFTHSM2_CONF": token["softhsm2_conf"]}
    done = run_app("sign", "--in", str(src), "--out", str(out), "--pkcs11", token["pkcs11"],
                   "--pin-file", token["pin_file"], "--stamp-page", "2", "--commune", "Đông Hưng", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "người ký: UBND xã Đông Hưng TEST" in done.stdout
    assert_pdfsig_valid(out)

    checked = run_app("verify", str(out), "--trust", token["ca"])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Người ký: UBND xã Đông Hưng TEST" in checked.stdout
    assert "Nội dung: không thay đổi kể từ khi ký" in checked.stdout
    assert "Chứng thư số: thuộc danh sách tin cậy" in checked.stdout
    assert "Kết luận: HỢP LỆ" in checked.stdout

    untrusted = run_app("verify", str(out), env={"MOTCUA_CONFIG_DIR": str(tmp_path / "config")})
    assert untrusted.returncode == 2, untrusted.stdout + untrusted.stderr
    assert "chưa kiểm tra" in untrusted.stdout

    flip_signed_byte(out)
    verdicts, output = pdfsig(out)
    assert len(verdicts) == 1, output
    assert verdicts[0] != "Signature is Valid.", output
    broken = run_app("verify", str(out), "--trust", token["ca"])
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "KHÔNG HỢP LỆ" in broken.stdout


def test_sign_with_a_pfx_file_and_a_wrong_password(tmp_path: Path) -> None:
    token = make_token(tmp_path / "token")
    src, out = sample_pdf(tmp_path / "a.pdf"), tmp_path / "signed.pdf"
    bad_pin = tmp_path / "bad-pin.txt"
    bad_pin.write_text("000000\n")
    refused = run_app("sign", "--in", str(src), "--out", str(out), "--pfx", token["pfx"], "--pin-file", str(bad_pin))
    assert refused.returncode == 1
    assert "sai mật khẩu" in refused.stderr
    assert "000000" not in refused.stderr + refused.stdout  # the PIN is never echoed
    assert not out.exists()
    done = run_app("sign", "--in", str(src), "--out", str(out), "--pfx", token["pfx"], "--pin-file",
                   token["pin_file"], "--certified-copy", "--offline")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert_pdfsig_valid(out)


def test_wrong_pin_and_a_missing_token_leave_no_file(tmp_path: Path) -> None:
    token = make_token(tmp_path / "token")
    src, out = sample_pdf(tmp_path / "a.pdf"), tmp_path / "signed.pdf"
    bad_pin = tmp_path / "bad-pin.txt"
    bad_pin.write_text("999999")
    env = {"SOFTHSM2_CONF": token["softhsm2_conf"]}
    args = ("sign", "--in", str(src), "--out", str(out), "--pkcs11", token["pkcs11"])
    wrong = run_app(*args, "--pin-file", str(bad_pin), env=env)
    assert wrong.returncode == 1
    assert "Mã PIN của thiết bị ký số không đúng" in wrong.stderr
    gone = run_app(*args, "--pin-file", token["pin_file"], env={"SOFTHSM2_CONF": str(tmp_path / "no.conf")})
    assert gone.returncode == 1
    assert "thiết bị ký số" in gone.stderr
    assert not out.exists()
