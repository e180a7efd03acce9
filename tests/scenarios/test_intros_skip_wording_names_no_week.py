"""What introductions' commands say names no week where rounds run every other week: the hint
for a mistyped ``/narrate skip``, the forms ``intros skip`` takes, the plain skip's answer when
no round is due soon ("no introduction for you next week. The week after, you're back in."),
and ``intros every`` / ``every week`` ("you may be introduced every week")."""

from __future__ import annotations

from narrate_bot.features import intros


async def _biweekly(chat) -> None:
    await chat.say(":admin alice", "alice: /narrate intros cadence biweekly")
    await chat.say("zoe@ops: /narrate intros join")


async def test_the_skip_hint_and_forms_name_the_next_round_not_next_week(chat):
    await _biweekly(chat)
    out = await chat.say("zoe: /narrate skip next week")
    assert "/narrate intros skip skips your next round of introductions" in out
    assert "next week's introduction" not in out
    out = await chat.say("zoe: /narrate intros skip fortnight")
    assert "I can't read “fortnight” as a skip. Say /narrate intros skip (your next round)" in out
    assert "(next week)" not in out


async def test_a_plain_skip_with_no_round_due_says_until_when(chat, monkeypatch):
    # Monday 23 Nov, 08:00 UTC; ``next_round`` finds none in the next three weeks.
    await _biweekly(chat)

    async def no_round(session, **kw):
        return None

    monkeypatch.setattr(intros, "next_round", no_round)
    out = await chat.say("zoe: /narrate intros skip")
    assert "Done: no introductions for you until 2026-11-30 (no round is due before then)" in out
    assert "you're back in from the first round after that" in out
    assert "week" not in out
    assert "You're skipping introductions until 2026-11-30" in await chat.say(
        "zoe: /narrate intros"
    )


async def test_every_week_where_rounds_run_every_other_week_says_every_round(chat):
    await _biweekly(chat)
    out = await chat.say("zoe: /narrate intros every")
    assert "You may be introduced in every round (every other week here)." in out
    await chat.say("zoe: /narrate intros every 4w")
    out = await chat.say("zoe: /narrate intros every week")
    assert "Done: you may be introduced in every round again." in out
    assert "every week again" not in out


async def test_a_weekly_workspace_still_says_every_week(chat):
    await chat.say("zoe@ops: /narrate intros join")
    assert "You may be introduced every week." in await chat.say("zoe: /narrate intros every")
    out = await chat.say("zoe: /narrate intros every week")
    assert "Done: you may be introduced every week again." in out
