"""The small interfaces the core calls and adapters (or tests) implement."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Where "now" comes from; the console and the tests drive a manual one."""

    def now(self) -> datetime: ...
