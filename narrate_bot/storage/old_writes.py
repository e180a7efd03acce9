"""What an older narrate-bot wrote after this version migrated the database, put right.

In a rolling deploy (or an old process left running) an older version keeps writing to the
migrated schema without knowing its newer rules, and nothing refuses its rows:

* a channel prompt or digest it schedules has no ``number`` (migration 0019): ``schedule list``
  shows it as "#None", ``schedule remove`` can't name it, its prompts come without the "Write
  my update" button, and ``/narrate reply`` can't find it;
* a topic it stores with ``hide-me`` or ``ask-me-about`` keeps its key unfolded ("café",
  migration 0018): a question about "cafe" names the person who hid "Café"; and ".NET" keyed
  as "net" (as every version did before ".NET" was told from "net", so rows from then too):
  a question about .NET names the person who hid it;
* a narration it stores or edits has no ``search_text`` (migration 0050; since 0052 its edit
  clears a stale one): Chinese, Japanese or Korean text in it is indexed as whole runs, and a
  word inside one isn't found (nor is halfwidth or fullwidth text folded, migration 0054); or,
  written by a version from 0050 to 0053, 0050's ``search_text``: CJK runs as pairs only, so a
  word of one character ("锁") isn't found and nothing is folded; or, written by any version
  before "&" names had their token, none: "T&S" or "AT&T" isn't found on PostgreSQL (whose
  "english" drops their letters), nor any "&" name by the question's token on either engine;
  or, written by the version before this one, its token ("amp0t0s", which SQLite's stemmer
  made "amp0t0" as it made "amp0t0e": T&E narrations crowded T&S out); or, written by any
  version before symbol names had their token (``words.symbol_token``), none: a C++, C#, R or
  .NET narration behind a few hundred newer ones holding its letter isn't found.

``repair`` runs after every upgrade to head (each start, ``narrate-bot migrate``), inside the
upgrade's transaction and its lock, so replicas starting together repair once; it puts right the
schedules and topic keys. The narrations are ``walk``'s, after the upgrade committed: a walk
that reads every narration (the first start after 0061, or after a raise of ``INDEX_RULES``)
must not run under the lock the migration's DDL took on ``narration`` (PostgreSQL's ACCESS
EXCLUSIVE, which holds up even the reads of a replica still serving), so each batch is read,
written and marked in a transaction of its own, and a walk cut short (a kill, a deploy) keeps
what it marked: the rows it didn't reach still hold their lower number for the next start (a
walk that fails, a deadlock or a bug in ``index_text`` on one stored text, is logged and the
start goes on: the migration committed). Each batch locks its rows in id order as it reads them
(PostgreSQL), so a serving replica writing them waits rather than deadlocks. On
PostgreSQL one replica walks at a time (``WALK_LOCK``, not waited for: a replica starting while
another walks goes on serving); on SQLite each batch's write lock is enough. Both find nothing
to do on a database only this version wrote (without reading the narrations: see below), and
each repair is what the migration would have done to the row had it been there:

* the schedule gets its id as its number, as 0019 numbered every schedule stored before it (the
  older version showed the id: "Scheduled #6", buttons carrying ``/narrate reply 6``), unless the
  workspace already has that number, in which case it gets the workspace's next one;
* the key is recomputed (``topic_key``), and where the person already has the new key for the
  same kind, the older row goes, as in 0018 (a topic with an "&" too: "R & D" was keyed "r");
* the narration gets its ``search_text`` (``words.index_text``), as 0050 gave every narration
  and 0054 recomputed it; one naming an "&" name gets it here, at the first start of the version
  that indexes their token (or this token), as no migration gave it.

Narrations are found by the rules that indexed them, not by reading them all (migration 0061;
before it each start read every narration: 80–120 s at 1,000,000 on SQLite). ``INDEX_RULES``
numbers the rules of ``words.index_text``; ``add_narration`` and ``edit_narration`` store it in
``narration.index_rules`` with the ``search_text`` they write. A start reads only the rows below
its own number (a seek in ``ix_narration_index_rules``, which finds none on a database this
version wrote), gives each ``index_text`` of its text where that differs from what it holds, and
marks every row it read with its number, written or not: a row that needs nothing ("R&Dé café",
whose accent needs no ``search_text``) is read once, not at every start. A row gets a number
below only from code that indexed it by other rules:

* a version before 0061 doesn't know the column: its insert gets the default, 0, and its edit
  (``text`` or ``search_text`` changed) is set back to 0 by 0061's trigger. The trigger can't
  tell that edit from this version's, so this version's own edit, and this repair's write,
  store the number again in a second statement of the same transaction;
* a version from 0061 on whose rules are older stores its own, lower, number. The older
  version's start doesn't touch rows above its number.

Why per row, and not one marker saying "every narration was read for these rules": nothing
stops an older process that was already running when the new version migrated. The schema-head
check (Alembic refuses to upgrade from a revision it doesn't know, what 0060 relies on to keep
the code before it away from keyed marks) refuses an older version at its *start* only, and
rules changed without a migration don't even do that; an older process writes after any marker,
and only its rows can say so. Nor a partial index of the rows needing repair: which ones do is
what ``index_text`` (Python: NFKC folds, CJK pairs, the "&" and symbol names' tokens) would
write differently, which no index predicate computes; the SQL approximations used before read
the whole table, and re-read every row they matched that needed nothing. Nor a queue table a
trigger fills: the trigger can't tell this version's write from an older one's either, and a
version of older rules that knows the queue would empty it of its own rows too.

**Changing what ``index_text`` writes** (a new token, another fold): raise ``INDEX_RULES`` by
one in the same commit, and nothing else: no migration, no SQL pattern of the texts concerned.
The first start of that version reads every narration once (as the first start after 0061
does), writes those whose ``search_text`` changes and marks all; starts after it read only what
an older replica writes meanwhile. Rules changed within one release need one raise, not one each.

What an older version deleted or changed by the old key (``unhide-me Café`` against a folded
row) can't be told afterwards and isn't repaired: the README asks for every old process to be
stopped before migrating. What its deletes would lose for good is kept by database triggers as
it deletes instead (migration 0030): the place of a form update's post whose narration it
deleted, which ``features.orphan_posts`` deletes from the platform at every scheduler wake-up,
not just after an upgrade; and a person's intro pace goes with the person's row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from itertools import count
from typing import Any

from sqlalchemy import ARRAY, Integer, Text, TextClause, bindparam, text
from sqlalchemy.engine import Connection, Row, Transaction
from sqlalchemy.exc import DBAPIError, IntegrityError

from narrate_bot.knowledge.topic_match import (
    KEYED_BEFORE_PLURAL_SHAPES,
    KEYED_BEFORE_PLURALS,
    topic_key,
)
from narrate_bot.knowledge.words import index_text

from .schedule_tables import NUMBERED

log = logging.getLogger(__name__)

ATTEMPTS = 5  # a replica of this version numbering a new schedule of the same workspace at once

UNNUMBERED = text(
    "SELECT id, tenant_id FROM schedule WHERE number IS NULL AND kind IN :kinds ORDER BY id"
).bindparams(bindparam("kinds", value=list(NUMBERED), expanding=True))
NUMBER_TAKEN = text("SELECT 1 FROM schedule WHERE tenant_id = :tenant AND number = :number")
NEXT_NUMBER = text("SELECT COALESCE(MAX(number), 0) + 1 FROM schedule WHERE tenant_id = :tenant")
SET_NUMBER = text("UPDATE schedule SET number = :number WHERE id = :id AND number IS NULL")

# Only a key with a character outside printable ASCII can be one the fold changes; and only a
# topic naming ".net" one keyed "net" before ".NET" was told from "net" (or by an older
# version since): hiding .NET must keep its person out of .NET questions, found by ".net"; and
# only a topic with an "&" (or its full-width "＆") one keyed "r" for "R & D" before it was
# the name R&D: hiding R & D must keep its person out of R&D questions.
UNFOLDED = {
    "sqlite": "topic_key GLOB '*[^ -~]*' OR topic LIKE '%.net%' OR topic GLOB '*[&＆]*'",
    "postgresql": "topic_key ~ '[^ -~]' OR topic ILIKE '%.net%' OR topic ~ '[&＆]'",
}
SET_SEARCH_TEXT = text(
    "UPDATE narration SET search_text = :indexed"
    " WHERE id = :id AND text = :text AND coalesce(search_text, '') = :old"
)
BATCH = 1000
PREFERENCES = "SELECT person_id, kind, topic_key, topic FROM topic_preference WHERE {}"
KEYS_HELD = text(
    "SELECT topic_key, topic FROM topic_preference WHERE person_id = :person AND kind = :kind"
)
MOVE_KEY = text(
    "UPDATE topic_preference SET topic_key = :new"
    " WHERE person_id = :person AND kind = :kind AND topic_key = :old"
)
DROP_KEY = text(
    "DELETE FROM topic_preference WHERE person_id = :person AND kind = :kind AND topic_key = :old"
)

# The version of ``words.index_text``'s rules: raised by one whenever what it writes for some text
# changes (see the module's doc). 1: CJK pairs and characters, width forms folded, the tokens of
# "&" names and of symbol names (C++, C#, .NET; none for a name inside a link), typed
# token-shaped words left out. Stored in ``narration.index_rules`` by this version's every write.
INDEX_RULES = 1

# The narrations indexed by other (lower) rules, through ``ix_narration_index_rules``: the next
# lower number held (none at all: one probe of the index), then its rows by id, each batch a
# seek resumed after the last one read.
NEXT_RULES = text(
    "SELECT min(index_rules) FROM narration WHERE index_rules > :before AND index_rules < :rules"
)
BY_RULES = text(
    "SELECT id, text, search_text FROM narration"
    " WHERE index_rules = :at_rules AND id > :after ORDER BY id LIMIT :n"
)
# On PostgreSQL the batch's rows are locked as they are read, in id order, before any is
# written: a serving replica's transaction writing rows in ascending id order then waits for the
# batch (or the batch for it) instead of deadlocking with it, as it did when the batch locked
# the rows it changed first and the rest when marking them. SQLite's write lock is the file's.
BY_RULES_LOCKED = {
    "sqlite": BY_RULES,
    "postgresql": text(BY_RULES.text + " FOR NO KEY UPDATE"),
}
# Each row read is marked as indexed by these rules, if nobody wrote it since it was read (on
# PostgreSQL an older replica may edit it meanwhile; its trigger set it to 0, and this keeps it
# there for the next start). Changed rows are compared with what was just written to them.
MARK_RULES = {
    "sqlite": text(
        "UPDATE narration SET index_rules = :rules"
        " WHERE id = :id AND text = :text AND coalesce(search_text, '') = :indexed"
    ),
    "postgresql": text(
        "UPDATE narration AS n SET index_rules = :rules FROM unnest(CAST(:ids AS integer[]),"
        " CAST(:texts AS text[]), CAST(:indexed AS text[])) AS r(id, text, indexed)"
        " WHERE n.id = r.id AND n.text = r.text AND coalesce(n.search_text, '') = r.indexed"
    ).bindparams(
        bindparam("ids", type_=ARRAY(Integer)),
        bindparam("texts", type_=ARRAY(Text)),
        bindparam("indexed", type_=ARRAY(Text)),
    ),
}


def repair(connection: Connection) -> None:
    """Put right the schedules and topic keys an older version wrote since the migration, in
    the upgrade's transaction (see the module's doc); the narrations are ``walk``'s."""
    numbered = _number_schedules(connection)
    rekeyed = _fold_topic_keys(connection)
    if numbered or rekeyed:
        log.info(
            "put right what an older version wrote after the upgrade: %d schedule number(s), "
            "%d topic key(s)",
            numbered,
            rekeyed,
        )


# The key of the PostgreSQL session-level advisory lock of the narration walk (the migration's
# ``MIGRATION_LOCK`` plus one): replicas starting together walk once.
WALK_LOCK = 7953764252499862830
TRY_WALK_LOCK = text("SELECT pg_try_advisory_lock(:key)")
WALK_UNLOCK = text("SELECT pg_advisory_unlock(:key)")


def walk(connection: Connection) -> int:
    """Index anew the narrations an older version (or older rules) indexed, after the upgrade
    committed (see the module's doc): each batch in its own transaction, on a connection outside
    one (inside one, as a test measuring it has, each batch is a savepoint of it). On PostgreSQL
    only while holding ``WALK_LOCK``: a replica that finds it taken leaves the walk to the one
    holding it. Returns how many narrations got a new ``search_text``."""
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        with _batch(connection):
            taken = connection.execute(TRY_WALK_LOCK, {"key": WALK_LOCK}).scalar_one()
        if not taken:
            log.debug("another replica is indexing the narrations of other rules")
            return 0
    try:
        indexed = _fill_search_text(connection)
    finally:
        if postgres:
            _release_walk_lock(connection)
    if indexed:
        log.info("indexed anew %d narration(s) an older version wrote", indexed)
    return indexed


def _release_walk_lock(connection: Connection) -> None:
    try:
        with _batch(connection):
            connection.execute(WALK_UNLOCK, {"key": WALK_LOCK})
    except DBAPIError:  # the connection is gone, and its session's lock with it
        connection.invalidate()


def _batch(connection: Connection) -> Transaction:
    """A transaction of its own, or a savepoint of the caller's."""
    return connection.begin_nested() if connection.in_transaction() else connection.begin()


def _number_schedules(connection: Connection) -> int:
    done = 0
    for schedule_id, tenant in connection.execute(UNNUMBERED).all():
        for attempt in range(1, ATTEMPTS + 1):
            number = schedule_id
            if connection.execute(NUMBER_TAKEN, {"tenant": tenant, "number": number}).first():
                number = connection.execute(NEXT_NUMBER, {"tenant": tenant}).scalar_one()
            try:
                with connection.begin_nested():
                    connection.execute(SET_NUMBER, {"number": number, "id": schedule_id})
            except IntegrityError:  # a new schedule of the workspace took it meanwhile
                if attempt == ATTEMPTS:
                    raise
            else:
                done += 1
                break
    return done


# And a key with a stem the versions before the "es" plurals gave ("gopls" keyed "gopl", "emacs"
# "emac", "boxes" "boxe"), or the one before bus, gas and quiz had theirs ("buses" keyed "buse",
# "pop quizzes" "pop quizz"): hiding gopls or buses must keep its person out of questions about
# them, found by "gopls" and "bus" (``topic_match.KEYED_BEFORE_PLURALS``).
PLURAL_STEMS = " OR ".join(
    f"(' ' || topic_key || ' ') LIKE '% {stem} %'"
    for stem in [*sorted(KEYED_BEFORE_PLURALS), *KEYED_BEFORE_PLURAL_SHAPES]
)


def _fold_topic_keys(connection: Connection) -> int:
    unfolded = UNFOLDED.get(connection.dialect.name)
    if unfolded is None:
        return 0
    wanted = f"{unfolded} OR {PLURAL_STEMS}"
    rows = connection.execute(text(PREFERENCES.format(wanted))).all()
    groups = {
        (person, kind) for person, kind, old, topic in rows if topic_key(topic) not in ("", old)
    }
    return sum(_rekey(connection, person, kind) for person, kind in sorted(groups))


def _rekey(connection: Connection, person: int, kind: str) -> int:
    """Key anew every topic of one person and kind whose key isn't ``topic_key`` (a map closed
    over all of them: whatever the start query found, any other key of theirs that moves
    too), each checked against where every key ends, not where it is: a row goes only when
    its new key is held by a row that stays, or one moving there first (the same topic, kept
    once). Before, a row whose new key y was held by a row itself moving on to z went, and its
    hide with it."""
    rows = connection.execute(KEYS_HELD, {"person": person, "kind": kind}).all()
    held = {old for old, _ in rows}
    moving = {old: new for old, topic in rows if (new := topic_key(topic)) and new != old}
    taken = held - moving.keys()
    moves: dict[str, str] = {}
    for old, new in sorted(moving.items()):
        if new in taken:
            connection.execute(DROP_KEY, {"person": person, "kind": kind, "old": old})
            held.discard(old)
        else:
            taken.add(new)
            moves[old] = new
    while moves:  # each onto a key free by then: one still held waits for its row to move
        step = {old: new for old, new in moves.items() if new not in held}
        if not step:  # a ring (x → y, y → x): one steps aside to a key nobody holds
            old = min(moves)
            aside = next(key for n in count() if (key := f"~{n}") not in held)
            moves[aside] = moves[old]
            step = {old: aside}
        for old, new in step.items():
            del moves[old]
            connection.execute(MOVE_KEY, {"person": person, "kind": kind, "old": old, "new": new})
            held.discard(old)
            held.add(new)
    return len(moving)


def _fill_search_text(connection: Connection) -> int:
    """Index anew the narrations indexed by other rules than ``INDEX_RULES``, and mark them."""
    mark = MARK_RULES.get(connection.dialect.name)
    by_rules = BY_RULES_LOCKED.get(connection.dialect.name)
    if mark is None or by_rules is None:
        return 0
    done = read = 0
    before: int = -1
    while True:
        with _batch(connection):
            at_rules = connection.execute(
                NEXT_RULES, {"before": before, "rules": INDEX_RULES}
            ).scalar()
        if at_rules is None:
            break
        after = 0
        while True:
            with _batch(connection):  # read, written and marked together: kept if cut short
                rows = connection.execute(
                    by_rules, {"at_rules": at_rules, "after": after, "n": BATCH}
                ).all()
                if rows:
                    done += _index_anew(connection, mark, rows)
            if not rows:
                break
            read += len(rows)
            after = rows[-1].id
        before = int(at_rules)
    if read:
        log.debug("read %d narration(s) indexed by other rules than %d", read, INDEX_RULES)
    return done


def _index_anew(connection: Connection, mark: TextClause, rows: Sequence[Row[Any]]) -> int:
    """Give the rows ``index_text`` of their text where it differs, and mark them all."""
    indexed = [index_text(row.text) or "" for row in rows]
    # Written only where it differs, and nobody wrote it since it was read (``text``, ``old``):
    # an edit meanwhile wrote its own, or cleared it for the next start. A text that needs none
    # (an ASCII "C & C++" the previous version took for the name C&C) gets none.
    changed = [
        {"id": row.id, "text": row.text, "indexed": new or None, "old": row.search_text or ""}
        for row, new in zip(rows, indexed, strict=True)
        if (new or None) != row.search_text
    ]
    if changed:
        connection.execute(SET_SEARCH_TEXT, changed)
    if connection.dialect.name == "sqlite":  # one row each: SQLite has no unnest
        connection.execute(
            mark,
            [
                {"rules": INDEX_RULES, "id": row.id, "text": row.text, "indexed": new}
                for row, new in zip(rows, indexed, strict=True)
            ],
        )
    else:
        connection.execute(
            mark,
            {
                "rules": INDEX_RULES,
                "ids": [row.id for row in rows],
                "texts": [row.text for row in rows],
                "indexed": indexed,
            },
        )
    return len(changed)
