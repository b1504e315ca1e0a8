"""`python -m app rating --screenshot DIR [--size WxH]`: every page with demo data at exactly that window size
(without --size: the tablet both ways up, 1280×800 and 800×1280, and the small monitors 1366×768 and 1024×600).
`tour()` is also what tests/qt/test_rating_layout.py walks through."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from app.client.rating_demo import rating_demo_fake
from app.qtbridge.apps import save_tour, settle, wait_for
from app.rating.controller import Phase, RatingController
from app.rating.window import RatingWindow

DEFAULT_SIZES = ((1280, 800), (800, 1280), (1366, 768), (1024, 600))
FIVE = ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng")


def tour(window: RatingWindow) -> Iterator[str]:
    """Show every page in turn (the controller's client must have a visit to rate); yields each one's name."""
    ctl = window.ctl
    ctl.phase, ctl.visit = Phase.IDLE, None
    ctl.changed.emit()
    yield "idle"
    prompt = ctl.client.rating_prompt()
    visit = prompt["visit"]
    assert visit is not None, "the demo hall has a visit to rate"
    ctl.prompted({**prompt, "visit": None})  # the scale and reasons, nothing asked yet
    ctl.ask(visit)
    yield "ask"
    ctl.choose(1)
    yield "reason"
    ctl.phase = Phase.THANKS
    ctl.changed.emit()
    yield "thanks"
    ctl.prompted({**prompt, "scale": {"labels": list(FIVE), "satisfied_from": 4}, "visit": None})
    ctl.ask({**visit, "ticket_id": int(visit["ticket_id"]) + 1000})
    yield "ask-5-levels"
    ctl.prompted(prompt)  # back to the centre's own scale
    ctl.phase, ctl.visit, ctl.online = Phase.IDLE, None, False
    ctl.changed.emit()
    yield "offline"


def take_screenshots(out: Path, sizes: tuple[tuple[int, int], ...] = DEFAULT_SIZES, counter: int = 1) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    for w, h in sizes:
        client = rating_demo_fake(counter)
        ctl = RatingController(client, counter, ask_timeout_ms=0, thanks_ms=0)
        window = RatingWindow(ctl)
        try:
            window.setFixedSize(w, h)  # exactly this size: a page that needs more must not grow the window
            window.show()
            ctl.start()
            wait_for(ctl.changed, 2_000)
            ctl.runner.wait()
            settle()  # the prompt's answer, delivered before the tour sets its own pages
            saved += save_tour(window, tour(window), out, "rating", (w, h))
        finally:
            window.close()
            client.close()
    return saved
