""" "Narrate this" keeps a message as the clicker's own narration: only on their own messages.
Someone else's words are never kept as theirs (who-knows would credit them with that work)."""

from __future__ import annotations

from typing import Any

from tests.adapters.slack.conftest import SlackEnv, until


def shortcut(slack: SlackEnv, *, clicker: str, author: str | None, text: str) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "message", "ts": "1763800000.000400", "text": text}
    if author:
        message["user"] = author
    else:
        message |= {"subtype": "bot_message", "bot_id": "B9"}
    return {
        "type": "message_action",
        "callback_id": "narrate_this",
        "trigger_id": "t-sc",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": clicker, "name": clicker.lower()},
        "channel": {"id": "C1", "name": "general"},
        "response_url": slack.fake.response_url(clicker),
        "message": message,
    }


async def test_narrate_this_on_someone_elses_message_is_refused_privately(slack):
    text = "I rewrote the billing reconciliation job in rust"
    await slack.interaction(shortcut(slack, clicker="U2", author="U1", text=text))
    await until(lambda: slack.fake.responses)
    [told] = slack.fake.responses
    assert told["response_type"] == "ephemeral"
    assert "That message is <@U1>'s: only they can narrate it" in told["text"]
    assert "/narrate" in told["text"]
    assert await slack.narrations() == []
    assert not slack.fake.called("chat.postMessage")

    await slack.command("who billing reconciliation", user="U3")
    await until(lambda: len(slack.fake.responses) > 1)
    assert "<@U2>" not in slack.fake.responses[-1]["text"]


async def test_narrate_this_on_an_apps_message_is_refused(slack):
    await slack.interaction(shortcut(slack, clicker="U2", author=None, text="deploy finished"))
    await until(lambda: slack.fake.responses)
    assert "posted by an app" in slack.fake.responses[0]["text"]
    assert await slack.narrations() == []


async def test_narrate_this_on_my_own_message_still_narrates_it(slack):
    text = "fixed the flaky ledger test"
    await slack.interaction(shortcut(slack, clicker="U1", author="U1", text=text))
    await until(lambda: slack.fake.responses)
    [narration] = await slack.narrations()
    assert narration.text == text and narration.source == "shortcut"
