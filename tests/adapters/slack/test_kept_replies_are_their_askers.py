"""Slack: a reply kept past a long rate limit is its asker's, and no one else's.

Two gaps of 7f2bb52's kept replies: an answer whose asker was forgotten between the question
and its keeping (another replica's forget-me) was stored all the same, their user id and what
it quoted with it, and sent after the erasure; and someone's export listed every kept reply
that merely named them (another person's answer citing their narration), not only those
addressed to them. Through the real Bolt app, slack_sdk against the fake Web API and a real
database; the keeping itself (``later.queue``) is called as ``delivery`` calls it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from narrate_bot.events import ChannelKind
from narrate_bot.replies import Quote, Reply, Visibility
from narrate_bot.storage import privacy
from narrate_bot.storage.schedule_tables import ScheduleSend
from narrate_bot_adapters.slack import later
from narrate_bot_adapters.slack.delivery import Target
from narrate_bot_adapters.slack.translate import Where
from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_long_retry_after_not_slept_on import close_methods
from tests.adapters.slack.test_refused_replies_sent_later import (
    HOUR,
    _handled,
    _on_the_bots_clock,
)

LINE = "   • “rotated the ledger signing keys” (2026-11-23, #general)"


async def _said(slack: SlackEnv, text: str, user: str = "U1") -> str:
    before = len(slack.fake.responses)
    await slack.command(text, user=user, channel="C5", channel_name="general")
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _kept(slack: SlackEnv) -> list[dict[str, Any]]:
    async with slack.db.transaction() as session:
        found = await session.exec(
            select(ScheduleSend.payload).where(ScheduleSend.status == "pending")
        )
        return [json.loads(p) for p in found.all() if p is not None]


async def _mark(slack: SlackEnv) -> str | None:
    async with slack.db.snapshot() as session:
        return await privacy.erasure_mark(session, platform="slack", external_id="T1")


def _answer(mark: str | None) -> Reply:
    """A who-knows answer as the core gives it: quoting a narration, with the mark it read."""
    return Reply(
        text=f"Who knows about “ledger”:\n1. <@U2>: narrated about ledger\n{LINE}",
        visibility=Visibility.DIRECT,
        quotes=(Quote(narration_id=1, line=LINE),),
        erasure_mark=mark,
    )


def _target(slack: SlackEnv) -> Target:
    return Target(
        tenant="T1",
        client=slack.adapter.gateway.single_token,  # type: ignore[arg-type]  # not used
        user_id="U1",
        where=Where(channel_id="D1", kind=ChannelKind.DIRECT),
    )


async def test_an_answer_is_not_kept_for_someone_forgotten_since_it_was_asked(slack):
    assert "Noted" in await _said(slack, "rotated the ledger signing keys", user="U2")
    assert "Noted" in await _said(slack, "shipped the importer")  # U1 enrolled
    asked = await _mark(slack)  # as U1's question is read
    await _said(slack, "forget-me")
    assert "Done" in await _said(slack, "forget-me confirm")  # meanwhile, on another replica

    await later.queue(slack.adapter.gateway, _target(slack), [(_answer(asked), ())], HOUR)
    assert await _kept(slack) == []


async def test_an_answer_is_kept_when_no_one_was_forgotten_since(slack):
    assert "Noted" in await _said(slack, "rotated the ledger signing keys", user="U2")
    asked = await _mark(slack)

    await later.queue(slack.adapter.gateway, _target(slack), [(_answer(asked), ())], HOUR)
    assert [k["user"] for k in await _kept(slack)] == ["U1"]


async def test_an_export_lists_kept_replies_to_them_not_others_naming_them(slack):
    assert "Noted" in await _said(slack, "rotated the ledger signing keys")  # U1's narration
    _on_the_bots_clock(slack)
    await close_methods(slack, HOUR, "chat.postMessage")
    asked = {
        "type": "message",
        "channel_type": "im",
        "user": "U2",
        "channel": "D2",
        "text": "who knows about ledger signing keys?",
        "ts": "1763800000.000100",
    }
    await slack.event(asked, "Ev-u2")
    await _handled(slack, 1)
    kept = await _kept(slack)
    assert kept and "<@U1>" in kept[0]["reply"]["text"], kept  # U2's answer names U1

    uploads = len(slack.fake.uploads)
    assert "Here is everything I store about you" in await _said(slack, "export")
    await until(lambda: len(slack.fake.uploads) > uploads)
    assert json.loads(slack.fake.uploads[-1])["replies_kept_for_later"] == []

    uploads = len(slack.fake.uploads)
    assert "Here is everything I store about you" in await _said(slack, "export", user="U2")
    await until(lambda: len(slack.fake.uploads) > uploads)
    listed = json.loads(slack.fake.uploads[-1])["replies_kept_for_later"]
    assert [r["conversation"] for r in listed] == ["D2"] * len(kept)
