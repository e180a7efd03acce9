"""What the confirmation and a profile show of topics, and hides saved by earlier versions,
through the console on the real storage.

Before, "/narrate the latest wrong behavior of the kafka consumer" was confirmed with "Topics:
latest, wrong, behavior, kafka, consumer", words the map, profiles and the App Home never show
(``topics.shows_a_subject``); a profile ranked topics by count alone, so what someone narrated
about often long ago led it while the map (the last 4 weeks) led with what they narrate about
lately; a hide of gopls, emacs or boxes saved before the "es" plurals (keyed "gopl", "emac",
"boxe") was never keyed anew, and a question about gopls named whoever hid it; and a hide whose
new key another stale hide held, itself moving on, was dropped at start.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import text

from narrate_bot.storage.migrate import upgrade
from tests.scenarios.test_who_knows_ranking import people as named


def _confirmed_topics(out: str) -> list[str]:
    found = re.search(r"Topics: (.+?)\.\n", out)
    assert found, out
    return found.group(1).split(", ")


def _narrates_about(out: str) -> list[str]:
    [line] = [line for line in out.splitlines() if "Narrates about:" in line]
    return re.findall(r"(\S+) \(\d+\)", line)


async def test_the_confirmation_lists_subjects_as_the_profile_does(chat):
    out = await chat.say("bob: /narrate the latest wrong behavior of the kafka consumer")
    assert _confirmed_topics(out) == ["kafka", "consumer"], out
    profile = await chat.say("bob: /narrate profile")
    assert _narrates_about(profile) == ["consumer", "kafka"], profile


async def test_a_profile_leads_with_what_the_map_does(chat, clock):
    for week in range(3):
        await chat.say(f"bob: /narrate postgres vacuum tuning, week {week}")
        clock.advance(timedelta(days=7))
    clock.advance(timedelta(weeks=5))  # postgres is past the map's 4 weeks
    await chat.say("bob: /narrate kafka rebalancing for the billing consumers")
    out = await chat.say("zoe: /narrate topics")
    on_map = re.findall(r"^\s*\d+\. ([^:]+):", out, flags=re.MULTILINE)
    assert on_map == ["billing", "consumer", "kafka", "rebalancing"], out
    for asked in ("zoe: /narrate profile @bob", "bob: /narrate profile"):
        profile = await chat.say(asked)
        shown = _narrates_about(profile)
        assert shown[:4] == on_map, profile  # then what they narrated about before
        assert "postgres (3)" in profile and "vacuum (3)" in profile, profile


async def _keyed(db, *moves: tuple[str, str]) -> None:
    """Sets keys as an earlier version wrote them, one move after another."""
    async with db.engine.begin() as conn:
        for now, then in moves:
            await conn.execute(
                text("UPDATE topic_preference SET topic_key = :then WHERE topic_key = :now"),
                {"now": now, "then": then},
            )


async def test_hides_saved_before_the_es_plurals_hold_after_a_start(chat, clock, db):
    await chat.say(
        "bob: /narrate gopls codelens for emacs, and the boxes of the dashboard",
        "carol: /narrate gopls in emacs: codelens boxes render twice",
    )
    clock.advance(timedelta(days=1))
    await chat.say("bob: /narrate hide-me gopls, emacs, boxes")
    # As the versions before the "es" plurals keyed them.
    await _keyed(db, ("gopls", "gopl"), ("emacs", "emac"), ("box", "boxe"))
    await upgrade(db)  # the next start: old_writes.repair
    for topic in ("gopls", "emacs", "boxes"):
        assert named(await chat.say(f"zoe: /narrate who knows about {topic}?")) == ["carol"]
    out = await chat.say("bob: /narrate hide-me")
    assert all(topic in out for topic in ("gopls", "emacs", "boxes")), out


async def test_a_hide_whose_new_key_a_moving_hide_held_stays(chat, clock, db):
    """Bob hid "Axé" (the genre) before accents were folded (keyed "axé") and "axes" before the
    "es" plurals (keyed "axe"). At start "Axé" is keyed "axe", held then by "axes", which moves
    on to "axis": before, "Axé" went as if "axes" were it, and its hide with it."""
    await chat.say(
        "bob: /narrate axé playlist for the party, and chart axes of the dashboard",
        "carol: /narrate axé rhythm samples, chart axes labels",
    )
    clock.advance(timedelta(days=1))
    await chat.say("bob: /narrate hide-me Axé, axes")
    await _keyed(db, ("axe", "axé"), ("axis", "axe"))
    await upgrade(db)
    assert named(await chat.say("zoe: /narrate who knows about axé?")) == ["carol"]
    assert named(await chat.say("zoe: /narrate who knows about axes?")) == ["carol"]
    out = await chat.say("bob: /narrate hide-me")
    assert "Axé" in out and "axes" in out, out


async def test_case_management_is_one_subject(chat):
    """An unhyphenated "case management" kept only "management" (the generic "case" went): the
    map listed it with everyone managing anything, and "file system" was "system"."""
    out = await chat.say("bob: /narrate case management for the intake team, file systems")
    assert _confirmed_topics(out) == ["case management", "intake", "team", "file system"], out
    await chat.say("carol: /narrate in this case postgres wins, management asked")
    out = await chat.say("zoe: /narrate topics")
    assert re.search(r"\d+\. case management: 1 narration · @bob \(1\)$", out, re.M), out
    assert re.search(r"\d+\. management: 1 narration · @carol \(1\)$", out, re.M), out
    assert "case postgres" not in out, out


async def test_in_case_of_a_name_is_about_the_name(chat):
    """ "case" and "file" make one topic only with the subjects listed for them: "just in case
    kafka is down" took kafka's topic away as "case kafka", off the map and introductions."""
    out = await chat.say("bob: /narrate just in case kafka is down we fall back to redis")
    assert "kafka" in _confirmed_topics(out), out
    out = await chat.say("bob: /narrate in case postgres is slow, check the file emacs wrote")
    assert _confirmed_topics(out) == ["postgres", "emacs"], out
    out = await chat.say("zoe: /narrate topics")
    assert re.search(r"\d+\. kafka: 1 narration · @bob \(1\)$", out, re.M), out
    assert not re.search(r"case kafka|case postgre|file emac|\bpostgre\b|\bemac\b", out), out


async def test_a_hide_of_postgres_keeps_in_case_postgres_off(chat):
    """The phrase was stored "case postgre" (its name cut as a plural): a hide of postgres no
    longer matched it, and the map and the profile showed bob for it."""
    await chat.say("bob: /narrate hide-me postgres")
    await chat.say("bob: /narrate in case postgres fails we fall back to redis")
    await chat.say("carol: /narrate postgres vacuum")
    out = await chat.say("zoe: /narrate topics")
    assert not re.search(r"postgre.*@bob", out), out
    assert re.search(r"\d+\. postgres: 1 narration · @carol \(1\)$", out, re.M), out
    out = await chat.say("zoe: /narrate profile @bob")
    assert not any("postgre" in topic for topic in _narrates_about(out)), out


def test_an_introduction_drops_a_hidden_name_after_in_case():
    from narrate_bot.knowledge.pairing import Participant, without_hidden
    from narrate_bot.knowledge.topics import extract_topics

    topics = {t: frozenset({None}) for t in extract_topics("in case postgres fails, page me")}
    kept = without_hidden(Participant(key=1, user_id="bob", topics=topics), ["postgres"])
    assert not any("postgre" in t for t in kept.topics), kept.topics


async def test_a_hide_of_management_covers_case_management(chat):
    await chat.say("bob: /narrate hide-me management")
    await chat.say("bob: /narrate case management for the intake team")
    await chat.say("carol: /narrate case management rollout planning")
    out = await chat.say("zoe: /narrate who knows about case management?")
    assert named(out) == ["carol"], out
    out = await chat.say("zoe: /narrate topics")
    assert re.search(r"\d+\. case management: 1 narration · @carol \(1\)$", out, re.M), out
    out = await chat.say("zoe: /narrate profile @bob")
    assert "management" not in _narrates_about(out), out


async def test_file_system_spellings_are_one_topic(chat):
    """ "file system", "file-system" and "filesystem" were three rows of the map."""
    await chat.say(
        "dan: /narrate file system cleanup",
        "fay: /narrate file-system cleanup",
        "gus: /narrate filesystem quotas",
    )
    out = await chat.say("zoe: /narrate topics")
    rows = re.findall(r"^\s*\d+\. (file[ -]?system): 3 narrations · (.+)$", out, re.M)
    assert len(rows) == 1 and all(f"@{p}" in rows[0][1] for p in ("dan", "fay", "gus")), out
    on_map = re.findall(r"^\s*\d+\. ([^:]+):", out, flags=re.MULTILINE)
    assert sorted(on_map) == sorted(["cleanup", rows[0][0], "quota"]), out
