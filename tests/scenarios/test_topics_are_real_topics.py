"""Topics name what the work is about, never how it stands: through the console.

Before, "stuck on postgres vacuum" was confirmed with "Topics: stuck, postgres, vacuum", and the
topic map, profiles, digests and introductions' reasons showed "blocked", "issue", "help" or
"per" ("you both narrated about issue"). New narrations no longer store such words as topics,
and the ones stored by earlier versions are left out wherever topics are read, without
rewriting anyone's narrations.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import col, select

from narrate_bot.replies import Post
from narrate_bot.storage.database import Database
from narrate_bot.storage.tables import Narration, NarrationTopic
from narrate_bot_adapters.console.adapter import TENANT

FILLER = ("stuck", "blocked", "blocker", "help", "issue", "problem", "bug", "per", "doc", "wip")


async def _stored_as_before(db: Database, *, containing: str, topics: list[str]) -> None:
    """Adds ``topics`` to the stored topics of every narration containing ``containing``, as an
    earlier version's extractor stored them (it kept "blocked", "issue", "help" ...)."""
    async with db.transaction() as session:
        rows = await session.exec(
            select(Narration).where(col(Narration.text).contains(containing, autoescape=True))
        )
        narrations = list(rows.all())
        assert narrations, containing
        for narration in narrations:
            assert narration.id is not None
            stored = await session.exec(
                select(NarrationTopic.topic).where(NarrationTopic.narration_id == narration.id)
            )
            had = set(stored.all())
            for topic in topics:
                if topic not in had:  # an earlier version may have stored it from the text
                    session.add(NarrationTopic(narration_id=narration.id, topic=topic))


def _topics_of_confirmation(out: str) -> list[str]:
    found = re.search(r"Topics: (.+?)\.\n", out)
    assert found, out
    return found.group(1).split(", ")


async def test_a_blocker_is_confirmed_with_what_it_is_about_not_that_it_blocks(chat):
    out = await chat.say(
        "alice: /narrate stuck on postgres vacuum, need help with the autovacuum issue per table"
    )
    assert _topics_of_confirmation(out) == ["postgres", "vacuum", "autovacuum", "table"]
    out = await chat.say("bob: /narrate blocked by the kafka acl bug, wip #blocked #kafka")
    assert _topics_of_confirmation(out) == ["kafka", "acl"]
    # Real topics are named as before, work words that are some team's subject included.
    out = await chat.say("carol: /narrate release build tests for the go sync package")
    assert _topics_of_confirmation(out) == ["release", "build", "test", "sync", "package"]


async def test_the_map_leaves_out_filler_stored_by_earlier_versions(db, chat):
    await chat.say(
        "bob: /narrate kafka consumer lag on the ledger topic",
        "bob: /narrate kafka broker upgrade, still blocked",
        "carol: /narrate kafka streams prototype",
        "erin: /narrate ledger reconciliation",
    )
    await _stored_as_before(db, containing="kafka", topics=["blocked", "issue", "help", "per"])
    out = await chat.say("zoe: /narrate topics")
    assert "1. kafka: 3 narrations · @bob (2), @carol (1)" in out
    assert "ledger: 2 narrations · @bob (1), @erin (1)" in out
    for word in FILLER:
        assert f" {word}:" not in out, out


async def test_a_profile_leaves_out_filler_stored_by_earlier_versions(db, chat):
    await chat.say(
        "bob: /narrate kafka consumer lag on the ledger topic",
        "bob: /narrate kafka broker upgrade, still blocked",
    )
    await _stored_as_before(db, containing="kafka", topics=["blocked", "issue", "help", "per"])
    out = await chat.say("zoe: /narrate profile @bob")
    assert "kafka" in out and "ledger" in out
    topics_line = next(line for line in out.splitlines() if "kafka" in line)
    for word in FILLER:
        assert not re.search(rf"\b{word}\b", topics_line), topics_line
    # Nothing stored was changed: the narrations read as written.
    assert "kafka broker upgrade, still blocked" in await chat.say("bob: /narrate mine")


async def _introduced(bot, chat, clock) -> list[Post]:
    clock.advance(timedelta(days=1))
    posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    for post in posts:
        await chat.adapter.post(TENANT, post)
    return [p for p in posts if p.to_users]


async def test_an_introduction_never_gives_a_filler_word_as_its_reason(db, bot, chat, clock):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate stuck on the ratelimiter issue again, need help",
        "alice: /narrate blocked: ratelimiter bug per merchant",
        "alice: /narrate ratelimiter problem, wip",
        "carol: /narrate stuck on the ratelimiter issue for search, help",
        "carol: /narrate blocked on a ratelimiter bug per shard",
        "carol: /narrate ratelimiter problem, wip",
    )
    # As an earlier version stored them: every one of these words, in each narration.
    await _stored_as_before(db, containing="ratelimiter", topics=list(FILLER))
    posts = await _introduced(bot, chat, clock)
    assert len(posts) == 1
    why = posts[0].text.split("Why: ", 1)[1].split("\n", 1)[0]
    assert "you both narrated about ratelimiter" in why, why
    for word in FILLER:
        assert not re.search(rf"\b{word}\b", why), why


async def test_the_digest_names_what_teams_share_not_that_both_were_blocked(db, chat):
    await chat.say(
        ":channel #team public",
        "alice@payments in #team: /narrate moving the ledger to kafka, blocked on acls",
        "bob@infra in #team: /narrate kafka broker upgrade, blocked on the change window",
    )
    await _stored_as_before(db, containing="kafka", topics=["issue", "help", "per"])
    await chat.say("alice: /narrate schedule digest #team on mon 12:00")
    out = await chat.say(":advance 7d")
    assert "Worked on by more than one team (worth a chat?):" in out
    assert "• kafka: infra, payments" in out
    for word in FILLER:
        assert f"• {word}:" not in out, out
