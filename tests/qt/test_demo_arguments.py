"""The demo starts the counter app with options the app accepts (a typo there only shows on a screen)."""

from __future__ import annotations

from pathlib import Path

from app.demo_apps import counter_arguments
from counter.app import parse_args


def test_the_demo_counter_options_parse_and_point_at_real_files(tmp_path: Path) -> None:
    argv = counter_arguments("http://127.0.0.1:8710", 1, tmp_path, "tcp:127.0.0.1:9100", "http://127.0.0.1:9/eSCL")
    args = parse_args(argv)
    assert args.counter == 1
    assert args.data == tmp_path / "counter1"
    assert args.scanner == ["escl:http://127.0.0.1:9/eSCL", "sane:test"]
    assert args.doc_camera != args.camera  # a page on a desk, not the CCCD card
    for camera in (args.camera, args.doc_camera):
        folder = Path(camera.removeprefix("file:"))
        assert any(folder.iterdir()), f"the simulated camera {folder} has no picture"


def test_the_counter_window_gets_the_document_camera(qtbot: object, tmp_path: Path) -> None:
    from counter.app import build, make_backend

    argv = ["--demo", "--data", str(tmp_path / "c"), "--camera", "file:/a", "--doc-camera", "file:/b"]
    args = parse_args(argv)
    backend = make_backend(args)
    window = build(args, backend)
    try:
        assert window.dossier_pages is not None
        uris = [uri for uri, _name in window.dossier_pages.scan.sources]
        assert "camera:file:/b" in uris
        assert "camera:file:/a" not in uris
    finally:
        window.close()
        window.dossier_pages.ctl.desk.store.close()
        backend.client.close()
