"""Citizens' ratings: the rating screen asks what to rate and sends one level per visit; the director reads them.

- GET /api/ratings/prompt: the visit the screen of this counter should ask about now (or none), the scale, the
  reasons. A rating device's token only (role `rating`, made for one counter); the admin names the counter.
- POST /api/ratings {"ticket_id", "level", "reason"?}: 201 with the rating kept. A ticket already rated is
  answered 200 with the first rating and `"already_rated": true`, changing nothing: a double tap, a retry that
  lost its key or a second screen never shows the citizen an error, and the screen learns what was kept. With an
  Idempotency-Key a retry gets exactly its first answer (201 included). Refused: a ticket not served to the end
  (409 not_finished), another counter's visit (403 forbidden), a visit finished more than RATE_WINDOW_S ago
  (409 rating_closed), a level off the centre's scale or a reason not on the list (400).
- GET /api/ratings?from=YYYY-MM-DD&to=YYYY-MM-DD: the ratings of those local days (default today), for the
  director and the admin (Permission.REPORT), with the clerk's username and name.
- PUT /api/ratings/scale {"levels": 3 | 5}: the centre's scale (Permission.SETTINGS), recorded in the audit.

The counter and the clerk a rating is tied to are read from the ticket's serving interval, never from the body.
Nothing is broadcast on the event stream: a rating of a clerk is not for the hall board.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, Protocol

from fastapi import FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.params import Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.core.access import ADMIN
from app.core.rating import prompt_counter
from app.core.report import ReportPeriod
from app.core.request_rules import MAX_ID
from app.store.queue_store import QueueStore
from app.store.ratings import RatingStore
from app.store.writer import Tx

Run = Callable[[Callable[[Tx], Any], str | None, Request | None], Awaitable[Any]]  # api.py's: on the writer, keyed
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]


class Caller(Protocol):
    """What the routes read of app/service/api.py's Principal."""

    @property
    def role(self) -> str: ...

    @property
    def counter(self) -> int | None: ...

    @property
    def device(self) -> Any: ...

    @property
    def session(self) -> Any: ...


class RatingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket_id: int = Field(ge=1, le=MAX_ID, description="Mã số của phiếu vừa phục vụ xong")
    level: int = Field(ge=1, le=5, description="Mức đánh giá: 1 (kém nhất) … số mức của thang (tốt nhất)")
    reason: str | None = Field(default=None, max_length=100, description="Một lý do trong danh sách (mức thấp)")


class ScaleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    levels: int = Field(description="3 hoặc 5 mức")


def _who(who: Caller) -> str:
    if who.session is not None:
        return f"{who.session.username} ({who.session.display_name})"
    return f"thiết bị #{who.device.id} ({who.role})" if who.device is not None else who.role


def install_ratings(app: FastAPI, store: QueueStore, run: Run, *, rate: Any, report: Depends,
                    settings: Any) -> RatingStore:  # fmt: skip
    """Mount /api/ratings…; `rate`, `report`, `settings`: `Depends(...)` of the checks of those permissions, which
    give the caller (api.py's Principal)."""
    ratings = RatingStore(store)
    app.state.ratings = ratings

    @app.get("/api/ratings/prompt")
    def rating_prompt(
        who: Caller = rate, counter: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
    ) -> dict[str, Any]:
        """What the rating screen asks about now: `visit` (ticket, number, clerk's name, open until) or null."""
        return ratings.prompt(prompt_counter(who.counter, counter, any_counter=who.role == ADMIN))

    @app.post("/api/ratings", status_code=201, responses={200: {"description": "Số này đã được đánh giá trước đó"}})
    async def rate_visit(request: Request, body: RatingRequest, who: Caller = rate, key: IdemKey = None) -> Any:
        job = ratings.rate_job(
            body.ticket_id, body.level, body.reason, counter=who.counter, any_counter=who.role == ADMIN,
            device=who.device.id if who.device is not None else None,
        )  # fmt: skip
        kept: dict[str, Any] = await run(job, key, request)
        return JSONResponse(kept, status_code=200 if kept.get("already_rated") else 201)

    @app.get("/api/ratings", dependencies=[report])
    def list_ratings(
        first: Annotated[date | None, Query(alias="from", description="từ ngày YYYY-MM-DD (mặc định hôm nay)")] = None,
        last: Annotated[date | None, Query(alias="to", description="đến ngày YYYY-MM-DD (mặc định = from)")] = None,
    ) -> dict[str, Any]:
        start = first or store.today()
        return ratings.list_ratings(ReportPeriod(start, last or start))

    @app.put("/api/ratings/scale")
    async def set_scale(body: ScaleRequest, who: Caller = settings) -> dict[str, Any]:
        result: dict[str, Any] = await run_in_threadpool(store.command, ratings.set_scale_job(body.levels, _who(who)))
        return result

    return ratings
