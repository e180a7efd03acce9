"""An open-questions channel the app isn't in: whoever chooses it is told at once that the app
must be added, and how; an asker whose question can't be posted there is told the same, not
only "an admin can choose another channel". Before, the channel could be chosen by name
without a word, and every asker was pointed at the admins, though anyone in the channel can
invite the app."""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackEnv, until

INVITE = "Anyone in it can add me with /invite @narrate there."


async def _said(slack: SlackEnv, text: str, user: str = "U1", **where: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text, user=user, **where)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def _known_without_the_app(slack: SlackEnv) -> None:
    # Known from a command typed there; the app was never invited.
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions", "is_member": False}
    await _said(slack, "hello from questions", user="U2", channel="CQ", channel_name="questions")


async def test_choosing_it_says_to_invite_the_app(slack):
    await _known_without_the_app(slack)
    chosen = await _said(slack, "questions-channel #questions", user="U2")
    assert chosen.startswith("Open questions now go to #questions"), chosen
    assert chosen.endswith(
        "But I'm not in #questions yet, so I can't post there until someone adds me. " + INVITE
    ), chosen


async def test_choosing_a_channel_the_app_is_in_warns_of_nothing(slack):
    slack.fake.channels["CQ"] = {"id": "CQ", "name": "questions", "is_member": True}
    chosen = await _said(
        slack, "questions-channel here", user="U2", channel="CQ", channel_name="questions"
    )
    assert "not in" not in chosen and "invite" not in chosen, chosen


async def test_an_asker_is_told_how_to_add_the_app(slack):
    await _known_without_the_app(slack)
    await _said(slack, "questions-channel #questions", user="U2")
    slack.fake.failures["chat.postMessage"] = "not_in_channel"
    told = await _said(slack, "ask-channel <#CQ|questions> cobol")
    assert told.startswith(f"I can't post in #questions: I'm not in it. {INVITE[:-1]}. "), told
    assert "An admin can choose another open-questions channel" in told
