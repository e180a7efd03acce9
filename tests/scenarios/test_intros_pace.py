"""Introductions at a pace people choose, through the console with its scheduler running:
``:advance 7d`` passes a week, and with it Monday 10:00 UTC's round and Thursday's follow-up.

Personal: ``intros skip`` (next week), ``skip 3w``, ``skip until <date>``, ``skip off``, and
``intros every 2w`` (left out of the round after each introduction). The workspace's:
``intros cadence biweekly`` (admins), a round every other week and nothing in between."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.config import Settings
from narrate_bot.features import intros
from narrate_bot.features.schedule_jobs import tick
from narrate_bot.storage.intro_tables import IntroParticipant
from narrate_bot.storage.tables import Person, TenantSetting
from narrate_bot_adapters.console.adapter import TENANT
from tests.helpers import Chat

# "Introduction #3: @alice (t0), meet @bob (t1)." (or a trio's "…, meet each other")
INTRODUCED = re.compile(r"Introduction #(\d+): ([^\n]+?, meet [^\n]+?)\.\n")
ASKED = "did you get to meet"


async def _everyone(chat, people: list[str]) -> None:
    """Each joins (one team each) and narrates about kafka: anyone may meet anyone."""
    for i, person in enumerate(people):
        await chat.say(
            f"{person}@team{i}: /narrate intros join",
            f"{person}: /narrate kafka consumer lag on the ledger topic",
        )


def _introduced(out: str) -> set[str]:
    """Who this stretch of console output introduced (each introduction counted once)."""
    seen: dict[str, str] = {}
    for number, group in INTRODUCED.findall(out):
        seen[number] = group
    return {name for group in seen.values() for name in re.findall(r"@(\w+)", group)}


def _count(out: str) -> int:
    return len({number for number, _ in INTRODUCED.findall(out)})


async def _weeks(chat, count: int) -> list[str]:
    """``count`` weeks of the scheduler, each week's output apart."""
    return [await chat.say(":advance 7d") for _ in range(count)]


PEOPLE = ["alice", "bob", "carol", "dan", "erin", "fay", "gil", "hal"]


async def test_skip_three_weeks_leaves_me_out_of_three_rounds_then_i_am_back(chat):
    await _everyone(chat, PEOPLE)
    out = await chat.say("alice: /narrate intros skip 3w")
    assert "no introductions for you until 2026-12-14" in out
    assert "/narrate intros skip off undoes it" in out
    status = await chat.say("alice: /narrate intros")
    assert "You're skipping introductions until 2026-12-14" in status
    weeks = await _weeks(chat, 4)
    for week in weeks[:3]:
        assert _count(week) >= 3, "the others still meet"
        assert "alice" not in _introduced(week)
    assert "alice" in _introduced(weeks[3])
    assert "skipping" not in await chat.say("alice: /narrate intros")


async def test_skip_until_a_date_is_read_on_my_calendar(chat):
    await _everyone(chat, PEOPLE)
    await chat.say("alice: /narrate timezone Asia/Tokyo")
    # Thursday 10 Dec: the rounds of 23 Nov, 30 Nov and 7 Dec pass her by; 14 Dec has her.
    out = await chat.say("alice: /narrate intros skip until 2026-12-10")
    assert "no introductions for you until 2026-12-10" in out
    weeks = await _weeks(chat, 4)
    assert [("alice" in _introduced(w)) for w in weeks] == [False, False, False, True]


async def test_skip_until_a_weekday_and_skip_off(chat):
    await _everyone(chat, PEOPLE)
    out = await chat.say("alice: /narrate intros skip until friday")
    assert "no introductions for you until 2026-11-27" in out
    out = await chat.say("alice: /narrate intros skip off")
    assert "back in the introductions from the next round" in out
    assert "skipping" not in await chat.say("alice: /narrate intros")
    assert "weren't skipping" in await chat.say("alice: /narrate intros skip off")
    [week] = await _weeks(chat, 1)
    assert "alice" in _introduced(week)


async def test_plain_skip_and_its_button_skip_the_next_round_named_by_its_date(chat):
    # Monday 23 Nov, 08:00 UTC: the next round is today's at 10:00, not next week's. The reply
    # said "no introduction for you next week" while today's round went on without her.
    await _everyone(chat, PEOPLE)
    out = await chat.say("alice: /narrate intros skip")
    assert "Done: no introduction for you in the next round (2026-11-23)" in out
    assert "you're back in from the round after. /narrate intros skip off undoes it." in out
    assert "next week" not in out
    weeks = await _weeks(chat, 2)
    assert "(button) Skip me next week: /narrate intros skip" in weeks[1]
    assert [("alice" in _introduced(w)) for w in weeks] == [False, True]


async def test_plain_skip_after_todays_round_ran_skips_next_weeks(chat):
    await _everyone(chat, PEOPLE)
    today = await chat.say(":advance 3h")  # Monday 23 Nov, 11:00 UTC: today's round ran
    assert "alice" in _introduced(today)
    out = await chat.say("alice: /narrate intros skip")
    assert "Done: no introduction for you in the next round (2026-11-30)" in out
    weeks = await _weeks(chat, 2)
    assert [("alice" in _introduced(w)) for w in weeks] == [False, True]


async def test_every_two_weeks_introduces_me_on_alternate_weeks_only(chat):
    await _everyone(chat, PEOPLE)
    out = await chat.say("alice: /narrate intros every 2w")
    assert "at most one introduction every 2 weeks" in out
    assert "left out of the next round after each one" in out
    assert "at most every 2 weeks" in await chat.say("alice: /narrate intros")
    weeks = await _weeks(chat, 5)
    assert [("alice" in _introduced(w)) for w in weeks] == [True, False, True, False, True]
    assert all(_count(w) >= 3 for w in weeks), "everyone else meets every week"
    # Back to weekly: the week right after an introduction has her again.
    assert "every week again" in await chat.say("alice: /narrate intros every week")
    assert "alice" in _introduced((await _weeks(chat, 1))[0])


async def test_every_four_weeks_and_leaving_forgets_it(chat):
    await _everyone(chat, PEOPLE)
    out = await chat.say("alice: /narrate intros every monthly")
    assert "left out of the next 3 rounds after each one" in out
    weeks = await _weeks(chat, 5)
    assert [("alice" in _introduced(w)) for w in weeks] == [True, False, False, False, True]
    await chat.say("alice: /narrate intros leave", "alice: /narrate intros join")
    assert "every week" in await chat.say("alice: /narrate intros every")


async def test_a_biweekly_workspace_has_no_round_and_no_follow_up_in_its_off_weeks(chat, bot):
    await _everyone(chat, PEOPLE[:6])
    refused = await chat.say("bob: /narrate intros cadence biweekly")
    assert "Only a workspace admin" in refused
    out = await chat.say(":admin alice", "alice: /narrate intros cadence biweekly")
    assert "every other week" in out
    assert "every other week" in await chat.say("bob: /narrate intros cadence")
    weeks = await _weeks(chat, 3)
    assert [_count(w) for w in weeks] == [3, 0, 3]
    assert ASKED in weeks[0] and ASKED in weeks[2] and ASKED not in weeks[1]
    # Now Monday 08:00 of another off week: asked before its slot, the job has nothing to do,
    # however often, and claims nothing.
    assert await bot.introductions.weekly(tenant=TENANT, now=bot.clock.now()) == []
    assert await bot.introductions.weekly(tenant=TENANT, now=bot.clock.now()) == []
    stats = await chat.say("bob: /narrate stats")
    assert "• 6 suggested" in stats
    # Weekly again: this week has its round after all, once.
    await chat.say("alice: /narrate intros cadence weekly")
    [week] = await _weeks(chat, 1)
    assert _count(week) >= 2
    that_week = bot.clock.now() - timedelta(days=6)
    assert await bot.introductions.weekly(tenant=TENANT, now=that_week) == []


async def test_a_biweekly_workspace_runs_the_week_after_turning_it_on_if_none_ran_before(chat, bot):
    await _everyone(chat, PEOPLE[:4])
    await chat.say(":admin alice", "alice: /narrate intros cadence biweekly")
    await tick(bot, bot.clock.now())
    weeks = await _weeks(chat, 3)
    assert [_count(w) for w in weeks] == [2, 0, 2]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("alice: /narrate intros skip 13w", "Skip 1 to 12 weeks at a time"),
        ("alice: /narrate intros skip 0w", "Skip 1 to 12 weeks at a time"),
        ("alice: /narrate intros skip banana", "/narrate intros skip 3w (1 to 12 weeks)"),
        ("alice: /narrate intros skip until 2026-11-01", "has already passed"),
        ("alice: /narrate intros skip until today", "is today"),
        ("alice: /narrate intros skip until 2028-01-05", "more than a year away"),
        ("alice: /narrate intros skip until blursday", "Give a date"),
        ("alice: /narrate intros every 3w", "/narrate intros every 2w"),
        ("alice: /narrate intros every sometimes", "/narrate intros every 4w (monthly)"),
        ("alice: /narrate intros cadence monthly", "/narrate intros cadence biweekly"),
    ],
)
async def test_what_i_cannot_mean_gets_the_forms_and_changes_nothing(chat, line, expected):
    await _everyone(chat, PEOPLE[:2])
    await chat.say(":admin alice")
    out = await chat.say(line)
    assert expected in out
    assert "Done" not in out
    status = await chat.say("alice: /narrate intros")
    assert "skipping" not in status and "at most" not in status
    assert "every week here" in await chat.say("alice: /narrate intros cadence")
    [week] = await _weeks(chat, 1)
    assert _introduced(week) == {"alice", "bob"}


async def test_someone_not_taking_part_is_told_how_to(chat):
    assert "nothing to skip" in await chat.say("zoe: /narrate intros skip 3w")
    assert "/narrate intros join adds you" in await chat.say("zoe: /narrate intros every 2w")


async def test_my_pace_is_in_my_export_and_forget_me_erases_it(chat, db):
    await _everyone(chat, PEOPLE[:2])
    await chat.say("alice: /narrate intros every 4w", "alice: /narrate intros skip 2w")
    out = await chat.say("alice: /narrate export")
    data = json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())["introductions"]
    assert data["every_weeks"] == 4 and data["skip_until"].startswith("2026-12-07")
    await chat.say("alice: /narrate forget-me", "alice: /narrate forget-me confirm")
    async with db.transaction() as session:
        keys = (await session.exec(select(TenantSetting.key))).all()
    assert not [k for k in keys if k.startswith("intros.every")]
    # Joining again starts at the default pace.
    await chat.say("alice@team0: /narrate intros join", "alice: /narrate kafka lag")
    assert "You may be introduced every week." in await chat.say("alice: /narrate intros every")


async def _biweekly(chat, people: list[str]) -> list[str]:
    """A workspace whose admins chose a round every other week, its first round run."""
    await _everyone(chat, people)
    await chat.say(":admin alice", "alice: /narrate intros cadence biweekly")
    return await _weeks(chat, 1)


async def test_skip_in_a_biweekly_workspace_skips_the_next_round_that_runs(chat):
    # The round of Monday 23 Nov ran; 30 Nov has none, 7 Dec is the next. The skip button
    # and the plain skip used to end on 30 Nov, before the next round: no skip. The button said
    # "Skip me next week", a week without a round here: it says "Skip my next round".
    [first] = await _biweekly(chat, PEOPLE[:6])
    assert "bob" in _introduced(first) and "Skip my next round: /narrate intros skip" in first
    assert "Skip me next week" not in first
    out = await chat.say("bob: /narrate intros skip")
    assert "no introduction for you in the next round (2026-12-07)" in out
    assert "you're back in from the round after" in out
    assert "You're skipping introductions until 2026-12-14" in await chat.say(
        "bob: /narrate intros"
    )
    weeks = await _weeks(chat, 4)
    assert [_count(w) for w in weeks] == [0, 2, 0, 3]
    assert [("bob" in _introduced(w)) for w in weeks] == [False, False, False, True]


async def test_skip_in_a_biweekly_off_week_skips_the_round_of_next_week(chat):
    await _biweekly(chat, PEOPLE[:6])  # the round of 23 Nov ran; now Monday 30 Nov, 08:00 UTC
    off = await chat.say(":advance 1d")  # Tuesday 1 Dec, an off week: the next round is Monday
    assert _count(off) == 0
    out = await chat.say("bob: /narrate intros skip")
    assert "no introduction for you in the next round (2026-12-07)" in out
    weeks = await _weeks(chat, 3)
    assert [_count(w) > 0 for w in weeks] == [True, False, True]
    assert [("bob" in _introduced(w)) for w in weeks] == [False, False, True]


async def test_every_in_a_biweekly_workspace_says_what_it_does_there(chat):
    await _biweekly(chat, PEOPLE)
    out = await chat.say("bob: /narrate intros every 2w")
    assert "at most one introduction every 2 weeks" in out
    assert "every other week here, so that changes nothing for now" in out
    assert "left out" not in out
    weeks = await _weeks(chat, 4)
    assert [("bob" in _introduced(w)) for w in weeks] == [False, True, False, True]
    out = await chat.say("bob: /narrate intros every 4w")
    assert "every other week here, so you're left out of the next round after each one" in out
    weeks = await _weeks(chat, 6)
    assert [_count(w) > 0 for w in weeks] == [False, True, False, True, False, True]
    assert [("bob" in _introduced(w)) for w in weeks] == [False, False, False, True, False, False]


@pytest.mark.parametrize(
    ("line", "passed"),
    [
        ("alice: /narrate intros skip until nov 22", "22 Nov has passed; did you mean 2027-11-22?"),
        ("alice: /narrate intros skip until 20 oct", "20 Oct has passed; did you mean 2027-10-20?"),
    ],
)
async def test_skip_until_a_day_and_month_that_just_passed_is_refused(chat, line, passed):
    # Today is Monday 23 Nov 2026: read as next year's, these were 364 and 331 days away.
    await _everyone(chat, PEOPLE[:2])
    out = await chat.say(line)
    assert passed in out and "Say it with the year" in out and "Nothing was changed" in out
    assert "Done" not in out and "skipping" not in await chat.say("alice: /narrate intros")
    # With the year, it is taken as said.
    out = await chat.say("alice: /narrate intros skip until 22 nov 2027")
    assert "no introductions for you until 2027-11-22" in out
    # Still read forward: a day a few weeks on, or early next year.
    assert "until 2026-12-20" in await chat.say("alice: /narrate intros skip until dec 20")
    assert "until 2027-01-05" in await chat.say("alice: /narrate intros skip until 5 jan")


async def test_skip_until_dec_20_said_on_dec_21_is_refused(chat, clock):
    await _everyone(chat, PEOPLE[:2])
    clock.advance(timedelta(days=28))  # Monday 21 Dec
    out = await chat.say("alice: /narrate intros skip until dec 20")
    assert "20 Dec has passed; did you mean 2027-12-20? Say it with the year." in out
    assert "skipping" not in await chat.say("alice: /narrate intros")


async def _blocked_by(db, writer: int) -> bool:
    """Whether some PostgreSQL backend waits for a lock held by backend ``writer``."""
    blocked = text("SELECT COUNT(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))")
    async with db.engine.connect() as conn:
        return bool((await conn.execute(blocked, {"pid": writer})).scalar_one())


@pytest.mark.parametrize(
    "line", ["alice: /narrate intros every 4w", "alice: /narrate intros skip 3w"]
)
async def test_my_pace_set_while_a_forget_me_commits_is_erased_with_the_rest(
    db, chat, clock, tmp_path, monkeypatch, line
):
    """Two replicas on one PostgreSQL database: the forget-me is confirmed on the other while
    this one is about to write the pace. It read the person without holding their row, so the
    erasure ran through and the pace was written after it: intros.every.<id> outlived
    "I erased everything". Now the erasure waits for the write and erases it too."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite serializes writers: a forget-me can't run between read and write")
    await chat.say(
        "alice@t0: /narrate intros join", "alice: /narrate kafka lag", "alice: /narrate forget-me"
    )
    other = Chat.create(Bot(db=db, clock=clock, settings=Settings()), clock, export_dir=tmp_path)
    confirming: list[asyncio.Task[str]] = []
    real_setting, real_participant = intros.repo.set_setting, intros.intro_repo.participant

    async def other_replica_confirms(session) -> None:
        if not confirming:
            conn = await session.connection()
            writer = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            confirming.append(asyncio.create_task(other.say("alice: /narrate forget-me confirm")))
            # Either it erases everything now, or it waits for this write's transaction: seen
            # in PostgreSQL's locks, not guessed from how long it took.
            while not confirming[0].done() and not await _blocked_by(db, writer):
                await asyncio.sleep(0.01)

    async def setting_racing(session, **kw):
        if kw["key"].startswith("intros.every."):
            await other_replica_confirms(session)
        return await real_setting(session, **kw)

    async def participant_racing(session, **kw):
        row = await real_participant(session, **kw)
        if "skip" in line:
            await other_replica_confirms(session)
        return row

    monkeypatch.setattr(intros.repo, "set_setting", setting_racing)
    monkeypatch.setattr(intros.intro_repo, "participant", participant_racing)
    out = await chat.say(line)
    erased = await confirming[0]
    assert "I erased everything about you" in erased
    assert "Done" in out, out
    async with db.transaction() as session:
        keys = (await session.exec(select(TenantSetting.key))).all()
        kept = (await session.exec(select(IntroParticipant))).all()
        people = (await session.exec(select(Person.user_id))).all()
    assert not [k for k in keys if k.startswith("intros.every.")], keys
    assert not kept and "alice" not in people
