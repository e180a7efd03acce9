"""An introduction that reached nobody (its group DM failed every try) is never answered about,
so ``/narrate stats`` agrees with what its people were shown: "happened" counts only
introductions that went out ("suggested"), never one answered "met" without reaching anyone.

* ``/narrate-intros mine`` lists it without "how did it go?", saying it hasn't reached anyone;
* ``met`` / ``not-useful`` on it say so and record nothing;
* a "met" kept for one that never went out (answered before it was given up, or by an older
  version) counts nowhere in stats.

Through the real client against the fake, the round through the real scheduler."""

from __future__ import annotations

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.features.schedule_jobs import tick
from narrate_bot.storage import intro_stats

from .fake import ALICE, CAROL, FakeDiscord
from .test_intro_dms_partly_sent import UNAVAILABLE
from .test_intro_unreached_marks_hold import _at, _join, _sends


async def _say(fake: FakeDiscord, sub: str, *, by: dict[str, str], **options: str) -> str:
    answer = await fake.answer(await fake.slash("narrate-intros", sub=sub, who=by, **options))
    return str(answer["data"].get("content"))


async def _nobody_reached(fake: FakeDiscord, bot: Bot, clock) -> None:  # type: ignore[no-untyped-def]
    await _join(fake, ALICE, CAROL)
    for who in (ALICE, CAROL):
        fake.fail("POST", rf"^/channels/8{who['id']}/messages$", 503, UNAVAILABLE, times=500)
    await tick(bot, clock.now())
    for minute in (0, 1, 3, 7, 15, 31):
        await _at(bot, clock, minute)
    assert await _sends(bot) == ["failed"]
    fake._failures.clear()


async def _feedback_rows(bot: Bot) -> int:
    async with bot.db.engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM intro_feedback"))).scalar_one())


async def test_an_introduction_that_reached_nobody_is_not_answered_about(
    fake, bot: Bot, clock, connect
):
    await connect(bot)
    await _nobody_reached(fake, bot, clock)

    mine = await _say(fake, "mine", by=ALICE)
    assert "#1 (" in mine and f"<@{CAROL['id']}>" in mine
    assert "how did it go?" not in mine and "hasn't reached you or them" in mine

    met = await _say(fake, "met", by=ALICE, number="1")
    assert "Glad you met" not in met and "hasn't reached you or them" in met
    useless = await _say(fake, "not-useful", by=CAROL, number="1")
    assert "noted" not in useless and "hasn't reached you or them" in useless
    assert await _feedback_rows(bot) == 0

    stats = await _say(fake, "stats", by=ALICE)
    assert stats.startswith("No introductions yet."), stats


async def test_a_met_kept_for_an_introduction_that_never_went_out_counts_nowhere(
    fake, bot: Bot, clock, connect
):
    await connect(bot)
    await _nobody_reached(fake, bot, clock)
    async with bot.db.engine.begin() as conn:  # answered before it was given up
        await conn.execute(
            text(
                "INSERT INTO intro_feedback (introduction_id, person_id, outcome, at) "
                "SELECT introduction_id, person_id, 'met', CURRENT_TIMESTAMP FROM intro_member"
            )
        )
        tenant_id = (await conn.execute(text("SELECT tenant_id FROM introduction"))).scalar_one()
    async with bot.db.transaction() as session:
        figures = await intro_stats.outcomes(session, tenant_id=tenant_id, now=clock.now())
    assert (figures.suggested, figures.happened, figures.cross_team_ties) == (0, 0, 0)
    assert (figures.questions_answered, figures.happened_by_team) == (0, {})
    mine = await _say(fake, "mine", by=ALICE)
    assert "you met" in mine  # what they said is still shown to them
    assert (await _say(fake, "stats", by=ALICE)).startswith("No introductions yet.")
