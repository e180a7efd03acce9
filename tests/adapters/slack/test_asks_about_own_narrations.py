"""Slack: "/narrate delete my last note" or a DM saying "list my narrations" is answered with
the way to do it and kept nowhere; "help me with kafka acls" sent as a DM says who knows.
Before, the first two were kept as narrations (the slash command's published to the channel)
and the DM got the whole help page. Signed HTTP into the real Bolt app."""

from __future__ import annotations

from typing import Any

from tests.adapters.slack.conftest import dm_event, until
from tests.adapters.slack.test_open_questions_channel_choice import _button_values


def _posted(slack: Any) -> str:
    return str(slack.fake.called("chat.postMessage")[-1].params["text"])


async def test_asking_to_delete_ones_last_note_is_answered_not_published(slack):
    await slack.command("delete my last note")
    await until(lambda: slack.fake.responses)
    answered = slack.fake.responses[-1]
    text = str(answered["text"])
    assert "To delete one: /narrate mine lists them with numbers, then /narrate delete" in text
    assert "I didn't keep this:\n&gt; delete my last note" in text
    assert _button_values(answered) == ["/narrate note delete my last note"]
    assert await slack.narration_count() == 0
    assert not slack.fake.called("chat.postMessage")  # nothing published to the channel


async def test_in_a_dm_own_asks_are_answered_and_help_me_with_says_who_knows(slack):
    await slack.command("tightened the kafka acls for the ledger topics", user="U2")
    await until(lambda: slack.fake.responses)
    await slack.event(dm_event("list my narrations", "1763800000.000700"), "Ev-dm-list")
    await until(lambda: slack.fake.called("chat.postMessage"))
    assert "/narrate mine lists your narrations with their numbers" in _posted(slack)
    assert "I didn't keep this" in _posted(slack)

    await slack.event(dm_event("help me with kafka acls", "1763800000.000800"), "Ev-dm-help")
    await until(lambda: len(slack.fake.called("chat.postMessage")) >= 2)
    answer = _posted(slack)
    assert "Who knows about “kafka acls”" in answer and "<@U2>" in answer
    assert "I have no help on" not in answer
    assert [n.text for n in await slack.narrations()] == [
        "tightened the kafka acls for the ledger topics"
    ]
