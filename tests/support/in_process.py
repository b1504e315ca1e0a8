"""`QueueClient` against the centre service in this process: a requests transport that hands each request to
Starlette's TestClient, so the real client's own code (headers, keys, error mapping) runs with no socket."""

from __future__ import annotations

from collections.abc import Mapping

import requests
from fastapi.testclient import TestClient
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from app.client.queue_client import QueueClient


class TestClientAdapter(BaseAdapter):
    __test__ = False  # not a test class, whatever its name

    def __init__(self, service: TestClient) -> None:
        super().__init__()
        self.service = service

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: float | tuple[float, float] | tuple[float, None] | None = None, verify: bool | str = True,
             cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
             proxies: Mapping[str, str] | None = None) -> requests.Response:  # fmt: skip
        body = request.body.encode() if isinstance(request.body, str) else request.body
        answer = self.service.request(str(request.method), str(request.url), content=body,
                                      headers=dict(request.headers))  # fmt: skip
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(answer.headers)
        response.encoding = answer.encoding
        response.url = str(request.url)
        response.request = request
        return response

    def close(self) -> None:
        pass


def in_process_client(service: TestClient, token: str | None) -> QueueClient:
    """A `QueueClient` whose requests go to `service` (base URL http://testserver, TestClient's own)."""
    return QueueClient(str(service.base_url), token, adapter=TestClientAdapter(service), attempts=1)
