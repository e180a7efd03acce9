"""Slack: a schedule setting typed without its value shows the current value and how to change
it. ``/narrate schedule updates #team`` (no thread|off) answered "Write /narrate schedule updates
#channel thread (or off)." and ``/narrate intros schedule`` alone "Give the days, a time and
optionally a time zone …": neither said where things stand. Signed HTTP into the real Bolt app.
"""

from __future__ import annotations

from tests.adapters.slack.conftest import until


async def _said(slack, text: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text)
    await until(lambda: len(slack.fake.responses) > before)
    return str(slack.fake.responses[-1]["text"])


async def test_schedule_updates_without_a_state_shows_it(slack):
    slack.fake.channels["C1"] = {"id": "C1", "name": "general", "is_channel": True}
    out = await _said(slack, "schedule updates <#C1|general>")
    assert "posted in that prompt's thread" in out and "(the default)" in out, out
    assert "/narrate schedule updates #general off" in out, out
    await _said(slack, "schedule updates <#C1|general> off")
    out = await _said(slack, "schedule updates")
    assert "aren't posted in its thread" in out, out
    assert "/narrate schedule updates #general thread" in out, out


async def test_intros_schedule_alone_shows_when_suggestions_go_out(slack):
    out = await _said(slack, "intros schedule")
    assert "Connection suggestions go out mon at 10:00 (UTC), with a follow-up thu" in out, out
    assert "/narrate intros schedule mon 10:00 Europe/Berlin" in out, out
    await _said(slack, "intros schedule wed 09:15 Europe/Paris")
    out = await _said(slack, "intros schedule")
    assert "go out wed at 09:15 (Europe/Paris), with a follow-up sat at 09:15" in out, out
