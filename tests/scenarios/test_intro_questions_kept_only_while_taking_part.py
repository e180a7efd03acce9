"""Who-knows questions are remembered for introductions only while their asker takes part
(README, Introductions): ``intros leave`` and ``/narrate leave`` forget them, so a rejoin never
brings them back into a reason, and each week's round forgets those older than it reads."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from narrate_bot.storage.intro_tables import IntroAskedTopic
from narrate_bot_adapters.console.adapter import TENANT


async def _asked(bot) -> list[str]:
    async with bot.db.transaction() as session:
        rows = await session.exec(select(IntroAskedTopic).order_by(IntroAskedTopic.asked_at))
        return [a.topic for a in rows.all()]


async def test_intros_leave_forgets_the_questions_kept_for_introductions(bot, chat):
    await chat.say("alice@payments: /narrate intros join", "alice: /narrate who terraform")
    assert await _asked(bot) == ["terraform"]
    assert "You've left the weekly introductions" in await chat.say("alice: /narrate intros leave")
    assert await _asked(bot) == []


async def test_a_question_asked_before_leaving_is_not_cited_after_rejoining(bot, chat, clock):
    await chat.say(
        "alice@payments: /narrate intros join",
        "alice: /narrate shipped the ledger migration",
        "alice: /narrate who terraform",  # kept for introductions: she takes part
        "alice: /narrate intros leave",  # "remembered only while you take part"
        "carol@search: /narrate intros join",
        "carol: /narrate terraform modules for the new vpc",
        "alice: /narrate intros join",  # back at once
    )
    posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    text = "\n".join(p.text for p in posts)
    assert "Introduction #1: <@alice> (payments), meet <@carol> (search)." in text
    assert "asked about" not in text, text  # carol's terraform is hers; alice's question gone


async def test_narrate_leave_forgets_them_too_and_join_brings_none_back(bot, chat):
    await chat.say(
        "alice@payments: /narrate join",
        "alice: /narrate intros join",
        "alice: /narrate who terraform",
    )
    assert await _asked(bot) == ["terraform"]
    assert "You've left" in await chat.say("alice: /narrate leave")
    assert await _asked(bot) == []
    await chat.say("alice: /narrate join")
    assert await _asked(bot) == []
    await chat.say("alice: /narrate who kafka")  # taking part again: kept again
    assert await _asked(bot) == ["kafka"]


async def test_the_weekly_round_forgets_questions_older_than_it_reads(bot, chat, clock):
    await chat.say("alice@payments: /narrate intros join", "alice: /narrate who terraform")
    clock.advance(timedelta(days=85))
    await chat.say("alice: /narrate who kafka")
    clock.advance(timedelta(days=6))  # terraform: 91 days ago, past the three months read
    await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    assert await _asked(bot) == ["kafka"]
