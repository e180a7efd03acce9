"""Wherever introductions are described to people, they are named with the workspace's own
cadence: nobody where rounds run every other week is promised weekly introductions, those who
haven't joined least of all."""

from __future__ import annotations


async def _biweekly(chat) -> None:
    await chat.say(":admin alice", "alice: /narrate intros cadence biweekly")


async def test_someone_not_in_yet_hears_every_other_week_where_rounds_run_so(chat):
    await _biweekly(chat)
    for line in (
        "zoe: /narrate intros leave",
        "zoe: /narrate intros every 2w",
        "zoe: /narrate intros skip 3w",
        "zoe: /narrate intros",
        "zoe: /narrate intros help",
        "zoe: /narrate help",
    ):
        out = await chat.say(line)
        assert "weekly introductions" not in out, line
        assert "once a week" not in out, line
    assert "not in the introductions, which run every other week here" in await chat.say(
        "zoe: /narrate intros leave"
    )
    out = await chat.say("zoe: /narrate intros help")
    assert "skip (your next round)" in out and "Rounds run every other week here." in out
    joined = await chat.say("zoe@ops: /narrate intros join")
    assert "You're in the introductions, which run every other week here: every other week" in (
        joined
    )
    assert "which run every other week here" in await chat.say("zoe: /narrate intros join")
    left = await chat.say("zoe: /narrate intros leave")
    assert "You've left the introductions, which run every other week here." in left


async def test_a_weekly_workspace_still_says_weekly(chat):
    assert "You're in the weekly introductions: once a week" in await chat.say(
        "zoe@ops: /narrate intros join"
    )
    out = await chat.say("zoe: /narrate intros help")
    assert "skip (next week)" in out and "Rounds run every week here." in out
