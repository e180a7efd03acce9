"""Slack: a DM that opens with "need help with" and says where the work stands is kept; a bare
request is answered with who knows and a "Keep as a narration" button whose click keeps it as
written. Since 571ead8 both were taken as questions and nothing was kept. Signed HTTP into the
real Bolt app, its client against the local fake Web API."""

from __future__ import annotations

from tests.adapters.slack.conftest import dm_event
from tests.adapters.slack.test_help_requests_ask_who_knows import _carol_narrates, _posted
from tests.adapters.slack.test_open_questions_channel_choice import _button_values, _click

CAROL = "tightened the kafka acls for the ledger topics"


async def test_a_status_update_in_a_dm_is_kept(slack):
    await _carol_narrates(slack)
    said = "need help with the billing export since monday"
    await slack.event(dm_event(said, "1763800000.000500"), "Ev-1")
    answer = await _posted(slack, 1)
    assert "Noted as #1" in answer and "Who knows about" not in answer, answer
    assert [n.text for n in await slack.narrations()] == [CAROL, said]


async def test_a_bare_request_is_answered_and_its_button_keeps_it(slack):
    await _carol_narrates(slack)
    await slack.event(dm_event("need help with kafka acls", "1763800000.000600"), "Ev-2")
    answer = await _posted(slack, 1)
    assert "Who knows about “kafka acls”" in answer and "<@U2>" in answer, answer
    assert "I didn't keep your message." in answer
    assert [n.text for n in await slack.narrations()] == [CAROL]
    message = slack.fake.called("chat.postMessage")[0].params
    keep = "/narrate note need help with kafka acls"
    assert keep in _button_values(message), message
    await slack.interaction(_click(slack, keep, channel="D1"))
    assert "Noted as #1." in await _posted(slack, 2)
    assert [n.text for n in await slack.narrations()] == [CAROL, "need help with kafka acls"]
