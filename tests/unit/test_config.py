"""config.toml: the commented file the wizard writes reads back the same; every refusal names the file, line and key."""

from __future__ import annotations

import argparse
import stat
import tomllib
from pathlib import Path

import pytest

from app import config as cfg
from app.config import Config, ConfigError, app_defaults, parse, save, seed_layout


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MOTCUA_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.delenv("MOTCUA_TINH_PASSWORD", raising=False)
    return tmp_path / "cfg"


def service_config() -> Config:
    c = Config()
    c.set("pc", "name", 'Kiosk "sảnh" \\ chính')
    c.set("centre", "commune", "Đông Hưng")
    c.set("centre", "unit_code", "000.00.12.H48")
    c.set("centre", "counters", 6)
    c.set("centre", "groups", ["HT", "CT"])
    c.set("printer", "spec", "tcp:192.168.1.50:9100")
    c.set("printer", "width", 384)
    return c


def test_round_trip_keeps_every_value_and_documents_every_key(config_dir: Path) -> None:
    config = service_config()
    path = save(config)
    assert path == config_dir / "config.toml"
    assert cfg.load() == config
    text = path.read_text(encoding="utf-8")
    assert tomllib.loads(text)["pc"]["name"] == 'Kiosk "sảnh" \\ chính'
    lines = text.splitlines()
    for key in cfg.SCHEMA:  # each key is preceded by its Vietnamese comment
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{key.name} = ") and i > lines.index(
            f"[{key.section}]"))  # fmt: skip
        assert lines[at - 1].startswith("# ")
    assert "password" not in tomllib.loads(text)["province"]


def test_written_private_and_whole(config_dir: Path) -> None:
    path = save(service_config())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in config_dir.iterdir()] == ["config.toml"]  # no temp file left beside it


def test_missing_file_is_a_first_run() -> None:
    assert cfg.load() is None


def test_defaults_fill_what_a_hand_written_file_leaves_out() -> None:
    config = parse('[pc]\nrole = "display"\n')
    assert config.role == "display"
    assert config.get("printer", "width") == 576
    assert config.get("centre", "port") == 8710


def error_lines(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse(text)
    return caught.value.lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[pc]\nrole = "kiosk"\n', 'config.toml, dòng 2: [pc] role phải là "service-kiosk" hoặc "counter" hoặc'),
        ('[pc]\nrole = "display"\n\n[printer]\nspec = ""\n\nwidth = 500\n',
         "config.toml, dòng 7: [printer] width phải là 384 hoặc 576"),
        ('[pc]\nrole = "display"\n[printer]\nwidth = "576"\n',
         "config.toml, dòng 4: [printer] width phải là một số nguyên (không có dấu ngoặc kép)"),
        ('[pc]\nrole = "display"\nname = 3\n',
         "config.toml, dòng 3: [pc] name phải là chuỗi ký tự trong dấu ngoặc kép"),
        ('[pc]\nrole = "display"\n[centre]\nport = 80\n', "config.toml, dòng 4: [centre] port phải từ 1024 đến 65534"),
        ('[pc]\nrole = "display"\n[centre]\ncounters = 0\n', "config.toml, dòng 4: [centre] counters phải từ 1 đến 30"),
        ('[pc]\nrole = "display"\n[centre]\ngroups = "HT"\n',
         "config.toml, dòng 4: [centre] groups phải là danh sách trong ngoặc vuông"),
        ('[pc]\nrole = "display"\n[centre]\ngroups = ["HT", "ht"]\n',
         "config.toml, dòng 4: [centre] groups có mã nhóm không hợp lệ: ht"),
        ('[pc]\nrole = "display"\n[centre]\ngroups = ["HT", "HT"]\n',
         "config.toml, dòng 4: [centre] groups có mã nhóm lặp lại"),
        ('[pc]\nrole = "display"\n[centre]\nunit_code = "12345"\n',
         "config.toml, dòng 4: [centre] unit_code phải có dạng 000.00.00.H00"),
        ('[pc]\nrole = "display"\n[centre]\ncommune = "xã"\n',
         "config.toml, dòng 4: [centre] commune phải là tên xã (phường)"),
        ('[pc]\nrole = "display"\n[centre]\nname = "' + "x" * 121 + '"\n',
         "config.toml, dòng 4: [centre] name dài quá 120 ký tự"),
        ('[pc]\nrole = "display"\n[counter]\nnumber = 100\n', "config.toml, dòng 4: [counter] number phải từ 0 đến 99"),
        ('[pc]\nrole = "display"\n[rating]\ncounter = -1\n', "config.toml, dòng 4: [rating] counter phải từ 0 đến 99"),
        ('[pc]\nrole = "display"\n[printer]\nspec = "lpt1"\n',
         "config.toml, dòng 4: [printer] spec phải bắt đầu bằng usb:, serial:, tcp:"),
        ('[pc]\nrole = "display"\n[scanner]\nsource = "hp"\n',
         "config.toml, dòng 4: [scanner] source phải bắt đầu bằng sane:, escl:"),
        ('[pc]\nrole = "display"\n[camera]\nsource = "webcam"\n',
         "config.toml, dòng 4: [camera] source phải là số thứ tự camera"),
        ('[pc]\nrole = "display"\n[province]\ngateway_url = "motcua.tinh.gov.vn"\n',
         "config.toml, dòng 4: [province] gateway_url phải bắt đầu bằng https://"),
        ('[pc]\nrole = "display"\n[province]\nunit_code = "H48"\n',
         "config.toml, dòng 4: [province] unit_code phải có dạng 000.00.00.H00"),
        ('[pc]\nrole = "display"\n[province]\nusername = "' + "u" * 121 + '"\n',
         "config.toml, dòng 4: [province] username dài quá 120 ký tự"),
        ('[pc]\nrole = "display"\n[printer]\nwidht = 576\n',
         "config.toml, dòng 4: [printer] widht không có trong cấu hình (gõ nhầm?); mục này có: spec, width"),
        ('[pc]\nrole = "display"\n\n[printers]\nspec = ""\n',
         "config.toml, dòng 4: [printers] không phải mục của tệp cấu hình (gõ nhầm?)"),
        ('[pc]\nrole = "display"\nname = Quầy 1\n', "config.toml, dòng 3: không đúng cú pháp TOML"),
        ('[pc]\nrole = "service-kiosk"\n[centre]\ncommune = ""\n',
         "config.toml, dòng 4: [centre] commune đang trống: máy chủ cần tên xã (phường) của Trung tâm"),
        ('[pc]\nrole = "rating"\n', "config.toml, dòng 2: [rating] counter đang trống: màn hình đánh giá cần số quầy"),
    ],
)  # fmt: skip
def test_each_refusal_names_the_line_and_the_key(text: str, expected: str) -> None:
    assert any(line.startswith(expected) for line in error_lines(text)), error_lines(text)


def test_every_problem_is_listed_at_once() -> None:
    lines = error_lines('[pc]\nrole = "display"\n[printer]\nwidth = 1\n[centre]\nport = 1\n')
    assert [line.split(":")[0] for line in lines] == ["config.toml, dòng 4", "config.toml, dòng 6"]


def test_load_names_the_real_file(config_dir: Path) -> None:
    config_dir.mkdir(parents=True)
    (config_dir / "config.toml").write_text('\ufeff[pc]\nrole = "display"\n[printer]\nwidth = 5\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.toml, dòng 4: \[printer\] width phải là 384 hoặc 576"):
        cfg.load()


def test_save_refuses_what_the_apps_would_refuse(config_dir: Path) -> None:
    config = service_config()
    config.set("printer", "width", 500)
    with pytest.raises(ConfigError, match="width phải là 384 hoặc 576"):
        save(config)
    assert not (config_dir / "config.toml").exists()


def test_the_apps_take_the_file_as_defaults_and_the_command_line_wins(config_dir: Path) -> None:
    save(service_config())
    parser = argparse.ArgumentParser()
    parser.add_argument("--printer")
    parser.add_argument("--width", type=int, default=576)
    parser.add_argument("--camera", default="0")
    parser.add_argument("--host-service", type=Path)
    cfg.parser_defaults(parser, "kiosk")
    args = parser.parse_args([])
    assert (args.printer, args.width, args.host_service) == ("tcp:192.168.1.50:9100", 384, config_dir / "centre")
    assert parser.parse_args(["--width", "576", "--printer", "usb:0416:5011"]).width == 576
    assert parser.parse_args(["--printer", "usb:0416:5011"]).printer == "usb:0416:5011"


def test_serve_and_seed_come_from_the_service_pc_config(config_dir: Path) -> None:
    config = service_config()
    config.set("centre", "data_dir", "/srv/motcua")
    assert app_defaults("serve", config) == {
        "port": 8710,
        "commune": "Đông Hưng",
        "data": Path("/srv/motcua"),
        "host": "0.0.0.0",
    }
    assert seed_layout(config) == {"counters": 6, "fields": ["HT", "CT"], "unit_code": "000.00.12.H48"}
    config.set("pc", "role", "counter")
    assert seed_layout(config) == {}
    assert "data" not in app_defaults("serve", config)


def test_counter_and_rating_numbers() -> None:
    config = parse('[pc]\nrole = "counter"\n[counter]\nnumber = 3\n[scanner]\nsource = "sane:test"\n')
    assert app_defaults("counter", config) == {"counter": 3, "width": 576, "camera": "0", "scanner": ["sane:test"]}
    assert app_defaults("rating", parse('[pc]\nrole = "rating"\n[rating]\ncounter = 2\n')) == {"counter": 2}


def test_a_broken_file_stops_the_app_with_its_errors(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_dir.mkdir(parents=True)
    (config_dir / "config.toml").write_text('[pc]\nrole = "tv"\n', encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        cfg.parser_defaults(argparse.ArgumentParser(), "kiosk")
    assert stopped.value.code == 2
    assert "config.toml, dòng 2: [pc] role phải là" in capsys.readouterr().err


def test_province_password_in_a_private_file_without_a_keyring(config_dir: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import keyring
    from keyring.errors import NoKeyringError

    def no_keyring(*_args: object) -> None:
        raise NoKeyringError

    monkeypatch.setattr(keyring, "set_password", no_keyring)
    monkeypatch.setattr(keyring, "get_password", no_keyring)
    where = cfg.save_province_password("xa_dong_hung", "bí mật")
    assert "province.secret" in where
    assert stat.S_IMODE((config_dir / "province.secret").stat().st_mode) == 0o600
    assert cfg.province_password("xa_dong_hung") == "bí mật"
    assert cfg.province_password("someone_else") is None
    monkeypatch.setenv("MOTCUA_TINH_PASSWORD", "từ môi trường")
    assert cfg.province_password("someone_else") == "từ môi trường"


def test_province_password_in_the_keyring_when_there_is_one(config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    kept: dict[tuple[str, str], str] = {}
    monkeypatch.setattr(keyring, "set_password", lambda s, u, p: kept.__setitem__((s, u), p))
    monkeypatch.setattr(keyring, "get_password", lambda s, u: kept.get((s, u)))
    assert cfg.save_province_password("xa_dong_hung", "bí mật") == "kho mật khẩu của hệ điều hành"
    assert kept == {("MotCua", "province:xa_dong_hung"): "bí mật"}
    assert cfg.province_password("xa_dong_hung") == "bí mật"
    assert not (config_dir / "province.secret").exists()
