"""How apps reach the centre service: `QueueClient` (HTTP), `EventStream` (WebSocket), discovery (mDNS).

`app.client.fake` holds the in-process stand-ins for screen tests; it is not imported here, so apps do
not load the store.
"""

from app.client.events import EventStream
from app.client.queue_client import QueueApi, QueueClient, ServiceError, ServiceUnavailable

__all__ = ["EventStream", "QueueApi", "QueueClient", "ServiceError", "ServiceUnavailable"]
