"""The pace of repairs that must reach a platform in the end, shared by all of them.

Deleting an orphaned update post, editing a followed-topics DM after a delete, editing an
introductions post after a forget-me: each runs on the scheduler's wake-ups, and each failure waits
before the next try (a refusal for good, ``REFUSED_WAIT``). One wait for all: a workspace whose
platform is down for hours is not hammered by any of them, nothing is ever dropped while its
workspace is there, and each repair works for at most ``BUDGET_SECONDS`` per wake-up, so one hung
call (slack_sdk waits up to 30 s for an answer) or many in an outage never delay the next prompts by
more. Each repair's turn has the same shape (``run_due``): a snapshot read of what is due, then one
try at each item until the budget's deadline, each try noting its own outcome.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import TypeVar

from ..storage.database import Database, Session

T = TypeVar("T")

LONGEST_WAIT = timedelta(hours=6)
# A change the platform refuses until someone changes something (``ports.RefusedForGood``: the
# app removed from the channel, a post it may not edit or delete) is tried again this long after,
# not by the back-off: logged once, it doesn't warn every six hours for ever.
REFUSED_WAIT = timedelta(days=7)
BUDGET_SECONDS = 3.0


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed tries: 2, 4, 8… minutes, at most ``LONGEST_WAIT``."""
    return min(timedelta(minutes=2 ** min(attempts, 16)), LONGEST_WAIT)


class Outcome(Enum):
    """How one try at one due item ended."""

    DONE = "done"  # the platform has it
    PASSED = "passed"  # nothing for this try: another replica took it, or it went meanwhile
    STAYED = "stayed"  # failed or refused: put off for a later try


@dataclass
class Tally:
    """What a wake-up's repair did with what was due."""

    done: int = 0
    stayed: int = 0  # put off, or failed on the database (its lease runs out)
    unreached: int = 0  # not started before the deadline: due still, for the next wake-up


async def run_due(
    db: Database,
    due: Callable[[Session], Awaitable[Sequence[T]]],
    work: Callable[[T], Awaitable[Outcome]],
    *,
    budget: float | None,
    log: logging.Logger,
    reading: str,
    working: str,
) -> Tally | None:
    """One repair's turn: read what is ``due`` in a read-only snapshot (on SQLite, the wake-up's
    probe takes no write lock), then ``work`` each item in turn, starting none after ``budget``
    seconds (``None``: no deadline). ``work`` takes its item, tries the platform, and notes the
    outcome (done, put off by ``backoff``, refused for ``REFUSED_WAIT``). Never raises: an item
    whose work raises (the database) is logged as ``working`` failed and counted as stayed, its
    lease left to run out; a read that fails is logged as ``reading`` failed, and gives ``None``.
    """
    deadline = None if budget is None else time.monotonic() + budget
    try:
        async with db.snapshot() as session:
            found = await due(session)
    except Exception as problem:
        log.warning("%s failed: %s", reading, type(problem).__name__)
        return None
    tally = Tally()
    for at, item in enumerate(found):
        if deadline is not None and time.monotonic() >= deadline:
            tally.unreached = len(found) - at  # not taken: due still
            break
        try:
            outcome = await work(item)
        except Exception as problem:  # the database: the lease runs out and a later try runs
            log.warning("%s failed: %s", working, type(problem).__name__)
            tally.stayed += 1
            continue
        if outcome is Outcome.DONE:
            tally.done += 1
        elif outcome is Outcome.STAYED:
            tally.stayed += 1
    return tally
