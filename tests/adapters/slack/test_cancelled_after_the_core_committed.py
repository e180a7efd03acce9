"""A DM cancelled once the core committed its change is not done twice on Slack's retry.

The core commits before it has its whole answer: after a narration is stored it still looks up
who could help (``blocker_help.with_help``), and after a delete it still takes back the update
post and the quotes (``update_posts.removed_with``, ``narration_copies.sync``). A handler
cancelled there (a shutdown) gave its claim back, since ``Bot.handle`` hadn't returned: Slack's
retry inside the lease stored a second narration and posted a second "Noted", and a retried
"delete 1" found no #1 and said so. The claim is now marked the moment the core commits
(``Turn.committed_as``), and a cancellation after that finishes it instead.
"""

from __future__ import annotations

import json
import math

from narrate_bot.features import blocker_help, update_posts
from tests.adapters.slack.conftest import (
    RETRY,
    cancel_newest,
    dm_event,
    handler_tasks,
    held_at,
    noted,
)
from tests.adapters.slack.test_retry_after_cancelled_give_back import TEXT


async def test_a_retry_after_a_cancel_while_finding_help_stores_nothing_more(slack, monkeypatch):
    handlers = handler_tasks(slack, monkeypatch)
    finding_help, proceed = held_at(monkeypatch, blocker_help, "with_help")
    await slack.event(dm_event(TEXT), "Ev-finding-help")
    await finding_help.wait()
    assert await slack.narration_count() == 1  # stored and committed
    await cancel_newest(slack, handlers)
    proceed.set()

    status, _, _ = await slack.event(dm_event(TEXT), "Ev-finding-help", **RETRY)
    assert status == 200
    await slack.adapter.drain(timeout=math.inf)
    # Before: stored a second time, and a "Noted as #2" posted.
    assert [n.text for n in await slack.narrations()] == [TEXT]
    assert noted(slack) == 0


async def test_a_retry_after_a_cancel_while_a_delete_takes_back_its_posts(slack, monkeypatch):
    await slack.event(dm_event(TEXT), "Ev-noted")
    await slack.adapter.drain(timeout=math.inf)
    assert await slack.narration_count() == 1
    handlers = handler_tasks(slack, monkeypatch)
    taking_back, proceed = held_at(monkeypatch, update_posts, "removed_with")
    delete = dm_event("delete 1") | {"ts": "1763800000.000502"}
    await slack.event(delete, "Ev-delete")
    await taking_back.wait()
    assert await slack.narration_count() == 0  # deleted and committed
    await cancel_newest(slack, handlers)
    proceed.set()

    status, _, _ = await slack.event(delete, "Ev-delete", **RETRY)
    assert status == 200
    await slack.adapter.drain(timeout=math.inf)
    # Before: the retry ran the delete again and answered that there is no #1.
    said = [json.dumps(c.params) for c in slack.fake.called("chat.postMessage")]
    assert not any("no narration #1" in s for s in said)
