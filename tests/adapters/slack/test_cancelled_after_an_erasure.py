"""A forget-me confirmed in a DM is answered as done once the erasure committed.

The erasure commits before its answer is ready: the person's posts are then deleted, quotes
edited and the search index scrubbed. A handler cancelled there (a shutdown) gave its claim
back, since ``Bot.handle`` hadn't returned, and Slack's retry of the event ran the erasure of
their user id again and told them "I have nothing stored about you"; a step there that failed
was tried again in process with the same answer. The erasure now reports its commit
(``Turn.committed_as``): the cancelled event's claim is finished, and a failed step after it is
answered with what was done. Signed requests into the real Bolt app, slack_sdk against the fake
Web API.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from narrate_bot.features import privacy
from tests.adapters.slack.conftest import (
    RETRY,
    SlackEnv,
    cancel_newest,
    dm_event,
    handler_tasks,
    held_at,
)

NOTHING = "I have nothing stored about you."


def _posted(slack: SlackEnv) -> list[str]:
    return [str(c.params.get("text")) for c in slack.fake.called("chat.postMessage")]


async def _asked_to_be_forgotten(slack: SlackEnv) -> None:
    await slack.event(dm_event("migrated the invoice exporter", "1763800000.000100"), "Ev-n")
    await slack.adapter.drain(timeout=math.inf)
    await slack.event(dm_event("forget-me", "1763800000.000200"), "Ev-f")
    await slack.adapter.drain(timeout=math.inf)
    assert await slack.narration_count() == 1


async def test_a_retry_after_a_cancel_while_an_erasure_is_cleaned_up(slack, monkeypatch):
    await _asked_to_be_forgotten(slack)
    handlers = handler_tasks(slack, monkeypatch)
    scrubbing, proceed = held_at(monkeypatch, privacy, "_clear_traces")
    confirm = dm_event("forget-me confirm", "1763800000.000300")
    await slack.event(confirm, "Ev-confirm")
    await asyncio.wait_for(scrubbing.wait(), 10)
    assert await slack.narration_count() == 0  # erased and committed
    await cancel_newest(slack, handlers)
    proceed.set()

    status, _, _ = await slack.event(confirm, "Ev-confirm", **RETRY)
    assert status == 200
    await slack.adapter.drain(timeout=math.inf)
    # Before: the retry erased their user id again and said there was nothing to erase.
    assert not any(NOTHING in text for text in _posted(slack)), _posted(slack)


async def test_a_step_failing_after_the_erasure_is_answered_with_what_was_done(slack, monkeypatch):
    await _asked_to_be_forgotten(slack)

    async def failing(*_args: Any, **_kwargs: Any) -> Any:
        raise ConnectionError("the platform went away")

    monkeypatch.setattr(privacy, "remove_posts", failing)
    await slack.event(dm_event("forget-me confirm", "1763800000.000300"), "Ev-confirm")
    await slack.adapter.drain(timeout=math.inf)
    said = _posted(slack)
    # Before: tried again in process, which found nothing left and said so.
    assert not any(NOTHING in text for text in said), said
    assert any("Done: I erased everything about you, including 1 narration." in t for t in said)
