"""The bundle's executables: one per role, all in one onedir folder sharing `_internal/` (motcua.spec, build.py,
motcua.iss read this list)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    key: str  # build.py's JSON
    exe: str  # the executable's name (".exe" added on Windows) and its entry script's (entries/EXE.py)
    title: str  # the Start-menu entry
    gui: bool  # a Qt window: no console on Windows


ROLES = (
    Role("service", "motcua-service", "Dịch vụ trung tâm", gui=False),
    Role("kiosk", "motcua-kiosk", "Kiosk", gui=True),
    Role("counter", "motcua-counter", "Quầy", gui=True),
    Role("display", "motcua-display", "Màn hình sảnh", gui=True),
    Role("dashboard", "motcua-dashboard", "Lãnh đạo", gui=True),
    Role("rating", "motcua-rating", "Đánh giá", gui=True),
    # the first-run wizard (`python -m app setup`) windowed: on Windows no console window behind it
    Role("setup", "motcua-wizard", "Cài đặt ban đầu", gui=True),
)
BUNDLE = "motcua"  # dist/motcua/
