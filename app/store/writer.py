"""The single writer: every change runs on one thread under BEGIN IMMEDIATE.

Jobs that queue up while a commit is in flight are committed together, each inside its own
SAVEPOINT, so one fsync acknowledges many tickets and a failing job rolls back alone.
Events are handed to subscribers only after the commit that wrote them.
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from app.core.clock import to_iso

log = logging.getLogger(__name__)

T = TypeVar("T")
_MAX_BATCH = 64


@dataclass(frozen=True)
class Event:
    seq: int
    at: str
    kind: str
    payload: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "kind": self.kind, "payload": self.payload}


@dataclass
class Tx:
    """What a job gets: the connection inside the transaction, and a way to record events."""

    conn: sqlite3.Connection
    events: list[Event] = field(default_factory=list)

    def emit(self, kind: str, payload: dict[str, Any], at: datetime) -> Event:
        stamp = to_iso(at)
        cursor = self.conn.execute(
            "INSERT INTO events (at, kind, payload) VALUES (?, ?, ?)",
            (stamp, kind, json.dumps(payload, ensure_ascii=False)),
        )
        event = Event(int(cursor.lastrowid or 0), stamp, kind, payload)
        self.events.append(event)
        return event


Job = Callable[[Tx], Any]
Subscriber = Callable[[list[Event]], None]


class Writer:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._jobs: queue.Queue[tuple[Job, Future[Any]] | None] = queue.Queue()
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
        self._thread.start()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def submit(self, job: Callable[[Tx], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return future

    def run(self, job: Callable[[Tx], T]) -> T:
        return self.submit(job).result()

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < _MAX_BATCH:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[tuple[Job, Future[Any]]]) -> None:
        done: list[tuple[Future[Any], Any, BaseException | None]] = []
        events: list[Event] = []
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            for job, future in batch:
                if not future.set_running_or_notify_cancel():
                    continue
                tx = Tx(self._conn)
                self._conn.execute("SAVEPOINT job")
                try:
                    result = job(tx)
                except BaseException as exc:
                    self._conn.execute("ROLLBACK TO job")
                    self._conn.execute("RELEASE job")
                    done.append((future, None, exc))
                else:
                    self._conn.execute("RELEASE job")
                    done.append((future, result, None))
                    events.extend(tx.events)
            self._conn.execute("COMMIT")
        except BaseException as exc:
            log.exception("commit failed")
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            for _job, future in batch:
                if not future.done() and future.running():
                    future.set_exception(exc)
            return
        for future, result, error in done:
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)
        if events:
            with self._lock:
                subscribers = list(self._subscribers)
            for subscriber in subscribers:
                try:
                    subscriber(events)
                except Exception:
                    log.exception("event subscriber failed")
