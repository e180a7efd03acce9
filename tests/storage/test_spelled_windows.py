"""A name the index holds only the letters of (".NET" as "net"; "C++", "C#" and "C" as "c") is
told apart in each engine's query, before the term's window: every narration that spells it
(``words.spells``) passes the query's check, and an ASCII one that doesn't is turned away there.
A window of such a name reads at most ``search.SPELLED_SCAN`` of the letter's newest matches, so
a workspace of .NET doesn't make a question about the word "net" read all of them."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Text, bindparam, insert, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import col

from narrate_bot.knowledge.words import (
    SYMBOL_GLOBS,
    SYMBOL_REGEX,
    SearchTerm,
    index_text,
    search_terms,
    spells,
    symbol_token,
)
from narrate_bot.storage import search
from narrate_bot.storage.tables import Channel, Narration, Person, Tenant

NOW = datetime(2026, 11, 1, tzinfo=UTC)
NAMES = ("C++", "c#", "F#", "K++", "C", "R", "net", ".NET")
SIDES = ("", " ", "a", "Z", "_", "1", "+", "#", "/", "&", ".", "'", "-", "(", "\n", "é", "—")
CORES = (
    "C++", "c++", "C#", "c#", "f#", "K++", "\u212a++", "C", "c", "R", "r", "net", "NET",
    ".net", ".NET", "asp.NET", "nets", "network",
)  # fmt: skip


def _texts() -> list[str]:
    return sorted({a + core + b for a, core, b in itertools.product(SIDES, CORES, SIDES)})


async def _checked(db, name: str, texts: list[str]) -> set[str]:
    """The texts the engine's check for ``name`` lets through."""
    term = SearchTerm(words=(name.strip(".")[0].lower(),), literal=name)
    async with db.transaction() as session:
        connection = await session.connection()
        if db.dialect == "sqlite":
            globs = search.spelled_globs(term)
            assert globs is not None
            where = " OR ".join(f"(' ' || value || ' ') GLOB :g{i}" for i in range(len(globs)))
            rows = await connection.execute(
                text(f"SELECT value FROM json_each(:texts) WHERE {where}"),
                {"texts": json.dumps(texts), **{f"g{i}": g for i, g in enumerate(globs)}},
            )
        else:
            rows = await connection.execute(
                text('SELECT t FROM unnest(:texts) AS t WHERE t COLLATE "C" ~ :pattern').bindparams(
                    bindparam("texts", type_=ARRAY(Text))
                ),
                {"texts": texts, "pattern": search.spelled_regex(term)},
            )
        return {row[0] for row in rows}


@pytest.mark.parametrize("name", NAMES)
async def test_every_text_that_spells_a_name_passes_the_query_check(db, name):
    texts = _texts()
    term = SearchTerm(words=(name.strip(".")[0].lower(),), literal=name)
    spelled = {t for t in texts if spells(term, t)}
    checked = await _checked(db, name, texts)
    assert spelled, name  # the texts exercise the name
    assert spelled <= checked, sorted(spelled - checked)
    # Turned away exactly where ``spells`` would be: only a character beyond ASCII is let
    # through for ``spells`` to decide.
    extra = {t for t in checked - spelled if t.isascii()}
    assert not extra, sorted(extra)


async def _seed(db, texts: list[str]) -> int:
    """One narration per text, an hour apart, the first the oldest, all by bob in public."""
    async with db.engine.begin() as conn:
        tenant = (
            await conn.execute(
                insert(Tenant).returning(col(Tenant.id)),
                [{"platform": "console", "external_id": "w", "created_at": NOW}],
            )
        ).scalar_one()
        channel = (
            await conn.execute(
                insert(Channel).returning(col(Channel.id)),
                [{"tenant_id": tenant, "channel_id": "C1", "kind": "public"}],
            )
        ).scalar_one()
        bob = (
            await conn.execute(
                insert(Person).returning(col(Person.id)),
                [{"tenant_id": tenant, "user_id": "bob", "consent": "joined", "created_at": NOW}],
            )
        ).scalar_one()
        start = NOW - timedelta(hours=len(texts) + 1)
        await conn.execute(
            insert(Narration),
            [
                {
                    "tenant_id": tenant,
                    "person_id": bob,
                    "channel_pk": channel,
                    "ordinal": k,
                    "source": "command",
                    "audience": "channel",
                    "text": body,
                    "search_text": index_text(body),  # as the bot writes it: names' tokens
                    "created_at": start + timedelta(hours=k),
                }
                for k, body in enumerate(texts)
            ],
        )
    if db.dialect == "postgresql":
        async with db.engine.begin() as conn:
            await conn.execute(text("ANALYZE narration"))
    return int(tenant)


async def _windows(db, tenant: int, question: str) -> dict[str, list[str]]:
    """Each term's window, as the texts of its narrations, newest first."""
    terms = search_terms(question)
    async with db.transaction() as session, search.planner_settings(session, db.dialect):
        asker = search.Asker(tenant, "alice", None, NOW)
        rows = await search._all_windows(session, db.dialect, terms, asker)
        connection = await session.connection()
        texts = dict((await connection.execute(text("SELECT id, text FROM narration"))).all())
    found: dict[str, list[str]] = {t.label(): [] for t in terms}
    for key, narration_id, *_ in sorted(rows, key=lambda row: -row[1]):
        found[terms[key].label()].append(texts[narration_id])
    return found


async def test_the_word_net_reads_a_bounded_number_of_dotnet_matches(db):
    """The newest ``SPELLED_SCAN`` matches of "net" are all .NET: an older "net revenue" is
    beyond what a question reads (before, the window walked every match back to it), while a
    newer "net margins" among them is found. (PostgreSQL holds "ASP.NET" as one token.)"""
    half = search.SPELLED_SCAN // 2
    texts = [
        "net revenue dashboard",
        *(f"upgraded .NET build {k}" for k in range(half)),
        "net margins reconciled",
        *(f"moved the .NET runtime {k}" for k in range(half)),
        *(f"ASP.NET service {k}" for k in range(20)),
    ]
    tenant = await _seed(db, texts)
    windows = await _windows(db, tenant, "net")
    assert windows["net"] == ["net margins reconciled"]
    windows = await _windows(db, tenant, ".NET")
    assert len(windows[".NET"]) == search.TERM_WINDOW
    assert windows[".NET"][0] == f"moved the .NET runtime {half - 1}"  # never "ASP.NET"


async def test_a_cpp_window_skips_the_letter_c_and_keeps_a_plain_word_plan(db):
    """C++ is found behind more newer "c" matches than a window holds, and the question's other
    word reads its window as it would alone."""
    texts = [
        "profiled the C++ allocator",
        *(f"vitamin c order {k}" for k in range(search.SPELLED_SCAN - 50)),
        *(f"allocator tuning {k}" for k in range(150)),
    ]
    tenant = await _seed(db, texts)
    windows = await _windows(db, tenant, "C++ allocator")
    assert windows["C++"] == ["profiled the C++ allocator"]
    assert windows["allocator"] == [f"allocator tuning {k}" for k in reversed(range(50, 150))]


TOKENED = ("C++", "c#", "F#", "K++", "C", "R", ".NET")


@pytest.mark.parametrize("name", TOKENED)
async def test_a_name_has_its_token_exactly_where_it_is_spelled(db, name):
    """A symbol name is searched by its own token (``words.symbol_token``): ``index_text``
    writes it for exactly the texts that spell the name, and the start-up repair's check
    (``words.SYMBOL_GLOBS``, ``SYMBOL_REGEX``) lets each of them through to be re-indexed."""
    texts = _texts()
    term = SearchTerm(words=(), literal=name)
    token = symbol_token(name)
    spelled = {t for t in texts if spells(term, t)}
    assert spelled, name
    assert {t for t in texts if token in (index_text(t) or "").split()} == spelled
    async with db.transaction() as session:
        connection = await session.connection()
        if db.dialect == "sqlite":
            where = " OR ".join(
                f"(' ' || value || ' ') GLOB :g{i}" for i in range(len(SYMBOL_GLOBS))
            )
            rows = await connection.execute(
                text(f"SELECT value FROM json_each(:texts) WHERE {where}"),
                {"texts": json.dumps(texts), **{f"g{i}": g for i, g in enumerate(SYMBOL_GLOBS)}},
            )
        else:
            rows = await connection.execute(
                text("SELECT t FROM unnest(:texts) AS t WHERE t ~ :pattern").bindparams(
                    bindparam("texts", type_=ARRAY(Text))
                ),
                {"texts": texts, "pattern": SYMBOL_REGEX},
            )
        checked = {row[0] for row in rows}
    assert spelled <= checked, sorted(spelled - checked)
