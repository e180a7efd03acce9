"""A prompt invites replies in its thread only when Slack tells the bot of them.

The manifest asks for no history scope, and without ``channels:history`` Slack sends no thread
reply: a prompt that said "Reply in this thread and I'll keep it" lost every such reply without
a word. It now points to its button, until a workspace grants the scope (read from the token's
granted scopes, as Bolt reads them).
"""

from __future__ import annotations

from datetime import timedelta

from tests.adapters.slack.conftest import SlackEnv, until


async def _daily_prompt(slack: SlackEnv) -> str:
    slack.fake.users["U1"] = {"id": "U1", "name": "ada", "is_admin": True}
    slack.fake.channels["C1"] = {"id": "C1", "name": "team", "is_channel": True}
    await slack.command("schedule #team daily 09:30 UTC", channel_name="team")
    await until(lambda: slack.fake.responses)
    assert "Scheduled" in slack.fake.responses[-1]["text"], slack.fake.responses[-1]["text"]
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    posts = [c.params for c in slack.fake.called("chat.postMessage")]
    [prompt] = [p for p in posts if "work out loud" in str(p.get("text"))]
    return str(prompt["text"])


async def test_a_default_install_points_to_the_button_not_to_thread_replies(slack):
    text = await _daily_prompt(slack)
    assert "Reply in this thread and I'll keep it" not in text
    assert "Write my update" in text


async def test_a_workspace_that_granted_channels_history_is_invited_to_reply(slack):
    slack.fake.default_scopes.add("channels:history")
    text = await _daily_prompt(slack)
    assert "Reply in this thread and I'll keep it as your narration" in text


async def _personal_reminder(slack: SlackEnv) -> str:
    await slack.command("timezone Europe/London")
    await until(lambda: slack.fake.responses)
    await slack.command("remind me daily 09:30")
    await until(lambda: len(slack.fake.responses) >= 2)
    assert "09:30" in slack.fake.responses[-1]["text"], slack.fake.responses[-1]["text"]
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=1))
    [dm] = [c.params for c in slack.fake.called("chat.postMessage") if c.params["channel"] == "U1"]
    return str(dm["text"])


async def test_a_personal_reminder_points_to_its_button_without_im_history(slack):
    text = await _personal_reminder(slack)
    assert "Reply here" not in text and "Write my update" in text


async def test_a_personal_reminder_says_reply_here_with_im_history(slack):
    slack.fake.default_scopes.add("im:history")
    assert "Reply here" in await _personal_reminder(slack)
