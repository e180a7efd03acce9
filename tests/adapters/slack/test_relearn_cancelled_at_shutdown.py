"""Shutting down past ``SlackAdapter.drain``'s timeout cancels the re-learning still running.

Re-learning a returning person's private channels runs in the background and takes no slot,
so ``drain`` waits for it too; past its timeout the process goes on to dispose of the database.
A re-learning left running then wrote after the drain (into a database being closed, or at a
shutdown's end), and its Slack calls outlived the adapter.
"""

from __future__ import annotations

import asyncio
import math

from tests.adapters.slack.conftest import until
from tests.adapters.slack.test_returning_person_relearns_channels import (
    _away_and_back_in,
    _channels_of,
    _comes_back,
)


async def test_a_relearning_still_running_at_the_drains_timeout_is_cancelled(slack):
    """The drain times out while a command still holds its slot (its answer held by Slack):
    the re-learning, held too, is cancelled, and stores nothing once Slack answers."""
    await _away_and_back_in(slack)
    listed = slack.fake.holds["users.conversations"] = asyncio.Event()
    await _comes_back(slack)
    await until(lambda: any(c.method == "users.conversations" for c in slack.fake.calls))
    running = set(slack.adapter.returning.tasks)
    assert running
    posted = slack.fake.holds["chat.postMessage"] = asyncio.Event()
    before = len(slack.fake.called("chat.postMessage"))
    dm = {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1",
          "text": "who knows about vault?", "ts": "1800000000.000100"}  # fmt: skip
    assert (await slack.event(dm, "Ev-u1-asks-in-a-dm"))[0] == 200
    await until(lambda: len(slack.fake.called("chat.postMessage")) > before)

    await slack.adapter.drain(timeout=0)  # past its timeout at once: a slot is still taken

    await until(lambda: all(task.done() for task in running))
    assert all(task.cancelled() for task in running)
    listed.set()
    posted.set()
    await slack.adapter.drain(timeout=math.inf)
    assert await _channels_of(slack, "U2") == set()
