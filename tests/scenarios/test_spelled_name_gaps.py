"""Spelled names the search missed (issue #3): "R & D" typed with spaces, "AT&T" and "T&S", and C++
written inside Chinese or Japanese text or at full width.

Both engines index only the letters of these names, and the search keeps a match only where
the narration spells the name (``words.spells``). "R & D" was no name at all (and its R was
taken for the R language); C++ glued to Japanese ("私はC++のビルドを直した") or
typed at full width ("Ｃ＋＋") was indexed as "c" and then dropped as not spelling it. Nobody
whose narrations merely hold the letters is named.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from narrate_bot.storage.migrate import upgrade
from tests.scenarios.test_older_replica_deletes_reach_copies import _alices
from tests.scenarios.test_orphan_update_posts import _as_old_version
from tests.scenarios.test_who_knows_ranking import people


async def _team(chat, clock, *lines: str) -> None:
    await chat.say(*lines)
    clock.advance(timedelta(days=1))


@pytest.mark.parametrize("asked", ["R&D", "R & D", "r&d"])
async def test_r_and_d_with_or_without_spaces_is_one_name(chat, clock, asked):
    await _team(
        chat,
        clock,
        "bob: /narrate R & D budget review with finance",
        "cody: /narrate R&D roadmap for the next quarter",
        "carl: /narrate relabelled the R/D cable bundle, r d pins",
        "rosa: /narrate fitted the churn model in R with tidyverse",
    )
    assert sorted(people(await chat.say(f"zoe: @narrate who knows about {asked}?"))) == [
        "bob",
        "cody",
    ]


async def test_r_and_d_with_spaces_is_not_the_r_language(chat, clock):
    await _team(
        chat,
        clock,
        "bob: /narrate R & D budget review with finance",
        "rosa: /narrate fitted the churn model in R with tidyverse",
    )
    assert people(await chat.say("zoe: @narrate who knows R?")) == ["rosa"]


@pytest.mark.parametrize("asked", ["C++", "Ｃ＋＋"])
async def test_cpp_inside_cjk_text_or_at_full_width_is_cpp(chat, clock, asked):
    await _team(
        chat,
        clock,
        "bob: /narrate 私はC++のビルドを直した",
        "carl: /narrate Ｃ＋＋のテンプレートを書いた",
        "dana: /narrate 我们把C++编译器升级了",
        "dora: /narrate 私はCのビルドを直した, vitamin c, plan C",
    )
    out = await chat.say(f"zoe: @narrate who knows about {asked}?")
    assert sorted(people(out)) == ["bob", "carl", "dana"], out


async def test_a_question_in_japanese_names_cpp(chat, clock):
    await _team(
        chat,
        clock,
        "bob: /narrate rewrote the C++ allocator",
        "dora: /narrate plan C for the launch, vitamin c",
    )
    out = await chat.say("zoe: /narrate who 誰がC++のビルドに詳しい?")
    assert people(out) == ["bob"], out


# PostgreSQL's "english" configuration drops "a", "i", "s", "t", "at" and "it" (stop words), so
# before, a name made only of them ("T&S", "AT&T") had nothing in its index to find: each "&"
# name a narration spells is now also indexed as one token (``words.ampersand_token``).
async def test_at_and_t_is_found_where_it_is_spelled(chat, clock):
    await _team(
        chat,
        clock,
        "bob: /narrate AT&T peering outage postmortem",
        "carl: /narrate looked at t-shirts for the offsite",
        "dora: /narrate the AT T1 line is gone",
    )
    assert people(await chat.say("zoe: @narrate who knows about AT&T?")) == ["bob"]


async def test_t_and_s_is_found_where_it_is_spelled(chat, clock):
    await _team(
        chat,
        clock,
        "bob: /narrate T&S review of the onboarding flow",
        "carl: /narrate the T/S ratio of the fleet",
    )
    assert people(await chat.say("zoe: @narrate who knows about T&S?")) == ["bob"]


async def test_a_stop_word_name_names_nobody_who_merely_has_the_letters(chat, clock):
    await _team(
        chat,
        clock,
        "carl: /narrate looked at t-shirts for the offsite",
        "dora: /narrate the T/S ratio of the fleet, it's a t s thing",
    )
    for name in ("AT&T", "T&S"):
        assert people(await chat.say(f"zoe: @narrate who knows about {name}?")) == []


# What every version before the "&" names' token wrote: no ``search_text`` for ASCII text.
OLD_INSERT = ("UPDATE narration SET search_text = NULL WHERE id = :narration",)


async def test_a_t_and_s_narration_stored_before_is_found_after_a_start(chat, clock, db):
    await _team(
        chat,
        clock,
        "alice: /narrate T&S review of the onboarding flow",
        "carl: /narrate the T/S ratio of the fleet",
    )
    await _as_old_version(db, OLD_INSERT, **await _alices(db))
    assert people(await chat.say("zoe: @narrate who knows about T&S?")) == []
    await upgrade(db)  # the next start: old_writes.repair
    assert people(await chat.say("zoe: @narrate who knows about T&S?")) == ["alice"]
