"""Slack: a mistyped command ("/narrate find kafka") is answered, kept nowhere, and its reply
carries a "Keep as a narration" button whose click keeps the words exactly as typed. Before, the
words were published to the channel as a narration. Signed HTTP into the real Bolt app."""

from __future__ import annotations

from tests.adapters.slack.conftest import until
from tests.adapters.slack.test_open_questions_channel_choice import _button_values, _click


async def test_a_mistyped_command_is_kept_only_by_its_button(slack):
    await slack.command("find kafka")
    await until(lambda: slack.fake.responses)
    answered = slack.fake.responses[-1]
    # Quoted back (Slack's text escapes ">", as for every reply)
    assert "I didn't keep this:\n&gt; find kafka" in str(answered["text"])
    assert await slack.narration_count() == 0
    [value] = _button_values(answered)
    assert value == "/narrate note find kafka"

    await slack.interaction(_click(slack, value, channel="C1"))
    await until(lambda: len(slack.fake.responses) >= 2)
    assert "Noted as #1." in str(slack.fake.responses[-1]["text"])
    assert [n.text for n in await slack.narrations()] == ["find kafka"]
