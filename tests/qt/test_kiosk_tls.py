"""A kiosk talking HTTPS to the centre: ticket QR codes still open on phones, through the plain board port."""

from __future__ import annotations

import argparse

from pytestqt.qtbot import QtBot

from app.client.queue_client import QueueClient
from app.paths import default_catalog_path
from app.service.launcher import ServerProcess
from app.store.catalog_file import load_catalog_file
from kiosk.app import follow_base, learn_follow_base
from kiosk.controller import KioskController


def test_the_follow_address_is_the_board_port_learnt_from_the_service(qtbot: QtBot, tls_server: ServerProcess) -> None:
    client = QueueClient(tls_server.url, tls_server.admin_token, ca_file=tls_server.ca_file)
    try:
        args = argparse.Namespace(follow_url=None)
        assert follow_base(args, client) is None  # https: phones could not open it, so ask the service
        ctl = KioskController(client, load_catalog_file(default_catalog_path()), None, follow_base_url=None)
        learn_follow_base(ctl)
        ctl.start()
        qtbot.waitUntil(lambda: ctl.follow_base_url is not None, timeout=15_000)
        assert ctl.follow_base_url == tls_server.board_url
        assert ctl.follow_base_url.startswith("http://")
        ctl.stop()
        assert follow_base(argparse.Namespace(follow_url="http://10.0.0.2:8711"), client) == "http://10.0.0.2:8711"
    finally:
        client.close()
