"""What ``/narrate follow`` and ``unfollow`` say back, found by a newcomer review.

"unfollow all" was kept as a public narration and unfollowed nothing; "follow stuck" sent a
weekly list of who was struggling; "follow the billing service" and "delete the kafka one" were
kept as narrations; eleven topics at once got "you follow 0 ()"; several topics were "it"; and
"follow 404" spoke of matching questions.
"""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.storage.preference_tables import FOLLOW, TopicPreference
from narrate_bot.storage.tables import Narration


async def _followed(db) -> list[str]:
    async with db.transaction() as session:
        rows = (await session.exec(select(TopicPreference))).all()
    return sorted(r.topic for r in rows if r.kind == FOLLOW)


async def _narrations(db) -> list[str]:
    async with db.transaction() as session:
        return [n.text for n in (await session.exec(select(Narration))).all()]


async def test_unfollow_all_unfollows_every_topic_and_keeps_nothing(chat, db):
    await chat.say("carol: /narrate follow kafka, ledger migration")
    out = await chat.say("carol in #general: /narrate unfollow all")
    assert "Noted" not in out
    assert "Unfollowed kafka, ledger migration" in out and "You follow no topics." in out
    assert await _followed(db) == [] and await _narrations(db) == []
    out = await chat.say("carol in #general: /narrate follow all")
    assert "I follow topics one by one" in out and "Nothing was changed" in out
    assert await _followed(db) == [] and await _narrations(db) == []


async def test_status_words_are_not_followed(chat, db):
    out = await chat.say("carol: /narrate follow stuck")
    assert (
        "“stuck” says how work is going, not what it's about, so I don't follow it. Follow a "
        "subject, like kafka or ledger migration. Nothing was changed."
    ) in out
    out = await chat.say("carol: /narrate follow kafka, blocked help")
    assert "“blocked help” says how work is going" in out
    # The subject beside it is followed all the same (newcomer review, 2026-11-24).
    assert "Following kafka." in out and await _followed(db) == ["kafka"]
    # One subject word is enough: "stuck builds" is about builds.
    assert "Following stuck builds." in await chat.say("carol: /narrate follow kafka, stuck builds")


async def test_follow_the_billing_service_follows_it(chat, db):
    out = await chat.say("carol in #general: /narrate follow the billing service")
    assert "Following billing service." in out and "Noted" not in out
    out = await chat.say("carol in #general: /narrate unfollow the billing service")
    assert "Unfollowed billing service" in out and "Noted" not in out
    assert await _followed(db) == [] and await _narrations(db) == []
    # A sentence that opens with "follow the" is still work to keep.
    assert "Noted as #1" in await chat.say("carol in #general: /narrate follow the vendor up")


async def test_delete_the_kafka_one_is_answered_with_the_keep_offer(chat, db):
    await chat.say("alice in #general: /narrate tuned the kafka brokers")
    out = await chat.say("alice in #general: /narrate delete the kafka one")
    assert "Noted" not in out
    assert "To delete one: /narrate mine lists them with numbers" in out
    assert "(button) Keep as a narration: /narrate note delete the kafka one" in out
    assert await _narrations(db) == ["tuned the kafka brokers"]


async def test_too_many_topics_say_how_many(chat, db):
    eleven = ", ".join(f"topic{i}" for i in range(11))
    out = await chat.say(f"carol: /narrate follow {eleven}")
    assert (
        "That's 11 topics; you can follow up to 10. Nothing was changed: send up to 10, "
        "comma-separated."
    ) in out
    await chat.say("carol: /narrate follow grafana, kafka, ledger, postgres, vault")
    six = ", ".join(f"topic{i}" for i in range(6))
    out = await chat.say(f"carol: /narrate follow {six}")
    assert (
        "You follow 5 (grafana, kafka, ledger, postgres, vault); 6 more would make 11 of 10. "
        "/narrate unfollow <topic> frees one. Nothing was changed."
    ) in out
    assert await _followed(db) == ["grafana", "kafka", "ledger", "postgres", "vault"]


async def test_several_topics_are_them(chat):
    out = await chat.say("carol: /narrate follow kafka, postgres")
    assert "the newest narrations about them from the week" in out
    assert "/narrate unfollow <topic> stops one." in out
    out = await chat.say("carol: /narrate follow grafana")
    assert "about it from the week" in out and "/narrate unfollow grafana stops it." in out
    out = await chat.say("carol: /narrate unfollow kafka, postgres")
    assert "Unfollowed kafka, postgres: no more weekly messages about them." in out
    out = await chat.say("carol: /narrate unfollow grafana")
    assert "Unfollowed grafana: no more weekly messages about it." in out


async def test_a_common_word_is_too_common_to_follow(chat, db):
    out = await chat.say("carol: /narrate follow about")
    assert "“about” is too common a word to follow;" in out and "Nothing was changed" in out
    assert "match questions" not in out
    assert await _followed(db) == []


async def test_follow_it_or_the_names_no_topic_and_keeps_nothing(chat, db):
    """'follow the', 'follow this' and 'follow that one' were kept as a public narration
    ('Noted as #1. Topics: follow.'), and 'follow it' said 'it' was too common a word, as if
    a rarer pronoun would do. Words that only point at something say what to type instead."""
    for said in ("follow it", "follow the", "follow this", "follow that one", "follow it."):
        out = await chat.say(f"carol in #general: /narrate {said}")
        shown = said.removeprefix("follow ").rstrip(".")
        assert f"“{shown}” doesn't name a topic: /narrate follow <topic>" in out, out
        assert "Nothing was changed." in out and "Noted" not in out
    out = await chat.say("carol in dm: follow that one")
    assert "“that one” doesn't name a topic" in out and "Noted" not in out, out
    await chat.say("carol: /narrate follow kafka")
    out = await chat.say("carol: /narrate unfollow it")
    assert "“it” doesn't name a topic: /narrate unfollow <topic>" in out, out
    assert "You follow: kafka." in out
    assert await _followed(db) == ["kafka"] and await _narrations(db) == []
    assert "Following runbook." in await chat.say("carol: /narrate follow the runbook")
