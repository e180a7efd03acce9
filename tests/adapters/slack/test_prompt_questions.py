"""A channel prompt's own question on Slack, through the real Bolt app and slack_sdk against the
fake Web API: the prompt asks it, its "Write my update" modal is labelled with it (Slack's label
holds 2,000 characters; the title stays "Write my update", within its 24), and nothing the
question held pings anyone when the bot posts it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.test_stale_forms import click, submission

QUESTION = "What did you ship today, and what is the one thing that slowed you down most this week?"


async def _prompt(slack: SlackEnv, line: str) -> dict[str, Any]:
    slack.fake.users["U1"] = {"id": "U1", "name": "ada", "is_admin": True}
    slack.fake.channels["C1"] = {"id": "C1", "name": "team", "is_channel": True}
    await slack.command(line, channel_name="team")
    await until(lambda: slack.fake.responses)
    assert "Scheduled #1" in slack.fake.responses[-1]["text"], slack.fake.responses[-1]["text"]
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    [prompt] = [
        c.params for c in slack.fake.called("chat.postMessage") if "work out loud" in str(c.params)
    ]
    return prompt


async def test_the_prompt_and_its_modal_ask_the_channels_own_question(slack):
    prompt = await _prompt(slack, f"schedule #team daily 09:30 UTC {QUESTION}")
    assert QUESTION in prompt["text"]
    assert "what are you working on" not in prompt["text"]
    section = prompt["blocks"][0]["text"]["text"]
    assert f"Time to work out loud: {QUESTION}" in section
    button = prompt["blocks"][-1]["elements"][0]
    assert button["text"]["text"] == "Write my update" and button["value"] == "/narrate reply 1"

    status, _, _ = await slack.interaction(click(button["value"], channel="C1", trigger="t-1"))
    assert status == 200
    await until(lambda: slack.fake.called("views.open"))
    view = slack.fake.called("views.open")[0].params["view"]
    assert view["title"]["text"] == "Write my update"
    assert view["blocks"][0]["label"]["text"] == QUESTION  # whole: well within 2,000

    status, body, _ = await slack.interaction(submission(view, "shipped the importer"))
    assert status == 200 and body == ""
    await until(lambda: slack.fake.called("chat.postEphemeral"))
    [narration] = await slack.narrations()
    assert narration.text == "shipped the importer"


async def test_mentions_in_the_question_ping_nobody_when_posted(slack):
    prompt = await _prompt(
        slack,
        "schedule #team daily 09:30 UTC <!channel> <!here> @everyone <@U2> in <#C9|ops>: blockers?",
    )
    posted = prompt["text"] + str(prompt["blocks"])
    for markup in ("<!channel>", "<!here>", "<!everyone>", "@everyone", "<@U2>", "<#C9"):
        assert markup not in posted
    assert "everyone in : blockers?" in prompt["blocks"][0]["text"]["text"]
