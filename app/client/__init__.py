"""How apps reach the centre service: `QueueApi` (app/client/api.py) is the one interface they program against;
`QueueClient` (HTTP) and `EventStream` (WebSocket) implement it, discovery (mDNS) finds the service.

`app.client.fake` holds the in-process stand-ins for screen tests and demos; it is not imported here, so apps do
not load the store.
"""

from app.client.api import QueueApi, Stream
from app.client.events import EventStream
from app.client.queue_client import QueueClient, ServiceError, ServiceUnavailable

__all__ = ["EventStream", "QueueApi", "QueueClient", "ServiceError", "ServiceUnavailable", "Stream"]
