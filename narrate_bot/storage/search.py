"""Finding the evidence for a question, among the narrations the asker may read, at bounded cost.

Per search term, the index returns only the most recent ``TERM_WINDOW`` visible matches (FTS5
walks its doclist backwards by rowid; PostgreSQL, in one statement, walks the date index for a
common word, reads a rare word's GIN matches at once, and otherwise intersects the GIN matches
with widening spans of the (tenant, created_at) index), so a word found in every narration costs
about what a rare one does. The term's specificity comes from the same window: exact when the
window isn't full, otherwise extrapolated from how much time the window spans.
``knowledge.ranking`` does the rest, from these hits alone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    bindparam,
    func,
    literal,
    or_,
    text,
    true,
    union_all,
)
from sqlalchemy import Select as SaSelect
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..knowledge.expansion import EXPANSION_DOCUMENTS, expansion_terms
from ..knowledge.ranking import Hit, idf
from ..knowledge.words import INDEXED_CLASS, WIDTH_CLASS, SearchTerm, is_name_token, spells
from . import fulltext
from .repositories import suggestable, visible_to
from .tables import Channel, Narration, Person

TERM_WINDOW = 100
PG_LOOKBACK_DAYS = (7, 60, 365, 0)  # 0: all of history
# Of narrations: walk the date index for such a word (~100 / share rows, at most 60 days);
# below it, reading the GIN matches once per date step costs more (ADR 0006).
PG_COMMON_SHARE = 0.01
PG_RARE_ROWS = 1000  # matches at most: read them all at once

# A question about a symbol name (C++, C#, C, R, .NET) searches the name's own token
# (``words.symbol_token``), which only a narration spelling it holds: its window is its newest
# 100 however many newer narrations hold the letter. What follows is for the word "net" (and a
# term of the letter built by hand), which the index holds in ".NET" too.
# The index holds only a name's letters: ".NET" (and "ASP.NET") as the word "net", "C++", "C#"
# and "C" as "c". So a window of the word "net" could be all .NET and hide an older "net
# revenue", one of .NET all "net revenue", and one of C++ all "plan C" or "vitamin c". Each
# engine keeps only a match that may spell its term (``words.spells``) before the window's
# limit, from the text as written, ASCII letters of either case spelled out in a bracket class:
# a class names ASCII characters, so any other character is let through here and ``spells``
# (after the window) decides, as it does for a text with width forms or CJK (``INDEXED_CLASS``),
# which it reads NFKC-folded for "net" and .NET. Such a term reads at most its ``SPELLED_SCAN``
# newest matches: in a workspace where nearly every "net" is .NET, the word "net" costs three
# windows, not all of them. (At 1,000 PostgreSQL's planner read a common letter's whole two
# months and sorted them, where at 300 it walks the date index: 8,003 rows against 300.)
SPELLED_SCAN = TERM_WINDOW * 3
_ASCII_NOT_WORD = "\x01-/:-@[-^`{-\x7f"  # a bracket class's ranges: ASCII but [A-Za-z0-9_]
_NET = "[nN][eE][tT]"
# SQLite: GLOB patterns of the text padded with a space at each end, any one of them.
_NET_GLOBS = {
    # A word starting "net" but after a dot, or ".net" going on with a word character.
    "net": (f"*[^A-Za-z0-9.]{_NET}*", f"*.{_NET}[^{_ASCII_NOT_WORD}]*", f"*{INDEXED_CLASS}*"),
    # ".net" neither after a word character or a dot nor going on with a word character.
    ".NET": (f"*[^A-Za-z0-9_.].{_NET}[^A-Za-z0-9_]*", f"*{INDEXED_CLASS}*"),
}
# PostgreSQL: the same, as one regular expression.
_NET_REGEX = {
    "net": rf"(^|[^A-Za-z0-9.]){_NET}|\.{_NET}([A-Za-z0-9_]|[^{_ASCII_NOT_WORD}])|{INDEXED_CLASS}",
    ".NET": rf"(^|[^A-Za-z0-9_.])\.{_NET}($|[^A-Za-z0-9_])|{INDEXED_CLASS}",
}
# A symbol name's letter and what may stand beside it (``words._SPELLINGS``, whose ``\w`` is
# any word character: here ASCII ones, so a letter beyond ASCII is let through): "C++" and "C#"
# in either case ("c++17" too), "C" and "R" capital and alone ("B/C", "R&D" and "r/w" are not).
_SYMBOL_SIDES = {
    "++": ("A-Za-z0-9_+#", r"\+\+", "++", "+#A-Za-z_"),
    "#": ("A-Za-z0-9_+#", "#", "#", "+#A-Za-z0-9_"),
    "": ("A-Za-z0-9_+#/&.'-", "", "", "A-Za-z0-9_+#/&'-"),
}
# Letters beyond ASCII that Python's case-insensitive match takes for an ASCII one ("\u212a",
# the Kelvin sign, for "k"): ``spells`` reads "C++" and "C#" that way.
_ODD_CASES = "\u0130\u0131\u212a\u017f"


def _letter_class(letter: str, *, cased: bool) -> str:
    if not cased:
        return letter
    found = dict.fromkeys(
        ch
        for ch in (letter.lower(), letter.upper(), *_ODD_CASES)
        if re.fullmatch(re.escape(letter), ch, re.IGNORECASE)
    )
    return "[" + "".join(found) + "]"


def spelled_globs(term: SearchTerm) -> tuple[str, ...] | None:
    """SQLite: GLOB patterns of the text padded with a space at each end, one of which any
    narration that spells ``term`` matches; ``None`` for a term every match spells."""
    literal = term.literal
    if literal is None or is_name_token(term.words[0]):
        return None  # searched by the name's own token: every match spells it
    if literal[1:] not in _SYMBOL_SIDES:
        return _NET_GLOBS.get(literal)
    before, _, symbol, after = _SYMBOL_SIDES[literal[1:]]
    letter = _letter_class(literal[0], cased=bool(literal[1:]))
    return (f"*[^{before}]{letter}{symbol}[^{after}]*", f"*{WIDTH_CLASS}*")


def spelled_regex(term: SearchTerm) -> str | None:
    """PostgreSQL: the same as one regular expression of the text (``spelled_globs``)."""
    literal = term.literal
    if literal is None or is_name_token(term.words[0]):
        return None
    if literal[1:] not in _SYMBOL_SIDES:
        return _NET_REGEX.get(literal)
    before, symbol, _, after = _SYMBOL_SIDES[literal[1:]]
    letter = _letter_class(literal[0], cased=bool(literal[1:]))
    return f"(^|[^{before}]){letter}{symbol}($|[^{after}])|{WIDTH_CLASS}"


@dataclass
class Evidence:
    """What the ranking needs: the matched narrations the asker may read, each term's weight,
    which terms (indexes into the weights) name the question's area, and which the asker typed.

    ``terms`` are the terms searched, the asker's first and then the words query expansion
    borrowed; ``asked_terms`` indexes the asker's. Only a match on an asked term can get a person
    named (``ranking.rank_people``). ``term_idfs`` are the weights before each term's own factor
    (a path's ×2): how rare each term is, to find the question's rarest word.
    """

    hits: list[Hit] = field(default_factory=list)
    term_weights: list[float] = field(default_factory=list)
    area_terms: frozenset[int] = frozenset()
    terms: list[SearchTerm] = field(default_factory=list)
    asked_terms: frozenset[int] = frozenset()
    term_idfs: list[float] = field(default_factory=list)


def _evidence_conditions(
    tenant_id: int,
    viewer_user_id: str,
    answer_channel_pk: int | None,
    before: datetime | None,
    now: datetime,
) -> list[ColumnElement[bool]]:
    """Visible to the asker, not the asker's own, by someone who may be suggested. Values on
    SQLite; bound parameters in PostgreSQL's statement built once per process."""
    return [
        cast(
            ColumnElement[bool],
            visible_to(
                tenant_id=tenant_id,
                viewer_user_id=viewer_user_id,
                answer_channel_pk=answer_channel_pk,
            ),
        ),
        _until(before),
        col(Person.user_id) != viewer_user_id,
        suggestable(now),
    ]


def _term_window(
    key: int, term: SearchTerm, conditions: list[ColumnElement[bool]]
) -> SaSelect[Any, Any, Any, Any, Any]:
    """SQLite: the term's ``TERM_WINDOW`` most recent visible matches, tagged with its index.
    A term with a spelling (``spelled_globs``) takes them from the newest ``TERM_WINDOW * 2``
    of its ``SPELLED_SCAN`` newest matches whose text may spell it."""
    globs = spelled_globs(term)
    scan = TERM_WINDOW * 2 if globs is None else SPELLED_SCAN
    recent = fulltext.sqlite_recent_matches(term, scan, key=key)
    if globs is not None:
        scanned = recent
        narration = aliased(Narration)
        padded = literal(" ") + col(narration.text) + literal(" ")
        recent = (
            sa_select(scanned.c.id)
            .select_from(scanned.join(narration, col(narration.id) == scanned.c.id))
            .where(or_(*(padded.op("GLOB")(literal(glob)) for glob in globs)))
            .order_by(scanned.c.id.desc())
            .limit(TERM_WINDOW * 2)
            .subquery(f"fts_spelled_{key}")
        )
    return (
        sa_select(literal(key).label("term"), *_window_columns())
        .select_from(recent.join(Narration, col(Narration.id) == recent.c.id))
        .join(Channel, col(Channel.id) == col(Narration.channel_pk))
        .join(Person, col(Person.id) == col(Narration.person_id))
        .where(*conditions)
        .order_by(recent.c.id.desc())
        .limit(TERM_WINDOW)
    )


def _window_columns() -> tuple[ColumnElement[Any], ...]:
    return (
        col(Narration.id).label("id"),
        col(Narration.person_id).label("person_id"),
        col(Narration.created_at).label("created_at"),
        func.length(col(Narration.text)).label("length"),
    )


Row = tuple[int, int, int, datetime, int]


@dataclass(frozen=True)
class Asker:
    """Who asks, from where and as of when: what bounds the evidence of one question."""

    tenant_id: int
    viewer_user_id: str
    answer_channel_pk: int | None
    now: datetime
    before: datetime | None = None

    @property
    def end(self) -> datetime:
        return self.before if self.before is not None else self.now

    def conditions(self) -> list[ColumnElement[bool]]:
        return _evidence_conditions(
            self.tenant_id, self.viewer_user_id, self.answer_channel_pk, self.before, self.now
        )


async def _all_windows(
    session: AsyncSession, dialect: str, terms: list[SearchTerm], asker: Asker
) -> list[Row]:
    """Every term's window in one round trip. FTS5 reads a doclist newest first, so each
    window is one bounded pass (each wrapped, so its own LIMIT applies)."""
    connection = await session.connection()
    if dialect == "postgresql":
        # The planner settings are in place for the whole question (``planner_settings``).
        statement = _pg_windows_for(
            channel=asker.answer_channel_pk is not None,
            before=asker.before is not None,
            spelled=any(spelled_regex(t) is not None for t in terms),
        )
        result = await connection.execute(statement, _pg_values(terms, asker))
        return [(r[0], r[1], r[2], r[3], r[4]) for r in result]
    conditions = asker.conditions()
    members = []
    for key, term in enumerate(terms):
        window = _term_window(key, term, conditions).subquery(f"w{key}")
        members.append(sa_select(*window.c))
    result = await connection.execute(union_all(*members))
    return [(r[0], r[1], r[2], r[3], r[4]) for r in result]


_pg_windows_cache: dict[tuple[bool, bool, bool], SaSelect[Any, Any, Any, Any, Any]] = {}


def _pg_windows_for(
    *, channel: bool, before: bool, spelled: bool = False
) -> SaSelect[Any, Any, Any, Any, Any]:
    """The windows' statement, built once per process for each shape (answer posted in a
    channel or not, replaying history or not, a term with a spelling to check or none):
    building it took longer than running it. The asker, the dates and the terms are bound
    parameters (``_pg_values``)."""
    key = (channel, before, spelled)
    if key not in _pg_windows_cache:
        conditions = _evidence_conditions(
            cast(int, bindparam("pg_tenant")),
            cast(str, bindparam("pg_viewer")),
            cast(int, bindparam("pg_channel")) if channel else None,
            cast(datetime, bindparam("pg_before")) if before else None,
            cast(datetime, bindparam("pg_now")),
        )
        bounds: list[Any] = [
            bindparam(f"pg_since_{i}") for i, days in enumerate(PG_LOOKBACK_DAYS) if days
        ]
        _pg_windows_cache[key] = _pg_windows(conditions, bounds, spelled=spelled)
    return _pg_windows_cache[key]


def _pg_values(terms: list[SearchTerm], asker: Asker) -> dict[str, Any]:
    values: dict[str, Any] = {
        "pg_queries": [fulltext.pg_tsquery(t) for t in terms],
        "pg_tenant": asker.tenant_id,
        "pg_viewer": asker.viewer_user_id,
        "pg_now": asker.now,
    }
    spelled = [spelled_regex(t) for t in terms]
    if any(pattern is not None for pattern in spelled):
        values["pg_spelled"] = spelled
    if asker.answer_channel_pk is not None:
        values["pg_channel"] = asker.answer_channel_pk
    if asker.before is not None:
        values["pg_before"] = asker.before
    for i, days in enumerate(PG_LOOKBACK_DAYS):
        if days:
            values[f"pg_since_{i}"] = asker.end - timedelta(days=days)
    return values


def _pg_windows(
    conditions: list[ColumnElement[bool]], bounds: list[Any], *, spelled: bool = False
) -> SaSelect[Any, Any, Any, Any, Any]:
    """PostgreSQL: one statement of the same shape for any question, so it is compiled once
    and planned once per execution, not once per term (planning a dozen windows took ~15 ms).

    The terms arrive as an array of ``tsquery`` strings; each one's window is a LATERAL
    subquery. A GIN index returns a term's matches in no order, and reading them all costs as
    much as the word is common, so the window looks back in steps (a week, two months, a year,
    the rest): each step intersects the term's GIN matches with that stretch of the
    (tenant, created_at) index and keeps its newest ``TERM_WINDOW``; the steps are disjoint and
    newest first, under one LIMIT, and PostgreSQL's Append runs them in order and stops
    reading as soon as the window is full. Common and rare words (``fulltext.pg_asked_terms``)
    replace the first steps with a cheaper read. Every way gives the same window as one ordered
    query would (tests/storage/test_search_windows.py).

    ``spelled``: some term keeps only a match that may spell it (``spelled_regex``). The
    steps then come twice, gated on the term having no pattern (the same plan as without) or
    having one: those read the term's ``SPELLED_SCAN`` newest matches the same way, each
    checked against the pattern, and keep the newest ``TERM_WINDOW`` that pass. A row filter
    on every term would make the planner give up walking the date index for a LIMIT, and read
    a common word's whole span; a filter before the limit would read every match of "net" in
    a workspace of .NET.
    """
    parsed = fulltext.pg_asked_terms(PG_COMMON_SHARE, PG_RARE_ROWS, spelled=spelled)
    if not spelled:
        steps = _pg_steps(parsed, conditions, bounds, gate=true(), limit=TERM_WINDOW)
        newest = sa_select(*steps.c).limit(TERM_WINDOW)
    else:
        pattern = parsed.c.spelled
        plain = _pg_steps(parsed, conditions, bounds, gate=pattern.is_(None), limit=TERM_WINDOW)
        check = col(Narration.text).collate("C").op("~")(pattern)
        scanned = _pg_steps(
            parsed, conditions, bounds, gate=pattern.is_not(None), limit=SPELLED_SCAN, check=check
        )
        newest_scanned = sa_select(*scanned.c).limit(SPELLED_SCAN).subquery("scanned")
        columns = [c for c in newest_scanned.c if c.name != "spells"]
        members = [
            sa_select(*plain.c).limit(TERM_WINDOW).subquery("plain"),
            sa_select(*columns).where(newest_scanned.c.spells).limit(TERM_WINDOW).subquery("kept"),
        ]
        both = union_all(*(sa_select(*member.c).correlate(parsed) for member in members))
        newest = sa_select(*both.subquery("windows").c)
    window = newest.correlate(parsed).lateral("w")
    return sa_select(
        parsed.c.term, window.c.id, window.c.person_id, window.c.created_at, window.c.length
    ).select_from(parsed.join(window, true()))


def _pg_steps(
    parsed: Any,
    conditions: list[ColumnElement[bool]],
    bounds: list[Any],
    *,
    gate: ColumnElement[bool],
    limit: int,
    check: ColumnElement[bool] | None = None,
) -> Any:
    """A term's matches newest first, ``limit`` of each date step, the steps in order; with
    ``check``, a column ``spells`` says whether each passes it (``_pg_windows``). ``gate`` is a
    one-time filter on the term."""
    steps: list[list[ColumnElement[bool]]] = []
    newer: Any = None
    for bound in [*bounds, None]:
        step = [] if newer is None else [col(Narration.created_at) < newer]
        steps.append([*step, col(Narration.created_at) >= bound] if bound is not None else step)
        newer = bound
    common, rare = parsed.c.common.is_(True), parsed.c.rare.is_(True)
    # A common word walks the date index newest first through the first two steps' span,
    # checking each row's vector, and stops at the window: ~100 / its share rows (its GIN
    # matches would be most of the index). A rare word's GIN matches are few: one read of them
    # all beats building a date bitmap per step. Each variant is gated on the term (a one-time
    # filter, not a row filter), and each term's variants cover its history once, newest first.
    variants: list[tuple[list[ColumnElement[bool]], ColumnElement[bool], bool]] = [
        ([col(Narration.created_at) >= bounds[1]], common, False),
        ([], rare, True),
        (steps[0], ~common & ~rare, True),
        (steps[1], ~common & ~rare, True),
    ]
    variants += [(step, ~rare, True) for step in steps[2:]]
    extra = [] if check is None else [check.label("spells")]
    members = []
    for number, (step, kind, indexed) in enumerate(variants):
        matches = (
            sa_select(*_window_columns(), *extra)
            .select_from(Narration)
            .join(Channel, col(Channel.id) == col(Narration.channel_pk))
            .join(Person, col(Person.id) == col(Narration.person_id))
            .where(gate & kind, fulltext.pg_matches(parsed.c.tsquery, indexed=indexed))
            .where(*conditions, *step)
            .correlate(parsed)
        )
        name = f"{'step' if check is None else 'checked'}{number}"
        if indexed:
            # Fenced (OFFSET 0), so the planner reads the GIN matches whole and sorts them,
            # instead of walking the date index for a LIMIT it believes a few rows away.
            prefix = "" if check is None else "checked_"
            fenced = matches.offset(0).subquery(f"{prefix}matches{number}")
            matches = sa_select(*fenced.c).correlate(parsed)
            newest_first = fenced.c.created_at.desc()
        else:
            newest_first = col(Narration.created_at).desc()
        window = matches.order_by(newest_first).limit(limit).subquery(name)
        members.append(sa_select(*window.c).correlate(parsed))
    return union_all(*members).subquery("steps" if check is None else "checked")


# The planner settings for the windows' statement, and the values they are set to for it.
_PLANNER_SETTINGS = {
    "plan_cache_mode": "force_custom_plan",
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
}


async def _windows_settings(connection: AsyncConnection) -> dict[str, str]:
    """Settings for the windows' statement only: a plan made for this question's dates (the
    driver prepares a statement it sees often, and a generic plan would not know how many
    rows a step spans); no parallel workers, which would also let the steps' Append run out of
    order; no JIT, whose start-up costs more than the query. One round trip, returning the
    values to restore."""
    names = list(_PLANNER_SETTINGS)
    changes = ", ".join(
        f"set_config('{name}', '{value}', true)" for name, value in _PLANNER_SETTINGS.items()
    )
    current = ", ".join(f"current_setting('{name}') AS s{i}" for i, name in enumerate(names))
    # The CTE is read before the outer target list runs, so it holds the values from before.
    row = (
        await connection.execute(
            text(
                f"WITH previous AS MATERIALIZED (SELECT {current}) "
                f"SELECT previous.*, {changes} FROM previous"
            )
        )
    ).one()
    return {name: str(row[i]) for i, name in enumerate(names)}


async def _restore(connection: AsyncConnection, settings: dict[str, str]) -> None:
    changes = ", ".join(f"set_config('{name}', :v{i}, true)" for i, name in enumerate(settings))
    values = {f"v{i}": value for i, value in enumerate(settings.values())}
    await connection.execute(text(f"SELECT {changes}").bindparams(**values))


async def find_evidence(
    session: AsyncSession,
    *,
    dialect: str,
    tenant_id: int,
    viewer_user_id: str,
    answer_channel_pk: int | None,
    terms: list[SearchTerm],
    now: datetime,
    before: datetime | None = None,
) -> Evidence:
    """Visible matches of each term, and the terms' weights.

    Never the viewer's own narrations, never paused or departed people. ``before`` (exclusive)
    replays history: the evaluation asks as of a past moment.
    """
    terms = [t for t in terms if fulltext.searchable(t)]
    if not terms:
        return Evidence()
    asker = Asker(tenant_id, viewer_user_id, answer_channel_pk, now, before)
    async with planner_settings(session, dialect):
        return await _find_evidence(session, dialect, terms, asker)


@asynccontextmanager
async def planner_settings(session: AsyncSession, dialect: str) -> AsyncIterator[None]:
    """PostgreSQL: the windows' planner settings for a question's reads, one round trip to set
    them and one to restore them, not two around each windows statement. (On an error they are
    not restored here: the statement's error aborts the transaction they are local to.)"""
    if dialect != "postgresql":
        yield
        return
    connection = await session.connection()
    previous = await _windows_settings(connection)
    yield
    await _restore(connection, previous)


async def _find_evidence(
    session: AsyncSession, dialect: str, terms: list[SearchTerm], asker: Asker
) -> Evidence:
    end = asker.end
    asked = frozenset(range(len(terms)))
    found: dict[int, tuple[int, datetime, int]] = {}
    matched: dict[int, set[int]] = defaultdict(set)
    windows = await _collect(session, dialect, terms, asker, found, matched)
    if not found:
        return Evidence()
    stats = _Statistics(session, tenant_id=asker.tenant_id, before=asker.before, end=end)
    size = await stats.collection_size()
    idfs = [idf(stats.frequency(count, oldest), size) for count, oldest in windows]
    weights = [rarity * term.weight for rarity, term in zip(idfs, terms, strict=True)]
    extra = expansion_terms(await _best_texts(session, matched, weights), asked=terms)
    if extra:
        more = await _collect(session, dialect, extra, asker, found, matched, offset=len(terms))
        terms = [*terms, *extra]
        more_idfs = [idf(stats.frequency(count, oldest), size) for count, oldest in more]
        idfs += more_idfs
        weights += [rarity * term.weight for rarity, term in zip(more_idfs, extra, strict=True)]
    hits = [
        Hit(
            narration_id=narration_id,
            person_id=person_id,
            created_at=created_at,
            terms=frozenset(matched[narration_id]),
            length=length,
        )
        for narration_id, (person_id, created_at, length) in found.items()
    ]
    areas = frozenset(i for i, term in enumerate(terms) if term.area)
    return Evidence(
        hits=hits,
        term_weights=weights,
        area_terms=areas,
        terms=terms,
        asked_terms=asked,
        term_idfs=idfs,
    )


async def _collect(
    session: AsyncSession,
    dialect: str,
    terms: list[SearchTerm],
    asker: Asker,
    found: dict[int, tuple[int, datetime, int]],
    matched: dict[int, set[int]],
    *,
    offset: int = 0,
) -> list[tuple[int, datetime | None]]:
    """Add the terms' windows to ``found``/``matched``; each window's (count, oldest match)."""
    counts = [0] * len(terms)
    oldest: list[datetime | None] = [None] * len(terms)
    rows = await _spelled(session, terms, await _all_windows(session, dialect, terms, asker))
    for key, narration_id, person_id, created_at, length in rows:
        found[narration_id] = (person_id, created_at, int(length or 0))
        matched[narration_id].add(offset + key)
        counts[key] += 1
        current = oldest[key]
        oldest[key] = created_at if current is None or created_at < current else current
    return list(zip(counts, oldest, strict=True))


async def _spelled(session: AsyncSession, terms: list[SearchTerm], rows: list[Row]) -> list[Row]:
    """Drop the matches of a symbol-named term ("C++", "R") whose text doesn't spell it: the
    index only holds the letter, and the query's check lets a character beyond ASCII through
    (``spelled_globs``). One read of those texts, only when the question names one."""
    named = {key for key, term in enumerate(terms) if term.literal}
    ids = {row[1] for row in rows if row[0] in named}
    if not ids:
        return rows
    found = await session.exec(
        select(col(Narration.id), col(Narration.text)).where(col(Narration.id).in_(ids))
    )
    texts = dict(found.all())
    return [
        row for row in rows if row[0] not in named or spells(terms[row[0]], texts.get(row[1], ""))
    ]


async def _best_texts(
    session: AsyncSession, matched: dict[int, set[int]], weights: list[float]
) -> list[str]:
    """The texts of the narrations matching most of the question (newest first on ties)."""
    strength = {n: sum(weights[i] for i in keys) for n, keys in matched.items()}
    best = sorted(strength, key=lambda n: (-strength[n], -n))[:EXPANSION_DOCUMENTS]
    rows = await session.exec(
        select(col(Narration.id), col(Narration.text)).where(col(Narration.id).in_(best))
    )
    texts = dict(rows.all())
    return [texts[n] for n in best if n in texts]


def _until(before: datetime | None) -> ColumnElement[bool]:
    return col(Narration.created_at) < before if before is not None else true()


class _Statistics:
    """N and document frequencies for IDF, read at bounded cost (statistics, never shown).

    A term's frequency is its window's count when the window isn't full. A full window only says
    the term is common: its count is scaled by how much of the tenant's history the window spans
    (a steady narration rate assumed). N is estimated the same way from the tenant's newest
    ``TERM_WINDOW`` narrations, because counting a million index entries per question is a scan.
    """

    def __init__(
        self, session: AsyncSession, *, tenant_id: int, before: datetime | None, end: datetime
    ) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.before = before
        self.end = end
        self.first: datetime | None = None

    async def collection_size(self) -> float:
        """Both reads (the first narration's date, the newest window) in one round trip."""
        tenant = (col(Narration.tenant_id) == self.tenant_id, _until(self.before))
        first = select(func.min(col(Narration.created_at))).where(*tenant).scalar_subquery()
        newest = (
            select(col(Narration.created_at))
            .where(*tenant)
            .order_by(col(Narration.created_at).desc())
            .limit(TERM_WINDOW)
            .subquery()
        )
        statement = select(first, func.count(), func.min(newest.c.created_at))
        self.first, count, oldest = (await self.session.exec(statement)).one()
        return self.frequency(int(count), oldest)

    def frequency(self, count: int, oldest: datetime | None) -> float:
        if count < TERM_WINDOW or oldest is None or self.first is None:
            return float(count)
        span = max((self.end - oldest).total_seconds(), 1.0)
        return count * max((self.end - self.first).total_seconds(), span) / span
