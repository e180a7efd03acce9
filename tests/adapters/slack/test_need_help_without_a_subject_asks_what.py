"""Slack: a DM "need help with" that names nothing asks what about and keeps nothing; it was
kept as an empty narration. Its "Keep as a narration" button still keeps it as written. Signed
HTTP into the real Bolt app, its client against the local fake Web API."""

from __future__ import annotations

from tests.adapters.slack.conftest import dm_event
from tests.adapters.slack.test_help_requests_ask_who_knows import _posted
from tests.adapters.slack.test_open_questions_channel_choice import _button_values, _click


async def test_a_dm_asking_for_help_with_nothing_asks_what(slack):
    await slack.event(dm_event("need help with", "1763800000.000700"), "Ev-1")
    answer = await _posted(slack, 1)
    assert answer.startswith("Help with what? Say e.g. “need help with kafka acls”"), answer
    assert "Noted" not in answer and "I didn't keep your message." in answer, answer
    assert await slack.narrations() == []
    message = slack.fake.called("chat.postMessage")[0].params
    keep = "/narrate note need help with"
    assert keep in _button_values(message), message
    await slack.interaction(_click(slack, keep, channel="D1"))
    assert "Noted as #1." in await _posted(slack, 2)
    assert [n.text for n in await slack.narrations()] == ["need help with"]
