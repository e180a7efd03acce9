"""An open-questions channel archived while the app was out of it closes its open questions as
soon as the bot learns it is archived (``conversations.info``, asked before refusing someone).

Removed from a channel, the app hears no ``channel_archive`` there. Before, learning it by
asking Slack only refused the new question: the ones already posted in the archived channel
stayed open for ever, listed in digests, and their askers waited for answers nobody could give.
Events and commands come signed into the real Bolt app; Slack is the local mock Web API.
"""

from __future__ import annotations

import html

from tests.adapters.slack.conftest import SlackEnv, until


async def _said(slack: SlackEnv, text: str, user: str = "U1") -> str:
    before = len(slack.fake.responses)
    await slack.command(text, user=user)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


def _dms(slack: SlackEnv, user: str) -> list[str]:
    return [
        html.unescape(str(c.params.get("text", "")))
        for c in slack.fake.called("chat.postMessage")
        if c.params["channel"] == user
    ]


async def test_archived_seen_when_asked_closes_the_open_questions_there(slack):
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions", "is_member": True}
    await slack.command("questions-channel here", user="U2", channel="CQ", channel_name="questions")
    await until(lambda: slack.fake.responses)
    told = await _said(slack, "ask-channel <#CQ|questions> cobol")
    assert told.startswith("Posted your question in #questions"), told

    # The app is removed from #questions, which is then archived: no event reaches it.
    status, _, _ = await slack.event(
        {"type": "member_left_channel", "user": "UBOT", "channel": "CQ", "channel_type": "C"},
        "Ev-bot-left",
    )
    assert status == 200
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions", "is_archived": True}

    # Someone else's question finds nobody; the offer asks Slack about #questions first.
    answer = await _said(slack, "who knows about rexx?", user="U3")
    assert "can't post questions there" in answer, answer
    assert [c.params["channel"] for c in slack.fake.called("conversations.info")][-1] == "CQ"
    await until(lambda: bool(_dms(slack, "U1")))
    assert _dms(slack, "U1") == [
        "#questions was archived, so your open question “cobol” there can't be answered there "
        "any more; I no longer list it as open. If you still need an answer, ask again with "
        "/narrate ask-channel <question>:\n> cobol"
    ]
    assert "You have no open question" in await _said(slack, "ask-channel answered")


async def test_a_post_refused_as_archived_closes_the_open_questions_there(slack):
    """Slack refusing a new question's post with ``is_archived`` says so as well."""
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions", "is_member": True}
    await slack.command("questions-channel here", user="U2", channel="CQ", channel_name="questions")
    await until(lambda: slack.fake.responses)
    assert (await _said(slack, "ask-channel <#CQ|questions> cobol")).startswith("Posted")

    slack.fake.failures["chat.postMessage"] = "is_archived"  # archived, the event missed
    told = await _said(slack, "ask-channel <#CQ|questions> rexx", user="U3")
    assert "I can't post in #questions: it's archived" in told, told
    del slack.fake.failures["chat.postMessage"]
    assert "You have no open question" in await _said(slack, "ask-channel answered")
