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
upgrade's transaction and its lock, so replicas starting together repair once. It finds nothing
to do on a database only this version wrote, and each repair is what the migration would have
done to the row had it been there:

* the schedule gets its id as its number, as 0019 numbered every schedule stored before it (the
  older version showed the id: "Scheduled #6", buttons carrying ``/narrate reply 6``), unless the
  workspace already has that number, in which case it gets the workspace's next one;
* the key is recomputed (``topic_key``), and where the person already has the new key for the
  same kind, the older row goes, as in 0018 (a topic with an "&" too: "R & D" was keyed "r");
* the narration gets its ``search_text`` (``words.index_text``), as 0050 gave every narration
  and 0054 recomputed it; one naming an "&" name gets it here, at the first start of the version
  that indexes their token (or this token), as no migration gave it.

What an older version deleted or changed by the old key (``unhide-me Café`` against a folded
row) can't be told afterwards and isn't repaired: the README asks for every old process to be
stopped before migrating. What its deletes would lose for good is kept by database triggers as
it deletes instead (migration 0030): the place of a form update's post whose narration it
deleted, which ``features.orphan_posts`` deletes from the platform at every scheduler wake-up,
not just after an upgrade; and a person's intro pace goes with the person's row.
"""

from __future__ import annotations

import logging
from itertools import count

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from narrate_bot.knowledge.topic_match import (
    KEYED_BEFORE_PLURAL_SHAPES,
    KEYED_BEFORE_PLURALS,
    topic_key,
)
from narrate_bot.knowledge.words import (
    AMPERSAND_GLOBS,
    AMPERSAND_REGEX,
    CJK_CLASS,
    INDEXED_CLASS,
    OLD_TOKEN_GLOBS,
    OLD_TOKEN_REGEX,
    SYMBOL_GLOBS,
    SYMBOL_REGEX,
    SYMBOL_TOKEN_GLOB,
    SYMBOL_TOKEN_TEXT,
    TOKEN_GLOBS,
    TOKEN_REGEX,
    index_text,
)

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
# Only text with a CJK character or a width form (``words.INDEXED_CLASS``), or an "&" name
# (``words.AMPERSAND_GLOBS``; a text without "&" is told at once), matched in SQL so that the many
# narrations with an accent or an emoji (no ``search_text`` either) aren't read and re-indexed
# in Python at every start.
_PADDED = "(' ' || text || ' ')"
# A full-width "＆", or an "&" beside full-width letters ("Ｒ&Ｄ"), is read in Python: it is
# the name's once folded (``words.index_text``), which these patterns don't do.
HAS_AMPERSAND_NAME = {
    "sqlite": "((instr(text, '&') > 0 AND ("
    + " OR ".join(f"{_PADDED} GLOB :ampersand_{i}" for i in range(len(AMPERSAND_GLOBS)))
    + ")) OR instr(text, '＆') > 0 OR (instr(text, '&') > 0 AND text GLOB '*[Ａ-Ｚａ-ｚ]*'))",
    "postgresql": "((strpos(text, '&') > 0 AND text ~ :ampersand) OR strpos(text, '＆') > 0"
    " OR (strpos(text, '&') > 0 AND text ~ '[Ａ-Ｚａ-ｚ]'))",
}
HAS_CJK = {
    dialect: f"(text {match} :indexed_class OR {HAS_AMPERSAND_NAME[dialect]})"
    for dialect, match in (("sqlite", "GLOB"), ("postgresql", "~"))
}
# A ``search_text`` written before this version's "&" tokens (``words.ampersand_token``) of a
# text naming one: 0054's of a CJK or width-form text (no token), or one with the previous
# version's token ("amp0t0s", which SQLite's porter stemmer merged with "amp0t0e"). Any row
# holding this version's token was written by this version: the text's names all have theirs.
# And any holding the previous version's, whatever its text: "C & C++" it took for the name C&C.
LACKS_TOKEN = {
    "sqlite": f"(({HAS_AMPERSAND_NAME['sqlite']} AND NOT ("
    + " OR ".join(f"search_text GLOB :token_{i}" for i in range(len(TOKEN_GLOBS)))
    + ")) OR "
    + " OR ".join(f"search_text GLOB :old_token_{i}" for i in range(len(OLD_TOKEN_GLOBS)))
    + ")",
    "postgresql": f"(({HAS_AMPERSAND_NAME['postgresql']} AND search_text !~ :token)"
    " OR search_text ~ :old_token)",
}
# A text that may spell a symbol name (``words.SYMBOL_GLOBS``: C++, C#, R, .NET) and has none of
# their tokens (``words.symbol_token``): written by a version before them.
LACKS_SYMBOL_TOKEN = {
    "sqlite": "(("
    + " OR ".join(f"{_PADDED} GLOB :symbol_{i}" for i in range(len(SYMBOL_GLOBS)))
    + ") AND (search_text IS NULL OR NOT search_text GLOB :symbol_token))",
    "postgresql": "(text ~ :symbol AND strpos(coalesce(search_text, ''), :symbol_token) = 0)",
}
CJK_PATTERN = {"sqlite": f"*{INDEXED_CLASS}*", "postgresql": INDEXED_CLASS}
# 0050's ``search_text`` (written by a version from 0050 to 0053) never ends with a CJK character:
# each run is written as its pairs between spaces. Since 0054 that of a text with a run of two
# characters or more always does: the run's characters come last (``words.index_text``). So
# only a CJK text's ``search_text`` ending otherwise may be 0050's; read, it is compared and
# written only if it differs (the text of one-character runs alone, "修了 锁", is read for
# nothing at each start).
MAY_BE_0050 = {
    "sqlite": "NOT search_text GLOB :ends_cjk AND text GLOB :cjk",
    "postgresql": "search_text !~ :ends_cjk AND text ~ :cjk",
}
SQL_PATTERNS = {
    "sqlite": {
        "indexed_class": CJK_PATTERN["sqlite"],
        "cjk": f"*{CJK_CLASS}*",
        "ends_cjk": f"*{CJK_CLASS}",
        **{f"ampersand_{i}": glob for i, glob in enumerate(AMPERSAND_GLOBS)},
        **{f"token_{i}": glob for i, glob in enumerate(TOKEN_GLOBS)},
        **{f"old_token_{i}": glob for i, glob in enumerate(OLD_TOKEN_GLOBS)},
        **{f"symbol_{i}": glob for i, glob in enumerate(SYMBOL_GLOBS)},
        "symbol_token": SYMBOL_TOKEN_GLOB,
    },
    "postgresql": {
        "indexed_class": CJK_PATTERN["postgresql"],
        "cjk": CJK_CLASS,
        "ends_cjk": f"{CJK_CLASS}$",
        "ampersand": AMPERSAND_REGEX,
        "token": TOKEN_REGEX,
        "old_token": OLD_TOKEN_REGEX,
        "symbol": SYMBOL_REGEX,
        "symbol_token": SYMBOL_TOKEN_TEXT,
    },
}
UNINDEXED = (
    "SELECT id, text, search_text FROM narration"
    " WHERE ((search_text IS NULL AND {}) OR (search_text IS NOT NULL AND ({} OR {})) OR {})"
    " AND id > :after ORDER BY id LIMIT :n"
)
SET_SEARCH_TEXT = text(
    "UPDATE narration SET search_text = :indexed"
    " WHERE id = :id AND coalesce(search_text, '') = :old"
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


def repair(connection: Connection) -> None:
    """Put right what an older version wrote since the migration (see the module's doc)."""
    numbered = _number_schedules(connection)
    rekeyed = _fold_topic_keys(connection)
    indexed = _fill_search_text(connection)
    if numbered or rekeyed or indexed:
        log.info(
            "put right what an older version wrote after the upgrade: %d schedule number(s), "
            "%d topic key(s), %d narration(s) indexed",
            numbered,
            rekeyed,
            indexed,
        )


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
    dialect = connection.dialect.name
    if dialect not in HAS_CJK:
        return 0
    query = text(
        UNINDEXED.format(
            HAS_CJK[dialect],
            MAY_BE_0050[dialect],
            LACKS_TOKEN[dialect],
            LACKS_SYMBOL_TOKEN[dialect],
        )
    )
    patterns = SQL_PATTERNS[dialect]
    done = after = 0
    while rows := connection.execute(query, {"after": after, "n": BATCH, **patterns}).all():
        # Written only where it differs, and nobody wrote it since it was read (``old``): an
        # edit meanwhile wrote its own, or cleared it for the next start. A text that needs
        # none (an ASCII "C & C++" the previous version took for the name C&C) gets none.
        changed = [
            {"id": row.id, "indexed": indexed, "old": row.search_text or ""}
            for row in rows
            if (indexed := index_text(row.text)) != row.search_text
        ]
        if changed:
            connection.execute(SET_SEARCH_TEXT, changed)
            done += len(changed)
        after = rows[-1].id
    return done
