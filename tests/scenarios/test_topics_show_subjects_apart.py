"""What the topic map, a profile and an introduction's reason show are subjects that tell people
apart: through the console, on the real storage.

Before, "the latest wrong behavior of the kafka consumer" put "latest", "wrong" and "behavior" on
the map and in the profile beside kafka; a quantum computing team's map opened with "1. quantum",
which everyone there narrates; every introduction there read "you both narrated about quantum";
and "buses" and "viruses" were shown as "buse" and "viruse". Words that name no subject stay
topics for matching but are never shown (``topics.shows_a_subject``); a topic most people narrate
about is named apart on the map and never cited in a reason (``topics.common_to_most``).
"""

from __future__ import annotations

import re

from tests.scenarios.test_topics_name_subjects import stored_as_before

SUBJECTS = ("annealing", "photonics", "teleportation", "decoherence", "tomography", "surface-code")
NOT_SHOWN = ("latest", "wrong", "behavior")


def _numbered(out: str) -> list[str]:
    return re.findall(r"^\s*\d+\. ([^:]+):", out, flags=re.MULTILINE)


async def test_the_map_numbers_subjects_and_names_what_most_narrate_apart(chat):
    people = ("ana", "bo", "cy", "di", "ed", "flo")
    for person, subject in zip(people, SUBJECTS, strict=True):
        await chat.say(f"{person}: /narrate quantum {subject}: the latest wrong behavior")
    await chat.say("ana: /narrate quantum annealing schedules")
    out = await chat.say("zoe: /narrate topics")
    numbered = _numbered(out)
    assert numbered[:1] == ["annealing"], out
    assert "quantum" not in numbered, out
    assert "Most people here narrate about quantum, so it isn't numbered above." in out
    for word in NOT_SHOWN:
        assert word not in numbered and not re.search(rf"\b{word}\b", out), out


async def test_a_few_people_narrating_one_subject_is_who_knows_it(chat):
    """Among five people, everyone narrating about kafka still says who knows kafka."""
    for person in ("ana", "bo", "cy", "di", "ed"):
        await chat.say(f"{person}: /narrate kafka consumer lag")
    out = await chat.say("zoe: /narrate topics")
    assert set(_numbered(out)[:2]) == {"kafka", "consumer"}, out
    assert "Most people here" not in out


async def test_a_profile_shows_subjects_only(chat):
    await chat.say(
        "bob: /narrate the latest wrong behavior of the kafka consumer",
        "bob: /narrate kafka consumer: redundant fetches, the latest fix",
    )
    out = await chat.say("zoe: /narrate profile @bob")
    [line] = [line for line in out.splitlines() if "Narrates about:" in line]
    assert "kafka (2)" in line and "consumer (2)" in line, line
    for word in (*NOT_SHOWN, "redundant"):
        assert word not in line, line


async def test_es_plurals_of_us_and_as_words_are_shown_as_words(db, chat):
    out = await chat.say("carol: /narrate the buses, viruses and gases of the simulation")
    assert "Topics: bus, virus, gas, simulation." in out, out
    # As an earlier version stored them: read as the words.
    await stored_as_before(db, containing="buses", renamed={"bus": "buse", "virus": "viruse"})
    out = await chat.say("zoe: /narrate profile @carol")
    [line] = [line for line in out.splitlines() if "Narrates about:" in line]
    assert re.search(r"\bbus \(1\)", line) and re.search(r"\bvirus \(1\)", line), line
    assert "buse" not in line and "viruse" not in line, line


async def test_reasons_cite_no_word_most_narrate_nor_one_that_is_no_subject(chat):
    """Six people of six teams: every two share only "quantum" (all six narrate it) and
    "latest"; no reason cites either, each says what the two narrate instead."""
    people = ("ana", "bo", "cy", "di", "ed", "flo")
    for person, subject in zip(people, SUBJECTS, strict=True):
        await chat.say(
            f"{person}@team-{person}: /narrate intros join",
            f"{person}: /narrate quantum {subject}, the latest",
        )
    out = await chat.say(":advance 2h")  # Monday 10:00's round
    reasons = re.findall(r"Why: ([^\n]+)\.\n", out)
    assert reasons, out
    for why in reasons:
        assert not re.search(r"\b(quantum|latest)\b", why), why
        assert "narrates about" in why, why


async def test_the_digest_names_no_overlap_that_is_no_subject(chat):
    await chat.say(
        ":channel #team public",
        "alice@payments in #team: /narrate the latest wrong behavior of the ledger compiler",
        "bob@infra in #team: /narrate the latest wrong behavior of the fleet compiler",
        "alice: /narrate schedule digest #team on mon 12:00",
    )
    out = await chat.say(":advance 7d")
    assert "• compiler: infra, payments" in out, out
    for word in NOT_SHOWN:
        assert f"• {word}:" not in out, out
