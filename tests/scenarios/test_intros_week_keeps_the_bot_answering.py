"""Working out a week's introductions takes tens of seconds of CPU for thousands of people. It
used to run on the event loop inside the job's write transaction: every command waited (on
SQLite it failed with "database is locked" after the busy timeout) and Slack's 3-second
acknowledgements lapsed. These tests hold the pairing step open, the way a large workspace does,
and check what people notice meanwhile."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta

import pytest

from narrate_bot.features import schedule_delivery
from narrate_bot.knowledge.pairing import Pairing
from narrate_bot_adapters.console.adapter import TENANT

HOLD_S = 60  # only so a broken run ends: a pairing step run off the loop waits for the test


class HeldPairing:
    """``Pairing.plan`` made to wait until the test has done its part, as a big week would.

    Run on the event loop's own thread (as it used to be), waiting would block the very commands
    the test must send: it doesn't wait and records that nothing was served meanwhile, so the
    test fails at once, decided by where the step ran rather than by a timeout a loaded machine
    could reach."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, *, clock=None, takes: timedelta | None = None
    ) -> None:
        self.started = threading.Event()
        self.released = threading.Event()
        self.served_meanwhile: bool | None = None
        self.runs = 0
        self.renewed = threading.Condition()
        self.renewals: list[datetime] = []  # the clock's time at each renewal that held
        original = Pairing.plan
        loop_thread = threading.get_ident()  # made by the test, on the event loop's thread

        def held(pairing: Pairing) -> list:  # type: ignore[type-arg]
            self.runs += 1
            self.started.set()
            on_the_loop = threading.get_ident() == loop_thread
            self.served_meanwhile = not on_the_loop and self.released.wait(timeout=HOLD_S)
            if takes is not None:  # every run takes this long on the bot's clock, in steps
                for _ in range(10):
                    clock.advance(takes / 10)
                    with self.renewed:  # a step a fifth of the lease, once renewed at its time
                        assert self.renewed.wait_for(self._renewed_by(clock.now()), HOLD_S), (
                            "the lease wasn't renewed while the week was worked out"
                        )
            return original(pairing)

        monkeypatch.setattr(Pairing, "plan", held)
        if clock is not None:
            real_hold = schedule_delivery._hold

            async def hold(bot, session, send_id, owner, now) -> bool:  # type: ignore[no-untyped-def]
                moment = clock.now()
                kept = await real_hold(bot, session, send_id, owner, now)
                if kept:
                    with self.renewed:
                        self.renewals.append(moment)
                        self.renewed.notify_all()
                return kept

            monkeypatch.setattr(schedule_delivery, "_hold", hold)

    def _renewed_by(self, moment: datetime):  # type: ignore[no-untyped-def]
        return lambda: any(t >= moment for t in self.renewals)

    async def wait_started(self) -> None:
        assert await asyncio.to_thread(self.started.wait, HOLD_S)


async def _people(chat, clock, *, later: bool = True) -> None:
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "erin@infra: /narrate intros join",
        "frank@mobile: /narrate intros join",
        "alice: /narrate kafka consumer lag",
        "carol: /narrate kafka consumer lag",
        "erin: /narrate terraform modules for the edge",
        "frank: /narrate terraform modules for mobile builds",
    )
    if later:
        clock.advance(timedelta(days=1))


async def test_commands_are_answered_while_the_week_is_worked_out(bot, chat, clock, monkeypatch):
    await _people(chat, clock)
    held = HeldPairing(monkeypatch)
    week = asyncio.create_task(bot.introductions.weekly(tenant=TENANT, now=clock.now()))
    await held.wait_started()
    # A narration is a write: on SQLite it needs the lock the old job held throughout.
    assert "Noted as #2" in await chat.say("carol: /narrate kafka lag alerts tuned")
    assert "@alice" in await chat.say("zoe: /narrate who kafka")
    held.released.set()
    posts = await week
    assert held.served_meanwhile is True
    assert sorted(tuple(sorted(p.to_users)) for p in posts if p.to_users) == [
        ("alice", "carol"),
        ("erin", "frank"),
    ]


async def test_someone_who_leaves_while_the_week_is_worked_out_is_not_introduced(
    bot, chat, clock, monkeypatch
):
    await _people(chat, clock)
    held = HeldPairing(monkeypatch)
    week = asyncio.create_task(bot.introductions.weekly(tenant=TENANT, now=clock.now()))
    await held.wait_started()
    assert "You've left the weekly introductions" in await chat.say("erin: /narrate intros leave")
    assert "never introduce you to @carol" in await chat.say("alice: /narrate never-pair @carol")
    held.released.set()
    posts = await week
    assert held.served_meanwhile is True
    # erin left, and alice asked never to meet carol: both introductions worked out for them
    # are dropped, not sent; nothing else about the week changes.
    assert [p for p in posts if p.to_users] == []
    assert "You're in the introductions; nobody yet." in await chat.say(
        "frank: /narrate intros mine"
    )
    # The week is taken: asking again gives nothing new.
    assert await bot.introductions.weekly(tenant=TENANT, now=clock.now()) == []


async def test_a_week_that_outlasts_the_lease_is_still_delivered_once(
    bot, chat, clock, monkeypatch
):
    """Worked out outside the transaction that holds the job's lease, the week keeps its lease
    renewed meanwhile: one that lapsed would be taken over and worked out again, forever."""
    monkeypatch.setattr(schedule_delivery, "_renew_every", lambda _bot: 0.01)
    await _people(chat, clock, later=False)
    await chat.say("alice: /narrate intros schedule mon 09:30 Europe/Berlin")
    lease = timedelta(seconds=bot.settings.schedule_lease_seconds)
    held = HeldPairing(monkeypatch, clock=clock, takes=lease * 2)
    held.released.set()
    out = await chat.say(":advance 30m")  # 09:30: the week's run
    assert held.runs == 1
    assert out.count("Introduction #1:") == 1 and out.count("Introduction #2:") == 1
    assert "Introduction #3:" not in out
    assert "Introduction #" not in await chat.say(":advance 1h")  # not worked out again
