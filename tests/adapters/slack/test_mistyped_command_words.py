"""Slack: a mistyped command word ("/narrate folow kafka") is answered with what was meant and
kept nowhere; its "Keep as a narration" button keeps the words as typed. Before, the words were
published to the channel as a narration about "folow" and "kafka". Signed HTTP into the real
Bolt app."""

from __future__ import annotations

from tests.adapters.slack.conftest import until
from tests.adapters.slack.test_open_questions_channel_choice import _button_values, _click


async def test_folow_kafka_is_answered_and_kept_only_by_its_button(slack):
    await slack.command("folow kafka")
    await until(lambda: slack.fake.responses)
    answered = slack.fake.responses[-1]
    assert "Did you mean /narrate follow kafka?" in str(answered["text"])
    assert "I didn't keep this:\n&gt; folow kafka" in str(answered["text"])
    assert await slack.narration_count() == 0
    [value] = _button_values(answered)
    assert value == "/narrate note folow kafka"

    await slack.interaction(_click(slack, value, channel="C1"))
    await until(lambda: len(slack.fake.responses) >= 2)
    assert "Noted as #1." in str(slack.fake.responses[-1]["text"])
    assert [n.text for n in await slack.narrations()] == ["folow kafka"]
