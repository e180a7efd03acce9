"""Slack: asking the bot for help with work is answered with who knows, wherever it's asked.

"@narrate help me with kafka acls" in a channel got the generic "Ask me “who knows about
<topic>?”" pointer, though the same words in a DM already answered who knows; and a DM "need
help with kafka acls" (or "I need help with …") was kept as a private note, naming nobody.
Both now answer who knows, and keep nothing. Signed HTTP into the real Bolt app.
"""

from __future__ import annotations

from tests.adapters.slack.conftest import dm_event, until

CAROL = "tightened the kafka acls for the ledger topics"


def _mention(text: str, ts: str) -> dict[str, str]:
    return {
        "type": "app_mention",
        "user": "U1",
        "text": text,
        "ts": ts,
        "channel": "C1",
        "event_ts": ts,
    }


async def _carol_narrates(slack) -> None:
    slack.fake.users["U2"] = {"id": "U2", "name": "carol", "tz": "Europe/Berlin"}
    await slack.command(CAROL, user="U2")
    await until(lambda: slack.fake.responses)


async def _posted(slack, count: int) -> str:
    await until(lambda: len(slack.fake.called("chat.postMessage")) >= count)
    return str(slack.fake.called("chat.postMessage")[count - 1].params["text"])


async def test_a_mention_asking_for_help_with_a_topic_says_who_knows(slack):
    await _carol_narrates(slack)
    await slack.event(_mention("<@UBOT> help me with kafka acls", "1763800000.000200"), "Ev-1")
    answer = await _posted(slack, 1)
    assert "Who knows about “kafka acls”" in answer and "<@U2>" in answer, answer
    assert "Ask me “who knows about <topic>?”" not in answer
    await slack.event(_mention("<@UBOT> need help with kafka acls", "1763800000.000300"), "Ev-2")
    answer = await _posted(slack, 2)
    assert "Who knows about “kafka acls”" in answer and "<@U2>" in answer, answer
    # Already answered before: a question without "about".
    await slack.event(_mention("<@UBOT> who knows kafka?", "1763800000.000400"), "Ev-3")
    answer = await _posted(slack, 3)
    assert "Who knows about “kafka”" in answer and "<@U2>" in answer, answer
    assert [n.text for n in await slack.narrations()] == [CAROL]


async def test_a_dm_that_needs_help_with_a_topic_says_who_knows_and_keeps_nothing(slack):
    await _carol_narrates(slack)
    await slack.event(dm_event("need help with kafka acls", "1763800000.000500"), "Ev-4")
    answer = await _posted(slack, 1)
    assert "Who knows about “kafka acls”" in answer and "<@U2>" in answer, answer
    assert "Noted" not in answer
    await slack.event(dm_event("I need help with kafka acls please", "1763800000.000600"), "Ev-5")
    answer = await _posted(slack, 2)
    assert "Who knows about “kafka acls”" in answer and "<@U2>" in answer, answer
    assert [n.text for n in await slack.narrations()] == [CAROL]


async def test_a_longer_dm_about_being_stuck_is_still_kept(slack):
    await _carol_narrates(slack)
    said = "I need help with the kafka acls, stuck on the ledger topics since monday"
    await slack.event(dm_event(said, "1763800000.000700"), "Ev-6")
    answer = await _posted(slack, 1)
    assert "Noted" in answer and "Who knows about" not in answer, answer
    assert [n.text for n in await slack.narrations()] == [CAROL, said]
