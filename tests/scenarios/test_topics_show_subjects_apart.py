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
from datetime import timedelta

from sqlalchemy import text

from narrate_bot.storage.migrate import upgrade
from tests.scenarios.test_topics_name_subjects import stored_as_before
from tests.scenarios.test_who_knows_ranking import people as named

SUBJECTS = (
    "annealing", "photonics", "teleportation", "decoherence", "tomography", "surface-code",
    "qubits", "entanglement", "superposition", "cryogenics",
)  # fmt: skip
TEAM = ("ana", "bo", "cy", "di", "ed", "flo", "gus", "hal", "ivy", "jo")
NOT_SHOWN = ("latest", "wrong", "behavior")


def _numbered(out: str) -> list[str]:
    return re.findall(r"^\s*\d+\. ([^:]+):", out, flags=re.MULTILINE)


async def test_the_map_numbers_subjects_and_names_what_most_narrate_apart(chat):
    for person, subject in zip(TEAM, SUBJECTS, strict=True):
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
    """Among six people, everyone narrating about kafka still says who knows kafka: before, the
    map numbered nothing and said "…so they aren't numbered above" under an empty list."""
    for person in TEAM[:6]:
        await chat.say(f"{person}: /narrate kafka consumer lag")
    out = await chat.say("zoe: /narrate topics")
    assert set(_numbered(out)) == {"kafka", "consumer", "lag"}, out
    assert "Most people here" not in out


async def test_a_map_of_only_what_most_narrate_numbers_it(chat):
    """Ten people all narrating one thing: nothing tells them apart, so the map numbers what
    they narrate rather than an empty list."""
    for person in TEAM:
        await chat.say(f"{person}: /narrate kafka consumer lag")
    out = await chat.say("zoe: /narrate topics")
    assert set(_numbered(out)) == {"kafka", "consumer", "lag"}, out
    assert "kafka: 10 narrations" in out, out
    assert "Most people here" not in out and "numbered above" not in out, out


async def test_subjects_of_finance_statistics_permits_and_teams_are_shown(chat):
    said = {
        "ana": "reconciled the actuals against the budget, statistical significance",
        "bo": "building permit for the new site: section 4 of the article",
        "cy": "Microsoft Teams integration for the Teams bot",
    }
    shown = {"ana": ("actual", "significance"), "bo": ("permit", "section", "article")}
    for person, narration in said.items():
        await chat.say(f"{person}: /narrate {narration}")
    for person, subjects in {**shown, "cy": ("team",)}.items():
        out = await chat.say(f"zoe: /narrate profile @{person}")
        [line] = [line for line in out.splitlines() if "Narrates about:" in line]
        for subject in subjects:
            assert re.search(rf"\b{subject} \(", line), line


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
    """Ten people of ten teams: every two share only "quantum" (all ten narrate it) and
    "latest"; no reason cites either, each says what the two narrate instead."""
    for person, subject in zip(TEAM, SUBJECTS, strict=True):
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


async def test_a_stored_quizzes_topic_is_shown_as_quiz(db, chat):
    await chat.say("carol: /narrate pop quizzes for the onboarding course")
    # As the version before "quizzes" folded to "quiz" stored it.
    await stored_as_before(db, containing="quizzes", renamed={"quiz": "quizz"})
    out = await chat.say("zoe: /narrate profile @carol")
    [line] = [line for line in out.splitlines() if "Narrates about:" in line]
    assert re.search(r"\bquiz \(1\)", line) and "quizz" not in line, line


async def _keyed_as_before(db) -> None:
    """The keys the version before bus, gas and quiz had their "es" plurals gave these topics."""
    async with db.engine.begin() as conn:
        for now, then in (("bus", "buse"), ("gas", "gase"), ("pop quiz", "pop quizz")):
            await conn.execute(
                text("UPDATE topic_preference SET topic_key = :then WHERE topic_key = :now"),
                {"now": now, "then": then},
            )


async def test_hides_and_asks_of_plurals_stored_before_hold_after_a_start(chat, clock, db):
    await chat.say(
        "bob@infra: /narrate rerouting the city buses around the bridge, gases in the depot",
        "carol@ops: /narrate buses depot charging schedule, gases of the exhaust",
        "dan@ops: /narrate pop quizzes for the onboarding course",
    )
    clock.advance(timedelta(days=2))
    await chat.say(
        "bob: /narrate hide-me buses",
        "carol: /narrate ask-me-about gases",
        "dan: /narrate hide-me pop quizzes",
    )
    await _keyed_as_before(db)
    await upgrade(db)  # the next start: old_writes.repair
    assert named(await chat.say("zoe: /narrate who knows about buses?")) == ["carol"]
    assert "asks to be asked" in await chat.say("zoe: /narrate who knows about gases?")
    assert "@dan" not in await chat.say("zoe: /narrate who knows about pop quizzes?")


async def test_a_hide_stored_before_and_again_since_is_one_hide_after_a_start(chat, clock, db):
    await chat.say("bob: /narrate hide-me buses")
    await _keyed_as_before(db)
    async with db.engine.begin() as conn:  # "bus" hidden since, as this version keys it
        await conn.execute(
            text(
                "INSERT INTO topic_preference (person_id, kind, topic_key, tenant_id, topic,"
                " created_at) SELECT person_id, kind, 'bus', tenant_id, 'bus', created_at"
                " FROM topic_preference WHERE topic_key = 'buse'"
            )
        )
    await upgrade(db)
    out = await chat.say("bob: /narrate hide-me")
    assert out.count("bus") == 1, out
