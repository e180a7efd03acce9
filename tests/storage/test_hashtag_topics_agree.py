"""A talk word ("tweak", "caveat") is a topic only where its narration writes it as a hashtag,
and the topic extractor and the read-time filter (``storage.topic_filter``) tell a hashtag the
same way: a "#" glued to a word or to a link's part starts none ("ops#tweak", "…/guide/#tweak",
"[list](#tweak)"). Before, the extractor stored "tweak" from "ops#tweak" and said so in the
confirmation ("Topics: tweak, ops, cache"), while the topic map never showed it."""

from __future__ import annotations

import itertools

from sqlalchemy import literal
from sqlalchemy import select as sa_select

from narrate_bot.knowledge.topics import extract_topics
from narrate_bot.storage.topic_filter import _WrittenAsHashtag

BEFORE = ("", " ", "ops", "C", "1", "_", "é", "—", "“", "/", "(", "[see](", "?x=", "&", ".", "@")
AFTER = ("", " cache", "s", "s.", "é", "”", "-up", ".", ")", "_x", "!", "ing")


async def test_the_extractor_stores_a_talk_word_where_the_filter_reads_it(db):
    texts = [f"{a}#{word}{b}" for a, b in itertools.product(BEFORE, AFTER) for word in ("tweak",)]
    texts += ["#Tweak the cache", "#TWEAKS done", "ops #tweak", "ops#tweak the cache"]
    async with db.transaction() as session:
        connection = await session.connection()
        read = {
            body: bool(
                (
                    await connection.execute(
                        sa_select(_WrittenAsHashtag(literal(body), literal("tweak")))
                    )
                ).scalar_one()
            )
            for body in texts
        }
    stored = {body: "tweak" in extract_topics(body) for body in texts}
    assert {body for body, kept in stored.items() if kept} <= {b for b, r in read.items() if r}
    # Equal but where a hyphen joins a word on ("#tweak-up"): the filter reads "#tweak" there,
    # the extractor stores "tweak-up", so no "tweak" is stored for the filter to read.
    assert {b: r for b, r in stored.items() if "-up" not in b} == {
        b: r for b, r in read.items() if "-up" not in b
    }
    assert read["ops #tweak"] and not read["ops#tweak the cache"]  # both ways are exercised


async def test_a_hashtag_glued_to_a_word_is_no_topic_in_the_confirmation(chat):
    said = await chat.say("alice in #general: /narrate ops#tweak of the cache warmers")
    assert "tweak" not in said.lower().split("topics:")[-1], said
    said = await chat.say("alice in #general: /narrate a #tweak of the cache warmers")
    assert "tweak" in said.lower().split("topics:")[-1], said
    assert "tweak" in await chat.say("alice: /narrate topics")
