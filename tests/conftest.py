"""Shared test setup: Qt renders offscreen; nothing here talks to a display or the network."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
