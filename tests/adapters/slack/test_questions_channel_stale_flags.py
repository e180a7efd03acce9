"""An open-questions channel whose stored row refuses it for what only Slack's events correct
(shared, archived, the app gone) is looked up in Slack (``conversations.info``) before anyone
is refused, and what Slack says is kept. Before, a really internal private channel that
migration 0022 took for shared refused every question ("now shared with another
organisation") until someone used the bot inside it; and a missed "app joined" or
"unarchived" event left the channel refused for ever. The look-up is made only when the stored
flags would refuse, once per question; when Slack can't be asked, the refusal stands."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from tests.adapters.slack.conftest import SlackEnv, until

SHARED = "is now shared with another organisation"


async def _said(slack: SlackEnv, said: str, user: str = "U1") -> dict[str, Any]:
    before = len(slack.fake.responses)
    await slack.command(said, user=user)
    await until(lambda: len(slack.fake.responses) > before)
    return slack.fake.responses[-1]


def _offered(answer: dict[str, Any]) -> bool:
    return "Ask in #eng-questions" in json.dumps(answer)


def _looked_up(slack: SlackEnv) -> int:
    return len([c for c in slack.fake.called("conversations.info") if c.params["channel"] == "GQ"])


def _posted_in_questions(slack: SlackEnv) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in slack.fake.called("chat.postMessage")
        if c.params.get("channel") == "GQ"
    ]


async def _flags(slack: SlackEnv) -> tuple[bool, bool, bool]:
    async with slack.db.engine.connect() as conn:
        row = await conn.execute(
            text("SELECT shared, archived, bot_left FROM channel WHERE channel_id = 'GQ'")
        )
        shared, archived, bot_left = row.one()
        return bool(shared), bool(archived), bool(bot_left)


async def _stored(slack: SlackEnv, flags: str) -> None:
    """Set the row's flags as a migration or an event Slack never followed up would have."""
    async with slack.db.engine.begin() as conn:
        await conn.execute(text(f"UPDATE channel SET {flags} WHERE channel_id = 'GQ'"))


async def _questions_channel(slack: SlackEnv) -> None:
    """A private, internal #eng-questions with the app in it, chosen as the questions channel."""
    slack.fake.channels["GQ"] = {
        "id": "GQ",
        "name": "eng-questions",
        "is_private": True,
        "is_member": True,
    }
    slack.fake.members["GQ"] = ["UBOT", "U1", "U2"]
    await slack.command(
        "questions-channel here", user="U2", channel="GQ", channel_name="eng-questions"
    )
    await until(lambda: slack.fake.responses)
    assert "now go to #eng-questions" in str(slack.fake.responses[-1]["text"])


async def test_an_internal_channel_taken_for_shared_is_offered_and_posted_to(slack):
    await _questions_channel(slack)
    await _stored(slack, "shared = true")  # migration 0022, for a channel nobody used since
    before = _looked_up(slack)

    answer = await _said(slack, "who knows about cobol?")
    assert _offered(answer) and SHARED not in json.dumps(answer), answer["text"]
    assert _looked_up(slack) == before + 1  # asked once, before refusing
    assert await _flags(slack) == (False, False, False)  # and kept: no look-up next time

    told = str((await _said(slack, "ask-channel <#GQ|eng-questions> cobol"))["text"])
    assert told.startswith("Posted your question in #eng-questions"), told
    assert _looked_up(slack) == before + 1
    [posted] = _posted_in_questions(slack)
    assert "cobol" in posted


async def test_a_typed_question_to_a_channel_taken_for_shared_is_posted(slack):
    await _questions_channel(slack)
    await _stored(slack, "shared = true")
    told = str((await _said(slack, "ask-channel <#GQ|eng-questions> cobol"))["text"])
    assert told.startswith("Posted your question in #eng-questions"), told
    assert len(_posted_in_questions(slack)) == 1
    assert await _flags(slack) == (False, False, False)


async def test_a_channel_really_shared_stays_refused_and_is_asked_once(slack):
    await _questions_channel(slack)
    await _stored(slack, "shared = true")
    slack.fake.channels["GQ"]["is_ext_shared"] = True
    before = _looked_up(slack)
    answer = await _said(slack, "who knows about cobol?")
    assert SHARED in str(answer["text"]) and not _offered(answer), answer["text"]
    assert _looked_up(slack) == before + 1
    told = str((await _said(slack, "ask-channel <#GQ|eng-questions> cobol"))["text"])
    assert SHARED in told and "Nothing was posted" in told, told
    assert _posted_in_questions(slack) == []
    assert await _flags(slack) == (True, False, False)


async def test_when_slack_cant_be_asked_the_refusal_stands(slack):
    await _questions_channel(slack)
    await _stored(slack, "shared = true")
    slack.fake.failures["conversations.info"] = "fatal_error"
    answer = await _said(slack, "who knows about cobol?")
    assert SHARED in str(answer["text"]) and not _offered(answer), answer["text"]
    told = str((await _said(slack, "ask-channel <#GQ|eng-questions> cobol"))["text"])
    assert SHARED in told and "Nothing was posted" in told, told
    assert _posted_in_questions(slack) == []
    assert await _flags(slack) == (True, False, False)


async def test_a_missed_app_joined_event_no_longer_refuses_for_ever(slack):
    await _questions_channel(slack)
    await _stored(slack, "bot_left = true")  # removed, added back: the join event was missed
    answer = await _said(slack, "who knows about cobol?")
    assert _offered(answer), answer["text"]
    assert await _flags(slack) == (False, False, False)
    told = str((await _said(slack, "ask-channel <#GQ|eng-questions> cobol"))["text"])
    assert told.startswith("Posted your question in #eng-questions"), told


async def test_an_app_still_out_of_the_channel_stays_refused(slack):
    await _questions_channel(slack)
    await _stored(slack, "bot_left = true")
    slack.fake.failures["conversations.info"] = "channel_not_found"  # private, app not in it
    told = str((await _said(slack, "ask-channel <#GQ|eng-questions> cobol"))["text"])
    assert told.startswith("I'm no longer in #eng-questions"), told
    assert _posted_in_questions(slack) == []
    assert await _flags(slack) == (False, False, True)


async def test_a_missed_unarchive_event_no_longer_refuses_for_ever(slack):
    await _questions_channel(slack)
    await _stored(slack, "archived = true")
    told = str((await _said(slack, "ask-channel <#GQ|eng-questions> cobol"))["text"])
    assert told.startswith("Posted your question in #eng-questions"), told
    assert await _flags(slack) == (False, False, False)


async def test_a_channel_still_archived_stays_refused(slack):
    await _questions_channel(slack)
    await _stored(slack, "archived = true")
    slack.fake.channels["GQ"]["is_archived"] = True
    answer = await _said(slack, "who knows about cobol?")
    assert "is archived" in str(answer["text"]) and not _offered(answer), answer["text"]
    assert await _flags(slack) == (False, True, False)


async def test_a_question_to_a_channel_nothing_refuses_asks_slack_nothing(slack):
    await _questions_channel(slack)
    before = _looked_up(slack)
    assert _offered(await _said(slack, "who knows about cobol?"))
    told = str((await _said(slack, "ask-channel <#GQ|eng-questions> cobol"))["text"])
    assert told.startswith("Posted your question in #eng-questions"), told
    assert _looked_up(slack) == before


async def test_an_internal_channel_taken_for_shared_can_be_chosen(slack):
    slack.fake.channels["GQ"] = {
        "id": "GQ",
        "name": "eng-questions",
        "is_private": True,
        "is_member": True,
    }
    slack.fake.members["GQ"] = ["UBOT", "U1", "U2"]
    await slack.command("join", user="U2", channel="GQ", channel_name="eng-questions")
    await until(lambda: slack.fake.responses)
    await _stored(slack, "shared = true")
    told = str((await _said(slack, "questions-channel <#GQ|eng-questions>", user="U2"))["text"])
    assert told.startswith("Open questions now go to #eng-questions"), told
    assert await _flags(slack) == (False, False, False)


async def test_a_digest_posted_in_the_channel_clears_a_missed_join(slack):
    slack.fake.users["U2"] = {"id": "U2", "name": "bo", "is_admin": True}
    await _questions_channel(slack)
    await slack.command(
        "schedule digest on fri 16:00 UTC", user="U2", channel="GQ", channel_name="eng-questions"
    )
    await until(lambda: "weekly digest" in str(slack.fake.responses[-1]["text"]))
    await slack.command(
        "kafka lag on payroll", user="U2", channel="GQ", channel_name="eng-questions"
    )
    await until(lambda: len(slack.fake.responses) >= 3)
    await _stored(slack, "bot_left = true")
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=5))
    assert _posted_in_questions(slack), "no digest was posted"
    assert await _flags(slack) == (False, False, False)
