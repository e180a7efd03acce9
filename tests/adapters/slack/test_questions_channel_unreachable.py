"""An open-questions channel Slack says was archived, or the app was removed from, is no longer
offered, and askers are told what to fix. Before, everyone nobody could answer was still offered
"Ask in #questions", each click refused; and once the app left a private questions channel its
own members were told "it's private and you're not in it" (out of the channel, the app no
longer knows who is in it). Unarchived, or the app added back, the offer comes back."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlmodel import select

from narrate_bot.storage.tables import Channel
from tests.adapters.slack.conftest import SlackEnv, until


async def _said(slack: SlackEnv, text: str, user: str = "U1") -> dict[str, Any]:
    before = len(slack.fake.responses)
    await slack.command(text, user=user)
    await until(lambda: len(slack.fake.responses) > before)
    return slack.fake.responses[-1]


def _offered(answer: dict[str, Any], where: str) -> bool:
    return f"Ask in {where}" in json.dumps(answer)


async def _until_stored(slack: SlackEnv, channel_id: str, **wanted: bool) -> None:
    """Wait until the channel's row says what Slack's event said (events are handled after
    they are acknowledged)."""
    for _ in range(200):
        async with slack.db.transaction() as session:
            row = (
                await session.exec(select(Channel).where(Channel.channel_id == channel_id))
            ).first()
            if row is not None and all(getattr(row, k) == v for k, v in wanted.items()):
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{channel_id} never stored {wanted}")


async def _channel_event(slack: SlackEnv, kind: str, channel: str, event_id: str) -> None:
    status, _, _ = await slack.event(
        {"type": kind, "channel": channel, "user": "U2", "event_ts": "1763800100.000100"},
        event_id,
    )
    assert status == 200


async def test_an_archived_questions_channel_is_not_offered_until_unarchived(slack):
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await slack.command("questions-channel here", user="U2", channel="CQ", channel_name="questions")
    await until(lambda: slack.fake.responses)
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions", "is_archived": True}
    await _channel_event(slack, "channel_archive", "CQ", "Ev-archive-q")
    await _until_stored(slack, "CQ", archived=True)

    archived = (
        "The open-questions channel #questions is archived, so I can't post questions there. "
        "An admin can unarchive it, or choose another with /narrate questions-channel #channel."
    )
    answer = await _said(slack, "who knows about cobol?")
    assert not _offered(answer, "#questions") and archived in str(answer["text"]), answer["text"]
    told = str((await _said(slack, "ask-channel <#CQ|questions> cobol"))["text"])
    assert told.startswith(f"{archived} Nothing was posted. Here it is, to ask again"), told
    assert not slack.fake.called("chat.postMessage")

    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions"}
    await _channel_event(slack, "channel_unarchive", "CQ", "Ev-unarchive-q")
    await _until_stored(slack, "CQ", archived=False)
    assert _offered(await _said(slack, "who knows about cobol?"), "#questions")


async def test_members_of_a_private_channel_the_app_left_are_told_it_left(slack):
    slack.fake.channels["GQ"] = {"id": "GQ", "name": "eng-questions", "is_private": True}
    slack.fake.members["GQ"] = ["UBOT", "U1", "U2"]
    await slack.command(
        "questions-channel here", user="U2", channel="GQ", channel_name="eng-questions"
    )
    await until(lambda: slack.fake.responses)
    assert "now go to #eng-questions" in str(slack.fake.responses[-1]["text"])
    slack.fake.members["GQ"] = ["U1", "U2"]
    slack.fake.failures["conversations.members"] = "not_in_channel"
    await slack.event(
        {"type": "member_left_channel", "user": "UBOT", "channel": "GQ", "channel_type": "G"},
        "Ev-bot-left-q",
    )

    left = (
        "I'm no longer in the open-questions channel, so I can't post questions there. Someone "
        "in it can add me back, or an admin can choose another open-questions channel with "
        "/narrate questions-channel #channel."
    )
    await _until_stored(slack, "GQ", bot_left=True)
    told = str((await _said(slack, "ask-channel <#GQ|eng-questions> cobol"))["text"])
    assert told.startswith(f"{left} Nothing was posted."), told
    answer = await _said(slack, "who knows about cobol?")
    assert left in str(answer["text"]) and "Ask in" not in json.dumps(answer), answer["text"]

    # Added back: its readers are read again, and the offer returns.
    del slack.fake.failures["conversations.members"]
    slack.fake.members["GQ"] = ["UBOT", "U1", "U2"]
    await slack.event(
        {"type": "member_joined_channel", "user": "UBOT", "channel": "GQ", "channel_type": "G"},
        "Ev-bot-back-q",
    )
    await _until_stored(slack, "GQ", bot_left=False)
    assert _offered(await _said(slack, "who knows about cobol?"), "#eng-questions")
