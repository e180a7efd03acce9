"""Each term's window is its newest 100 visible matches, however the engine reads it.

PostgreSQL picks a way to read each term from the column's statistics (walk the date index for a
common word, read a rare word's matches at once, widening date steps for the rest); none may
change which narrations come back. Checked against a plain scan in Python, over three years of
narrations so every date step is crossed, with a private channel the asker is not in.

The windows' planner settings (custom plans, no parallel workers, no JIT) are set once per
question (ADR 0006); left behind, they would change every later statement of the caller's
transaction, so they must be restored.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text
from sqlalchemy import select as sa_select
from sqlmodel import col

from narrate_bot.knowledge.words import SearchTerm
from narrate_bot.storage import fulltext, search
from narrate_bot.storage.tables import Channel, ChannelMember, Narration, Person, Tenant

NOW = datetime(2026, 11, 1, tzinfo=UTC)
COUNT = 1200
TERMS = {
    "zorb": SearchTerm(words=("zorb",)),  # every narration: common
    "quux": SearchTerm(words=("quux",)),  # one in five: common
    "blip": SearchTerm(words=("blip",)),  # one in 150: neither (above the cutoff, below 1 %)
    "gamma": SearchTerm(words=("gamma",)),  # three narrations: rare
    "cmd/zorb": SearchTerm(words=("cmd", "zorb"), weight=2.0, path="cmd/zorb"),  # a phrase
}


CONSONANTS = "bcdfghjklmnpqrtvwxz"
# More distinct words than the statistics keep (1,000 at the default target), each more
# frequent than gamma (5 narrations each), so gamma is below the statistics' cutoff as a rare
# word is, and blip (8) is above it.
FILLER = ["q" + a + b + c for a in CONSONANTS for b in CONSONANTS for c in CONSONANTS][:1200]


def _text(k: int) -> str:
    words = ["zorb", "note", *(FILLER[(k * 5 + j) % len(FILLER)] for j in range(5))]
    if k % 5 == 0:
        words.append("quux")
    if k % 150 == 0:
        words.append("blip")
    if k in (17, 300, 303):
        words.append("gamma")
    if k % 7 == 0:
        words.append("see cmd/zorb")
    return " ".join(words)


async def _seed(db) -> tuple[int, dict[int, tuple[str, bool, str]]]:
    """Narrations every two days back from NOW; returns (tenant, id -> (text, private, author))."""
    async with db.engine.begin() as conn:
        tenant = (
            await conn.execute(
                insert(Tenant).returning(col(Tenant.id)),
                [{"platform": "console", "external_id": "w", "created_at": NOW}],
            )
        ).scalar_one()
        public, private = (
            await conn.execute(
                insert(Channel).returning(col(Channel.id)),
                [
                    {"tenant_id": tenant, "channel_id": "C1", "kind": "public"},
                    {"tenant_id": tenant, "channel_id": "C2", "kind": "private"},
                ],
            )
        ).scalars()
        await conn.execute(insert(ChannelMember), [{"channel_pk": private, "user_id": "bob"}])
        people = dict(
            zip(
                ("alice", "bob", "carol"),
                (
                    await conn.execute(
                        insert(Person).returning(col(Person.id)),
                        [
                            {
                                "tenant_id": tenant,
                                "user_id": user,
                                "consent": "joined",
                                "created_at": NOW,
                            }
                            for user in ("alice", "bob", "carol")
                        ],
                    )
                ).scalars(),
                strict=True,
            )
        )
        rows = []
        for k in reversed(range(COUNT)):  # oldest first: row ids grow with time
            author = ("bob", "carol", "alice")[k % 3]
            rows.append(
                {
                    "tenant_id": tenant,
                    "person_id": people[author],
                    "channel_pk": private if k % 4 == 1 else public,
                    "ordinal": k,
                    "source": "command",
                    "audience": "channel",
                    "text": _text(k),
                    "created_at": NOW - timedelta(days=2 * k, minutes=1),
                }
            )
        await conn.execute(insert(Narration), rows)
        by_ordinal = {row["ordinal"]: row for row in rows}
        seeded = {
            narration_id: (
                by_ordinal[k]["text"],
                by_ordinal[k]["channel_pk"] == private,
                ("bob", "carol", "alice")[k % 3],
            )
            for narration_id, k in await conn.execute(
                sa_select(col(Narration.id), col(Narration.ordinal))
            )
        }
    if db.dialect == "postgresql":
        async with db.engine.begin() as conn:
            await conn.execute(text("ANALYZE narration"))
    return int(tenant), seeded


def _expected(seeded: dict[int, tuple[str, bool, str]], needle: str, viewer: str) -> set[int]:
    """The newest 100 narrations ``viewer`` may read that contain the term."""
    visible = [
        n
        for n, (body, private, author) in seeded.items()
        if author != viewer and not private and needle in body.split(" ")
    ]
    return set(sorted(visible, reverse=True)[: search.TERM_WINDOW])


async def test_every_term_window_is_its_newest_visible_matches(db):
    tenant, seeded = await _seed(db)
    terms = list(TERMS.values())
    asker = search.Asker(tenant, "alice", None, NOW)
    async with db.transaction() as session, search.planner_settings(session, db.dialect):
        rows = await search._all_windows(session, db.dialect, terms, asker)
        windows: dict[int, set[int]] = {}
        for key, narration_id, *_ in rows:
            windows.setdefault(key, set()).add(narration_id)
        if db.dialect == "postgresql":
            asked = fulltext.pg_asked_terms(search.PG_COMMON_SHARE, search.PG_RARE_ROWS)
            strategies = {
                int(term): (bool(common), bool(rare))
                for term, common, rare in await (await session.connection()).execute(
                    sa_select(asked.c.term, asked.c.common, asked.c.rare),
                    {"pg_queries": [fulltext.pg_tsquery(t) for t in terms]},
                )
            }
            # The seeding exercises every way of reading a window.
            assert strategies == {
                0: (True, False),
                1: (True, False),
                2: (False, False),
                3: (False, True),
                4: (False, False),
            }
    for key, needle in enumerate(TERMS):
        expected = _expected(seeded, needle, "alice")
        assert windows.get(key, set()) == expected, needle
    assert len(windows[0]) == search.TERM_WINDOW  # the common words' windows are full
    assert len(windows[3]) == 2  # gamma: 17 is private and alice's own, so 300 and 303


SETTINGS = ("plan_cache_mode", "max_parallel_workers_per_gather", "jit")


async def test_the_windows_planner_settings_are_restored_after_a_question(db):
    if db.dialect != "postgresql":
        pytest.skip("planner settings are PostgreSQL's")
    tenant, _ = await _seed(db)
    read = text(", ".join(f"current_setting('{name}')" for name in SETTINGS).join(("SELECT ", "")))
    async with db.transaction() as session:
        connection = await session.connection()
        await connection.execute(text("SELECT set_config('jit', 'on', true)"))
        before = tuple((await connection.execute(read)).one())
        async with search.planner_settings(session, db.dialect):
            during = tuple((await connection.execute(read)).one())
        evidence = await search.find_evidence(
            session,
            dialect=db.dialect,
            tenant_id=tenant,
            viewer_user_id="dave",
            answer_channel_pk=None,
            terms=[TERMS["quux"]],
            now=NOW,
        )
        after = tuple((await connection.execute(read)).one())
    assert evidence.hits  # the question was really answered in between
    assert during == ("force_custom_plan", "0", "off")
    assert after == before
    assert before[2] == "on"


def _filters(node: dict) -> list[str]:
    """Every row filter and index condition of a JSON plan."""
    found = [
        str(node[key])
        for key in ("Filter", "Index Cond", "Recheck Cond", "Join Filter")
        if key in node
    ]
    for child in node.get("Plans", []):
        found += _filters(child)
    return found


async def test_a_question_without_net_checks_no_spelling_on_any_row(db):
    """Only "net" and ".NET" have their matches checked for how the text spells them. A check
    (even one that lets every row through) on the rows of every other term's window made the
    planner give up walking the date index newest first to the window's LIMIT, for a common
    word: it read the word's whole two months and sorted them (60k narrations: "package"
    104 -> 3,287 rows)."""
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL's plan; FTS5 walks each doclist newest first")
    tenant, _ = await _seed(db)
    terms = [TERMS["zorb"], TERMS["blip"]]
    asker = search.Asker(tenant, "alice", None, NOW)
    async with db.transaction() as session, search.planner_settings(session, db.dialect):
        connection = await session.connection()
        statement = search._pg_windows_for(channel=False, before=False)
        compiled = statement.compile(dialect=connection.dialect)
        values = {**compiled.params, **search._pg_values(terms, asker)}
        plan = (
            await connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, FORMAT JSON) " + str(compiled), values
            )
        ).scalar_one()
    filters = _filters(plan[0]["Plan"])
    assert any("created_at" in f for f in filters)  # the plan's filters were read
    assert not any(" ~ " in f or "lower(" in f for f in filters), filters
