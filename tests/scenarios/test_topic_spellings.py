"""One topic, spelled with and without its accents, is one topic wherever people are shown it:
the map, a profile, an introduction's reason (the search and hide-me already fold accents)."""

from __future__ import annotations

from narrate_bot.knowledge.spellings import Spellings, merged
from narrate_bot.knowledge.topics import extract_topics
from narrate_bot_adapters.console.adapter import TENANT


async def test_the_map_lists_a_topic_once_whatever_its_spelling(chat):
    await chat.say(
        "carol: /narrate café ordering app backend",
        "dave: /narrate cafe loyalty cards",
        "erin: /narrate Café menu pricing",
    )
    out = await chat.say("zoe: /narrate topics")
    line = next(x for x in out.splitlines() if "caf" in x)
    # Two of three wrote the accent: the map names it their way, with all three people.
    assert line.strip().startswith("1. café: 3 narrations · ")
    assert all(f"@{who} (1)" in line for who in ("carol", "dave", "erin"))
    assert "cafe:" not in out


async def test_a_profile_counts_a_topic_once_whatever_its_spelling(chat):
    await chat.say(
        "bob: /narrate café ordering app backend",
        "bob: /narrate cafe payments refunds",
    )
    out = await chat.say("zoe: /narrate profile @bob")
    assert "café (2)" in out and "cafe (" not in out


async def test_people_who_spell_a_topic_differently_share_it_in_an_introduction(bot, chat, clock):
    await chat.say(
        "alice@payments: /narrate intros join",
        "bob@search: /narrate intros join",
        "alice: /narrate café ordering app backend",
        "bob: /narrate cafe loyalty cards",
    )
    [post] = await bot.introductions.weekly(tenant=TENANT, now=clock.now())
    why = post.text.split("Why: ", 1)[1].split("\n", 1)[0]
    assert "café" in why, why


def test_one_narration_spelling_a_topic_twice_has_it_once():
    assert extract_topics("café menu and the cafe app") == ["café", "menu", "app"]


def test_the_label_is_the_spelling_used_most_then_the_accented_one():
    assert Spellings({"cafe": 3, "café": 1}).label("café") == "cafe"
    assert Spellings({"cafe": 1, "café": 1}).label("cafe") == "café"
    assert Spellings(["zurich"]).label("Zurich") == "Zurich"  # unseen spelling: as written
    assert merged({"café": 2, "cafe": 1, "kafka": 4}) == {"café": 3, "kafka": 4}
