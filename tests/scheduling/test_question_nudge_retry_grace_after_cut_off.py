"""A first "still open?" DM's retry due by its question's 42-day cut-off goes out until the
schedules' grace after it: a wake-up comes up to a tick after the due time it was told, and a
replica past the cut-off must not drop a retry another is about to claim (a8961be cleared it).

A retry is set up waiting (its first DM taken nothing of on day 14), then its ``retry_at`` is
moved to the moment under test. Replicas are other ``Bot`` objects on the same database, each
with its own recording gateway; races are driven step by step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select

from narrate_bot.app import Bot
from narrate_bot.config import Settings
from narrate_bot.events import Platform, TenantRef
from narrate_bot.features import question_nudges
from narrate_bot.ports import NotPosted
from narrate_bot.replies import Post
from narrate_bot.storage import question_nudges as store
from narrate_bot.storage.question_tables import OpenQuestion, QuestionNudge
from narrate_bot.storage.tables import Person

CUT = timedelta(days=14 * store.TOO_OLD)


@dataclass
class Gateway:
    """Keeps each "still open?" DM; ``refuse`` makes the next ones ``NotPosted``."""

    refuse: int = 0
    asked: list[Post] = field(default_factory=list)

    async def post(self, tenant: TenantRef, post: Post) -> str:
        if "is it still open?" in post.text:
            if self.refuse:
                self.refuse -= 1
                raise NotPosted("service_unavailable")
            self.asked.append(post)
        return f"m{len(self.asked)}"


def _replica(bot: Bot) -> tuple[Bot, Gateway]:
    gateway = Gateway()
    other = Bot(db=bot.db, clock=bot.clock, settings=Settings())
    other.gateways[Platform.CONSOLE] = gateway
    return other, gateway


async def _retry_waiting(chat, bot: Bot, *, retry_at_from_cut: timedelta) -> datetime:
    """Zoe's question, its first DM refused on day 14; its retry moved to the cut-off plus
    ``retry_at_from_cut``. Returns the cut-off."""
    await chat.say(
        ":channel #team public",
        "alice: /narrate questions-channel #team",
        "zoe: /narrate ask-channel #team who knows cobol?",
    )
    one, gateway = _replica(bot)
    gateway.refuse = 1
    day14 = bot.clock.now() + timedelta(days=14)
    bot.clock.set(day14)
    assert await question_nudges.send_due(one, day14) == 0
    async with bot.db.transaction() as session:
        [question] = (await session.exec(select(OpenQuestion))).all()
        cut = store._aware(question.asked_at) + CUT
        [nudge] = (await session.exec(select(QuestionNudge))).all()
        assert nudge.retry_at is not None and nudge.attempts == 1
        await session.exec(
            update(QuestionNudge)
            .where(col(QuestionNudge.question_id) == question.id)
            .values(retry_at=cut + retry_at_from_cut)
        )
    return cut


async def _retry_at(bot: Bot) -> datetime | None:
    async with bot.db.snapshot() as session:
        [nudge] = (await session.exec(select(QuestionNudge))).all()
        return nudge.retry_at


async def test_a_retry_due_at_the_cut_off_itself_goes_out(chat, bot: Bot):
    """Coverage: the boundary on both engines (due() and the drop both include equality)."""
    cut = await _retry_waiting(chat, bot, retry_at_from_cut=timedelta(0))
    one, gateway = _replica(bot)
    bot.clock.set(cut)
    assert await question_nudges.next_due(one, after=None, until=cut) == cut
    assert await question_nudges.send_due(one, cut) == 1 and len(gateway.asked) == 1
    assert await _retry_at(bot) is None
    assert await question_nudges.next_due(one, after=None, until=cut + timedelta(days=1)) is None


async def test_a_retry_due_before_the_cut_off_goes_out_at_a_wakeup_just_after_it(chat, bot: Bot):
    """With a real clock the wake-up comes up to ``schedule_tick_seconds`` (30 s) after the due
    time the schedule reported: a retry due 1 s before the cut-off is handled at cut + 20 s,
    not sent (``_within_cut_off`` reads the wake-up's now, ``next_due_at`` the retry's own
    due time), and cleared for good (not sent before a8961be either). Now sent until the
    schedules' grace after the cut-off, and the wake-up schedule reports the drop then."""
    cut = await _retry_waiting(chat, bot, retry_at_from_cut=-timedelta(seconds=1))
    one, gateway = _replica(bot)
    assert await question_nudges.next_due(one, after=None, until=cut) == cut - timedelta(seconds=1)
    wakeup = cut + timedelta(seconds=20)
    bot.clock.set(wakeup)
    await question_nudges.send_due(one, wakeup)
    assert len(gateway.asked) == 1


async def test_a_retry_due_in_time_but_unsent_is_dropped_after_the_grace(chat, bot: Bot):
    """Its asker left: the retry due by the cut-off is reported due at the cut-off plus the
    grace, and dropped then, not at the cut-off (a replica there may be claiming it)."""
    cut = await _retry_waiting(chat, bot, retry_at_from_cut=-timedelta(seconds=1))
    one, gateway = _replica(bot)
    grace = timedelta(minutes=one.settings.schedule_grace_minutes)
    async with bot.db.transaction() as session:
        await session.exec(update(Person).values(consent=store.LEFT))
    assert await question_nudges.next_due(one, after=cut, until=cut + 2 * grace) == cut + grace
    assert await question_nudges.send_due(one, cut + timedelta(seconds=1)) == 0
    assert await _retry_at(bot) is not None
    assert await question_nudges.send_due(one, cut + grace) == 0
    assert await _retry_at(bot) is None and gateway.asked == []


async def test_a_retry_held_past_the_cut_off_is_dropped_at_the_cut_off(chat, bot: Bot):
    """Coverage (a8961be): due after the cut-off, it is reported and dropped at the cut-off."""
    cut = await _retry_waiting(chat, bot, retry_at_from_cut=timedelta(minutes=1))
    one, gateway = _replica(bot)
    assert await question_nudges.next_due(one, after=None, until=cut) == cut
    assert await question_nudges.send_due(one, cut) == 0
    assert await _retry_at(bot) is None and gateway.asked == []


async def test_a_replica_past_the_cut_off_does_not_drop_a_retry_another_is_sending(
    chat, bot: Bot, monkeypatch
):
    """Replica A wakes 1 s before the cut-off and reads the retry as due; before it claims it
    (its batch's earlier DMs are slow), replica B wakes 1 s after the cut-off and clears the
    retry_at; A's claim then finds nothing to claim and the DM, due within the cut-off, is
    never sent. Before a8961be A sent it. Now B, within the grace, sends it (or A does): once."""
    cut = await _retry_waiting(chat, bot, retry_at_from_cut=-timedelta(seconds=5))
    (a, sent_by_a), (b, sent_by_b) = _replica(bot), _replica(bot)
    claim_retry = store.claim_retry
    raced: list[int] = []

    async def b_wakes_then_claim(session, **kwargs):
        if not raced:
            raced.append(-1)
            raced[0] = await question_nudges.send_due(b, cut + timedelta(seconds=1))
        return await claim_retry(session, **kwargs)

    monkeypatch.setattr(store, "claim_retry", b_wakes_then_claim)
    await question_nudges.send_due(a, cut - timedelta(seconds=1))
    assert len(raced) == 1
    assert len(sent_by_a.asked) + len(sent_by_b.asked) == 1
