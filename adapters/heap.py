"""What the process holds once started is set aside from garbage collection.

Everything imported and built at startup (the libraries' modules and classes, the settings,
the bot) lives as long as the process, yet each full collection walked all of it again:
with a large week of introductions being worked out, those collections (a few per round, some
0.4 s each on a shared machine) stalled the event loop, and held SQLite's write lock when they
fell inside the round's storing. ``gc.freeze`` moves it to the permanent generation, which
collections skip; what is created later is collected as before.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def settle_heap() -> None:
    """Call once the app is started, before serving: what exists now is kept for good."""
    gc.collect()
    gc.freeze()
    log.debug("%d objects from startup are left out of garbage collection", gc.get_freeze_count())
