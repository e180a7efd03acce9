"""What people name on purpose is their topic; the lists of words that name no subject only
thin out topics guessed from free text.

Before, the verbs of doing ("thinking", "watching") were no topics anywhere: "#thinking" was
dropped from a narration's topics and ``/narrate follow watching`` was refused as saying how
work is going. And the talk about the work ("caveat", "tweak", "drawback") that versions before
ad2c16b stored from free text came back on the topic map, in profiles and in introductions'
reasons once ac912ee read every stored topic as written. Now a hashtag and a follow are taken as
written, and a stored "caveat" or "thinking" is read only where its narration wrote it as a
hashtag. "stay" and "warm" ("the cache should stay warm") are no topics of free text either.
"""

from __future__ import annotations

import re
from datetime import timedelta

from narrate_bot.knowledge.topics import extract_topics
from narrate_bot_adapters.console.adapter import TENANT
from tests.scenarios.test_topics_name_subjects import _topics_of_confirmation, stored_as_before

# Stored from free text by versions before ad2c16b (talk) or before the verbs of doing.
OLD = ("caveat", "tweak", "drawback", "thinking")


async def test_a_hashtag_of_a_verb_of_doing_is_a_topic(chat):
    out = await chat.say("alice: /narrate notes on #thinking about the kafka consumer")
    assert "thinking" in _topics_of_confirmation(out), out
    out = await chat.say("bob: /narrate thinking about the kafka consumer")
    assert _topics_of_confirmation(out) == ["kafka", "consumer"]


async def test_following_a_verb_of_doing_is_taken(chat):
    out = await chat.say("carol: /narrate follow watching")
    assert "Following watching." in out, out
    assert "Nothing was changed" not in out, out


def test_said_in_passing_is_no_topic_of_free_text() -> None:
    assert extract_topics("the cache should stay warm after the deploy") == ["cache", "deploy"]
    assert extract_topics("#warm standby for the ledger") == ["warm", "standby", "ledger"]


async def _old_talk(db, chat) -> None:
    await chat.say(
        "bob: /narrate one caveat on the ledger cache, a tweak and a drawback, thinking",
        "carol: /narrate another caveat in the ledger cache, thinking of a tweak",
        "dave: /narrate the #caveats of #thinking in the ledger",
    )
    # bob's and carol's as a version before ad2c16b stored them: the talk was a topic.
    await stored_as_before(db, containing="caveat on", added=OLD)
    await stored_as_before(db, containing="another caveat", added=OLD)


async def test_the_map_leaves_out_talk_stored_from_free_text(db, chat):
    await _old_talk(db, chat)
    out = await chat.say("zoe: /narrate topics")
    assert re.search(r"ledger: 3 narrations", out), out
    # Only dave's hashtags are counted.
    assert re.search(r"\bcaveat: 1 narration · @dave\b", out), out
    assert re.search(r"\bthinking: 1 narration · @dave\b", out), out
    for word in ("tweak", "drawback"):
        assert f" {word}:" not in out, out


async def test_a_profile_leaves_out_talk_stored_from_free_text(db, chat):
    await _old_talk(db, chat)
    out = await chat.say("zoe: /narrate profile @bob")
    topics_line = next(line for line in out.splitlines() if "ledger" in line)
    for word in OLD:
        assert word not in topics_line, topics_line
    out = await chat.say("zoe: /narrate profile @dave")
    topics_line = next(line for line in out.splitlines() if "ledger" in line)
    assert "caveat" in topics_line and "thinking" in topics_line, topics_line


async def test_an_introduction_never_gives_talk_stored_from_free_text(db, bot, chat, clock):
    await chat.say(
        "alice@payments: /narrate intros join",
        "carol@search: /narrate intros join",
        "alice: /narrate compiler caveat for the ledger, one tweak, thinking",
        "carol: /narrate compiler caveat in search, a drawback, thinking",
    )
    await stored_as_before(db, containing="compiler caveat", added=OLD)
    clock.advance(timedelta(days=1))
    posts = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    [told] = [p for p in posts if p.to_users]
    why = told.text.split("Why: ", 1)[1].split("\n", 1)[0]
    assert re.search(r"you both narrated about compiler\b", why), why
    for word in OLD:
        assert not re.search(rf"\b{word}\b", why), why


async def test_the_digest_leaves_out_talk_stored_from_free_text(db, chat):
    await chat.say(
        ":channel #team public",
        "alice@payments in #team: /narrate compiler caveat for the ledger, one tweak, thinking",
        "bob@infra in #team: /narrate compiler caveat for the fleet, a drawback, thinking",
    )
    await stored_as_before(db, containing="compiler caveat", added=OLD)
    await chat.say("alice: /narrate schedule digest #team on mon 12:00")
    out = await chat.say(":advance 7d")
    assert "• compiler: infra, payments" in out, out
    for word in OLD:
        assert f"• {word}:" not in out, out


async def test_only_a_whole_hashtag_keeps_talk_stored_from_free_text(db, chat):
    """ "#warmup" is no "#warm", and a link's "#details" no hashtag: before, any text holding
    "#warm" or "#detail" anywhere kept a stored "warm" or "detail" on the map."""
    await chat.say(
        "bob: /narrate the #warmup job for the ledger, see https://wiki.example.com/ledger#details",
        "carol: /narrate the ledger replica stays #Warm (see the ledger #details)",
    )
    await stored_as_before(db, containing="#warmup", added=("warm", "detail", "caveat"))
    out = await chat.say("zoe: /narrate topics")
    assert re.search(r"ledger: 2 narrations", out), out
    assert re.search(r"\bwarm: 1 narration · @carol\b", out), out
    assert re.search(r"\bdetail: 1 narration · @carol\b", out), out
    assert " caveat:" not in out, out


async def test_a_link_fragment_after_a_slash_or_a_bracket_is_no_hashtag(db, chat):
    """A docs site's "…/guide/#caveats" and a markdown in-page link "[the list](#caveats)" are
    links, as much as "…/page#details": they keep no stored "caveat"."""
    await chat.say(
        "bob: /narrate ledger notes, see https://docs.example.com/ledger/#caveats",
        "carol: /narrate ledger notes, see [the list](#caveats)",
    )
    await stored_as_before(db, containing="ledger/#caveats", added=("caveat",))
    await stored_as_before(db, containing="(#caveats)", added=("caveat",))
    out = await chat.say("zoe: /narrate topics")
    assert re.search(r"ledger: 2 narrations", out), out
    assert " caveat:" not in out, out


async def test_a_hashtag_going_on_in_another_script_is_another_word(db, chat):
    """ "#warmé" and "#warm测试" are no "#warm": a letter beyond ASCII goes on the word."""
    await chat.say(
        "bob: /narrate the ledger replica #warmé",
        "carol: /narrate the ledger replica #warm测试",
    )
    await stored_as_before(db, containing="#warmé", added=("warm",))
    await stored_as_before(db, containing="#warm测试", added=("warm",))
    out = await chat.say("zoe: /narrate topics")
    assert re.search(r"ledger: 2 narrations", out), out
    assert " warm:" not in out, out


async def test_a_capital_beyond_ascii_is_read_alike_on_both_engines(db, chat):
    """Case is folded for ASCII letters only on both engines: "#DETAİL" (a dotted capital I)
    is no "#detail" (PostgreSQL's lower() and ILIKE folded it to "i", SQLite's did not)."""
    await chat.say("bob: /narrate ledger #DETAİL review")
    await stored_as_before(db, containing="#DETA", added=("detail",))
    out = await chat.say("zoe: /narrate topics")
    assert re.search(r"ledger: 1 narration\b", out), out
    # The hashtag's own topic ("detai̇l", folded as Python does), and no stored "detail" with
    # it: the map counts the two as one topic, so PostgreSQL said "2 narrations".
    assert re.search(r"detai\u0307l: 1 narration\b", out), out
