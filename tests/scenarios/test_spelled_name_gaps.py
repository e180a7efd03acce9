"""Spelled names the search missed (issue #3): "R & D" typed with spaces, "AT&T" and "T&S", and C++
written inside Chinese or Japanese text or at full width.

Both engines index only the letters of these names, and the search keeps a match only where
the narration spells the name (``words.spells``). "R & D" was no name at all (and its R was
taken for the R language); C++ glued to Japanese ("私はC++のビルドを直した") or
typed at full width ("Ｃ＋＋") was indexed as "c" and then dropped as not spelling it. Nobody
whose narrations merely hold the letters is named.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import text

from narrate_bot.knowledge.words import ampersand_token, index_text
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


# What the versions before wrote of a CJK text naming "R&D": 0054's ``search_text``, no token.
OLD_CJK = ("UPDATE narration SET search_text = :old WHERE id = :narration",)


async def test_a_cjk_r_and_d_narration_stored_before_is_found_after_a_start(chat, clock, db):
    narration = "R&D 센터에서 배포 작업"
    await _team(chat, clock, f"alice: /narrate {narration}")
    old = index_text(narration)
    assert old is not None
    old = old.replace(" " + ampersand_token("R&D"), "")
    await _as_old_version(db, OLD_CJK, old=old, **await _alices(db))
    await upgrade(db)  # the next start: old_writes.repair
    assert people(await chat.say("zoe: @narrate who knows about R&D?")) == ["alice"]


@pytest.mark.parametrize(
    ("said", "asked"), [("C & C++", "C"), ("C & C#", "C"), ("R & C++", "R"), ("R & C#", "R")]
)
async def test_a_letter_beside_a_symbol_name_is_the_language(chat, clock, said, asked):
    await _team(chat, clock, f"bob: /narrate I write {said} every day for the firmware")
    assert people(await chat.say(f"zoe: @narrate who knows {asked}?")) == ["bob"]


@pytest.mark.parametrize(("said", "asked"), [("A & R", "R"), ("R & R", "R"), ("P & C", "C")])
async def test_the_second_letter_of_a_spaced_name_is_no_language(chat, clock, said, asked):
    await _team(
        chat,
        clock,
        f"bob: /narrate {said} meeting with the label",
        "rosa: /narrate fitted the churn model in R and wrote the C extension",
    )
    assert people(await chat.say(f"zoe: @narrate who knows {asked}?")) == ["rosa"]


@pytest.mark.parametrize("stored_by_previous", [False, True])
async def test_t_and_s_is_not_crowded_out_by_t_and_e(chat, clock, db, stored_by_previous):
    # SQLite's porter stemmer made the previous version's tokens "amp0t0s" and "amp0t0e" one.
    await _team(chat, clock, "alice: /narrate T&S review of the onboarding flow")
    await chat.say(*[f"bob: /narrate T&E report {i} filed" for i in range(105)])
    clock.advance(timedelta(days=1))
    if stored_by_previous:
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE narration SET search_text = text || CASE WHEN text LIKE 'T&S%'"
                    " THEN ' amp0t0s' ELSE ' amp0t0e' END"
                )
            )
        await upgrade(db)  # the next start: old_writes.repair
    assert people(await chat.say("zoe: @narrate who knows about T&S?")) == ["alice"]


async def test_an_r_and_d_hide_stored_before_still_hides(chat, clock, db):
    await _team(chat, clock, "alice: /narrate R&D budget review", "bob: /narrate R&D roadmap")
    await chat.say("alice: /narrate hide-me R & D")
    async with db.engine.begin() as conn:  # as every version before "R & D" was R&D keyed it
        await conn.execute(text("UPDATE topic_preference SET topic_key = 'r'"))
    await upgrade(db)  # the next start: old_writes.repair
    assert people(await chat.say("zoe: @narrate who knows about R&D?")) == ["bob"]


@pytest.mark.parametrize("typed", ["amp0r0d", "amp0r0d0"])
async def test_the_made_up_token_typed_finds_nothing(chat, clock, typed):
    await _team(chat, clock, "bob: /narrate R&D budget review")
    assert people(await chat.say(f"zoe: @narrate who knows about {typed}?")) == []
    assert "budget" not in await chat.say(f"bob: /narrate mine {typed}")


async def _tokens(db) -> list[str]:
    """The "&" names' tokens in the index itself."""
    if db.dialect == "sqlite":
        query = "SELECT term FROM narration_fts_vocab WHERE term LIKE 'amp0%'"
    else:
        query = "SELECT word FROM ts_stat('SELECT text_tsv FROM narration') WHERE word LIKE 'amp0%'"
    async with db.engine.connect() as conn:
        return sorted(row[0] for row in (await conn.execute(text(query))).all())


async def test_an_edit_a_delete_and_forget_me_take_the_token_out_of_the_index(chat, clock, db):
    await _team(
        chat,
        clock,
        "alice: /narrate AT&T peering outage",
        "alice: /narrate T&S review",
        "alice: /narrate Q & A prep",
        "bob: /narrate M&A diligence",
    )
    assert await _tokens(db) == ["amp0at0t0", "amp0m0a0", "amp0q0a0", "amp0t0s0"]
    await chat.say("alice: /narrate edit 1 peering outage with the carrier")
    await chat.say("alice: /narrate delete 2")
    assert await _tokens(db) == ["amp0m0a0", "amp0q0a0"]
    await chat.say("bob: /narrate forget-me", "bob: /narrate forget-me confirm")
    assert await _tokens(db) == ["amp0q0a0"]
    for name in ("AT&T", "T&S", "M&A"):
        assert people(await chat.say(f"zoe: @narrate who knows about {name}?")) == []


async def test_a_c_and_cpp_narration_the_previous_version_indexed_as_c_and_c_is_put_right(
    chat, clock, db
):
    narration = "I write C & C++ every day for the firmware"
    await _team(chat, clock, f"bob: /narrate {narration}")
    async with db.engine.begin() as conn:  # as the previous version indexed it: the name C&C
        await conn.execute(text("UPDATE narration SET search_text = text || ' amp0c0c'"))
    await upgrade(db)  # the next start: old_writes.repair
    async with db.engine.connect() as conn:
        # The C and C++ tokens only (``words.symbol_token``), no "&" name's.
        indexed = (await conn.execute(text("SELECT search_text FROM narration"))).all()
        assert indexed == [(index_text(narration),)]
        assert index_text(narration) == f"{narration} sym0c0alone0 sym0c0plus0"
    assert await _tokens(db) == []
    assert people(await chat.say("zoe: @narrate who knows C?")) == ["bob"]


@pytest.mark.parametrize("narration", ["R＆D の予算を見直した", "Ｒ＆Ｄ review with finance"])
async def test_a_full_width_r_and_d_narration_stored_before_is_found_after_a_start(
    chat, clock, db, caplog, narration
):
    await _team(chat, clock, f"alice: /narrate {narration}", "bob: /narrate 升级kafka集群 修了 锁")
    old = index_text(narration)
    assert old is not None
    old = old.replace(" " + ampersand_token("R&D"), "")
    await _as_old_version(db, OLD_CJK, old=old, **await _alices(db))
    await upgrade(db)  # the next start: old_writes.repair
    assert people(await chat.say("zoe: @narrate who knows about R&D?")) == ["alice"]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="narrate_bot.storage.old_writes"):
        await upgrade(db)  # a second start has nothing left to put right
    assert [r.message for r in caplog.records if r.name == "narrate_bot.storage.old_writes"] == []
