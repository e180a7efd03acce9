"""The pace of repairs that must reach a platform in the end, shared by all of them.

Deleting an orphaned update post, editing a followed-topics DM after a delete, editing an
introductions post after a forget-me: each runs on the scheduler's wake-ups, and each failure waits
before the next try (a refusal for good, ``REFUSED_WAIT``). One wait for all: a workspace whose
platform is down for hours is not hammered by any of them, nothing is ever dropped while its
workspace is there, and each repair works for at most ``BUDGET_SECONDS`` per wake-up, so one hung
call (slack_sdk waits up to 30 s for an answer) or many in an outage never delay the next prompts by
more.
"""

from __future__ import annotations

from datetime import timedelta

LONGEST_WAIT = timedelta(hours=6)
# A change the platform refuses until someone changes something (``ports.RefusedForGood``: the
# app removed from the channel, a post it may not edit or delete) is tried again this long after,
# not by the back-off: logged once, it doesn't warn every six hours for ever.
REFUSED_WAIT = timedelta(days=7)
BUDGET_SECONDS = 3.0


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed tries: 2, 4, 8… minutes, at most ``LONGEST_WAIT``."""
    return min(timedelta(minutes=2 ** min(attempts, 16)), LONGEST_WAIT)
