"""ask-me-about, hide-me and unhide-me through the console: what people choose about themselves
shows in answers at once, matched whatever the case, plural or verb form of the words."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
async def org(chat, clock):
    await chat.say(
        "bob@infra: /narrate upgraded the kafka brokers and tuned consumer lag",
        "bob: /narrate kafka partition rebalancing notes",
        "carol@search: /narrate one kafka streams prototype",
        "erin: /narrate postgres vacuum tuning",
    )
    clock.advance(timedelta(days=3))
    return chat


async def test_declared_topics_lift_a_person_and_say_so(org):
    out = await org.say("zoe: /narrate who kafka")
    assert out.index("@bob") < out.index("@carol")
    assert "asks to be asked" not in out
    out = await org.say("carol: /narrate ask-me-about Kafka, stream processing")
    assert "when someone asks about Kafka, stream processing" in out
    out = await org.say("zoe: /narrate who kafka")
    assert out.index("@carol") < out.index("@bob")
    assert (
        "@carol: narrated about kafka 1 time, last 3 days ago; team search; asks to be asked" in out
    )
    # A boost only lifts people with evidence the asker can read; it never invents an expert.
    await org.say("zoe2: /narrate ask-me-about terraform")
    assert "couldn't find anyone" in await org.say("zoe: /narrate who terraform")


async def test_declared_topics_match_plurals_and_case(org):
    await org.say("carol: /narrate ask-me-about STREAMS")
    out = await org.say("zoe: @narrate who knows about kafka streaming?")
    assert "asks to be asked about it" in out


async def test_listing_adding_twice_and_clearing_declared_topics(org):
    out = await org.say("carol: /narrate ask-me-about")
    assert "You haven't declared any topics" in out
    await org.say("carol: /narrate ask-me-about kafka postgres")
    out = await org.say("carol: /narrate ask-me-about Kafkas")
    assert "You had already declared kafka." in out
    assert "You're happy to be asked about: kafka, postgres." in await org.say(
        "carol: /narrate ask-me-about"
    )
    out = await org.say("carol: /narrate ask-me-about clear postgres, cobol")
    assert "Removed postgres." in out and "You hadn't declared cobol." in out
    assert "asked about: kafka." in out
    assert "Cleared your 1 declared topic." in await org.say("carol: /narrate ask-me-about clear")
    assert "nothing to clear" in await org.say("carol: /narrate ask-me-about clear")


async def test_a_topic_of_only_common_words_is_refused(org):
    out = await org.say("carol: /narrate ask-me-about the")
    assert "too common" in out
    assert "haven't declared" in await org.say("carol: /narrate ask-me-about")
    assert "too common" in await org.say("carol: /narrate hide-me about the")


async def test_ask_me_about_before_joining_says_how_to_be_suggested(org):
    out = await org.say("newbie: /narrate ask-me-about kafka")
    assert "aren't enrolled yet" in out and "/narrate join" in out


async def test_hide_me_keeps_me_out_of_answers_for_that_topic_only(org):
    assert "@bob" in await org.say("zoe: /narrate who kafka")
    out = await org.say("bob: /narrate hide-me Kafka")
    assert "I won't name you when someone asks about Kafka" in out
    assert "or introduce you because of it" in out
    out = await org.say("zoe: /narrate who kafka")
    assert "@bob" not in out and "@carol" in out
    # Any question containing the hidden topic, in any form, leaves bob out.
    assert "@bob" not in await org.say("zoe: @narrate who knows about kafka's brokers?")
    assert "@bob" not in await org.say("zoe: /narrate who kafkas")
    # Other topics are unaffected.
    assert "@bob" in await org.say("zoe: /narrate who consumer lag")


async def test_hide_me_wins_over_ask_me_about(org):
    await org.say("bob: /narrate ask-me-about kafka")
    out = await org.say("bob: /narrate hide-me kafka")
    assert "@bob" not in await org.say("zoe: /narrate who kafka")
    out = await org.say("bob: /narrate ask-me-about kafka, lag")
    assert "hiding wins" in out


async def test_hide_me_twice_unhide_and_bad_input(org):
    await org.say("bob: /narrate hide-me kafka")
    assert "You were already hidden from kafka" in await org.say("bob: /narrate hide-me KAFKA")
    out = await org.say("bob: /narrate hide-me")
    assert "Which topic?" in out and "You're hidden from: kafka." in out
    out = await org.say("bob: /narrate unhide-me cobol")
    assert "You weren't hidden from cobol. Hidden topics: kafka." in out
    assert "@bob" not in await org.say("zoe: /narrate who kafka")
    out = await org.say("bob: /narrate unhide-me Kafka")
    assert "You can be named again in answers about kafka." in out
    assert "@bob" in await org.say("zoe: /narrate who kafka")
    out = await org.say("bob: /narrate unhide-me kafka")
    assert "You weren't hidden from kafka. You hide no topics." in out
    out = await org.say("zoe: /narrate unhide-me")
    assert "Which topic?" in out and "You hide no topics." in out


async def test_a_multi_word_hidden_topic_needs_all_its_words(org):
    await org.say("carol: /narrate hide-me kafka streams")
    assert "@carol" in await org.say("zoe: /narrate who kafka")
    assert "@carol" not in await org.say("zoe: /narrate who kafka streams")


async def test_paused_and_departed_people_are_never_suggested_even_when_declared(org):
    await org.say("bob: /narrate ask-me-about kafka", "carol: /narrate ask-me-about kafka")
    await org.say("bob: /narrate pause 2w", "carol: /narrate leave")
    out = await org.say("zoe: /narrate who kafka")
    assert "@bob" not in out and "@carol" not in out
    assert "couldn't find anyone" in out


async def test_there_is_a_limit_on_declared_topics_and_nothing_changes_past_it(org):
    words = ", ".join(f"topic{chr(97 + i)}x" for i in range(20))
    assert "Got it" in await org.say(f"carol: /narrate ask-me-about {words}")
    assert "already declared" in await org.say("carol: /narrate ask-me-about topicax")
    out = await org.say("carol: /narrate ask-me-about kafka")
    assert "up to 20 topics" in out and "Nothing was changed" in out
    assert "kafka" not in (await org.say("carol: /narrate ask-me-about")).split(":", 1)[1]


async def test_list_after_hide_me_or_ask_me_about_shows_them_and_adds_nothing(org):
    """People type "list" after these as after never-pair; it must not become a topic."""
    await org.say("bob: /narrate hide-me kafka", "bob: /narrate ask-me-about postgres")
    out = await org.say("bob: /narrate hide-me list")
    assert "You're hidden from: kafka." in out and "list" not in out.split("hidden from:")[1]
    assert "You're hidden from: kafka." in await org.say("bob: /narrate unhide-me list")
    out = await org.say("bob: /narrate ask-me-about show")
    assert "postgres" in out and "show" not in out.lower().split("postgres")[1]
    out = await org.say("bob: /narrate hide-me")
    assert "You're hidden from: kafka." in out  # still just the one
