"""A symbol name (C++, C#, F#, the C and R languages, .NET) is found however old its narration.

The index held only the name's letter ("c", "net"), so a question read the newest few hundred
narrations holding the letter (``search.SPELLED_SCAN``) and kept those spelling the name: a C++
narration behind 300 newer "vitamin c" or "plan B/C" ones was never read. Each name a narration
spells is now indexed as one token of its own (``words.symbol_token``), as "&" names are, and a
question searches it; narrations stored before get it at the next start (``old_writes``).
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from narrate_bot.knowledge.words import index_text
from narrate_bot.storage import search
from narrate_bot.storage.migrate import upgrade
from tests.scenarios.test_who_knows_ranking import people

WRITERS = ("dora", "asha", "omar")
# More newer narrations holding each name's letter than a question read of them before.
MANY = search.SPELLED_SCAN + 30


async def _old_names(chat, clock) -> None:
    await chat.say(
        "cody: /narrate profiled the C++ allocator",
        "sasha: /narrate ported the billing client to C#",
        "fran: /narrate F# type providers for pricing",
        "cleo: /narrate rewrote the parser in plain C",
        "rosa: /narrate fitted the churn model in R",
        "nina: /narrate moved the service to .NET 8",
        "kimi: /narrate 私はC++のビルドを直した",
        "wade: /narrate Ｃ＋＋のテンプレートを書いた",
    )
    clock.advance(timedelta(hours=1))


async def _then_many_letters(chat, clock) -> None:
    """Newer narrations, each holding "c", "f", "r" and "net", spelling none of the names asked."""
    line = "plan B/C, vitamin c, plan f, r/w lock, r d pins, net revenue"
    await chat.say(*(f"{WRITERS[i % 3]}: /narrate {line} {i} checked" for i in range(MANY)))
    clock.advance(timedelta(days=1))


ASKED = [
    ("who knows about C++?", ["cody", "kimi", "wade"]),
    ("who knows about Ｃ＋＋?", ["cody", "kimi", "wade"]),
    ("who knows c#?", ["sasha"]),
    ("who knows F#?", ["fran"]),
    ("who knows C?", ["cleo"]),
    ("who knows R?", ["rosa"]),
    ("who knows .NET?", ["nina"]),
]


@pytest.mark.parametrize(("question", "found"), ASKED)
async def test_a_symbol_name_older_than_many_letter_matches_is_found(chat, clock, question, found):
    await _old_names(chat, clock)
    await _then_many_letters(chat, clock)
    assert sorted(people(await chat.say(f"zoe: @narrate {question}"))) == found


async def test_c_csharp_and_cpp_stay_apart_behind_many_of_each_other(chat, clock):
    await chat.say(
        "cleo: /narrate rewrote the parser in plain C",
        "cody: /narrate profiled the C++ allocator",
        "bob: /narrate I write C & C++ every day for the firmware",
    )
    clock.advance(timedelta(hours=1))
    texts = ("C# client", "c++17 modules", "plan C", "C & C# bindings")
    await chat.say(
        *(f"{WRITERS[i % 3]}: /narrate {texts[i % len(texts)]} {i}" for i in range(MANY))
    )
    clock.advance(timedelta(days=1))
    # cody's C++ and bob's older "C & C++" are found behind the newer C#, C and C++ lines;
    # cleo's plain C is no C++, nor C#.
    out = await chat.say("zoe: @narrate who knows about C++?")
    assert {"bob", "cody"} <= set(people(out)) and "cleo" not in people(out), out
    out = await chat.say("zoe: @narrate who knows about C#?")
    assert people(out) and set(people(out)) <= set(WRITERS), out


async def _tokens(db) -> list[str]:
    """The symbol names' tokens in the index itself."""
    if db.dialect == "sqlite":
        query = "SELECT term FROM narration_fts_vocab WHERE term LIKE 'sym0%'"
    else:
        query = "SELECT word FROM ts_stat('SELECT text_tsv FROM narration') WHERE word LIKE 'sym0%'"
    async with db.engine.connect() as conn:
        return sorted(row[0] for row in (await conn.execute(text(query))).all())


async def test_an_edit_a_delete_and_forget_me_take_the_token_out_of_the_index(chat, clock, db):
    await chat.say(
        "alice: /narrate profiled the C++ allocator",
        "alice: /narrate ported the client to C#",
        "alice: /narrate 私はRのモデルを直した",
        "bob: /narrate moved the service to .NET 8 and F#",
    )
    clock.advance(timedelta(hours=1))
    assert await _tokens(db) == [
        "sym0c0plus0",
        "sym0c0sharp0",
        "sym0f0sharp0",
        "sym0net0dot0",
        "sym0r0alone0",
    ]
    await chat.say("alice: /narrate edit 1 profiled the allocator")
    await chat.say("alice: /narrate delete 2")
    await chat.say("alice: /narrate edit 3 私はモデルを直した")
    assert await _tokens(db) == ["sym0f0sharp0", "sym0net0dot0"]
    await chat.say("bob: /narrate forget-me", "bob: /narrate forget-me confirm")
    assert await _tokens(db) == []
    for name in ("C++", "C#", "R", ".NET", "F#"):
        assert people(await chat.say(f"zoe: @narrate who knows about {name}?")) == []


@pytest.mark.parametrize("typed", ["sym0c0plus0", "sym0c0plus"])
async def test_the_made_up_token_typed_finds_nothing(chat, clock, typed):
    await chat.say("bob: /narrate profiled the C++ allocator")
    clock.advance(timedelta(hours=1))
    assert people(await chat.say(f"zoe: @narrate who knows about {typed}?")) == []
    assert "allocator" not in await chat.say(f"bob: /narrate mine {typed}")


async def test_a_narration_stored_before_the_token_is_found_after_a_start(chat, clock, db, caplog):
    await _old_names(chat, clock)
    await chat.say("rhea: /narrate R & D budget review, P & C meeting")
    await _then_many_letters(chat, clock)
    async with db.engine.begin() as conn:  # as every version before the symbol tokens wrote
        rows = (await conn.execute(text("SELECT id, text FROM narration"))).all()
        for narration_id, body in rows:
            old = index_text(body)
            old = old and re.sub(r" sym0\w+", "", old)  # without the symbol names' tokens
            await conn.execute(
                text("UPDATE narration SET search_text = :old WHERE id = :id"),
                {"old": None if old == body else old, "id": narration_id},
            )
    assert await _tokens(db) == []
    assert people(await chat.say("zoe: @narrate who knows about C++?")) == []
    await upgrade(db)  # the next start: old_writes.repair
    assert await _tokens(db) == [
        "sym0c0alone0",
        "sym0c0plus0",
        "sym0c0sharp0",
        "sym0f0sharp0",
        "sym0net0dot0",
        "sym0r0alone0",
    ]
    for question, found in ASKED:
        assert sorted(people(await chat.say(f"zoe: @narrate {question}"))) == found, question
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="narrate_bot.storage.old_writes"):
        await upgrade(db)  # a second start has nothing left to put right
    assert [r.message for r in caplog.records if r.name == "narrate_bot.storage.old_writes"] == []
