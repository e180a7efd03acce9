"""Which stored narration topics are read: a word that is a topic only when named on purpose.

Talk about the work ("caveat", "tweak"), the verbs of doing ("thinking", "watching") and what
is said in passing ("stay", "warm") are never guessed from free text
(``topics.is_topic_in_text``), but a hashtag is taken as written: "#thinking" is someone's
topic. The ``narration_topic`` rows don't say which they came from, and versions before these
lists stored them from free text too ("one caveat: the cache" stored "caveat"). So such a row
is read only where its narration writes it as a hashtag ("#caveat", "#caveats"), whenever it
was stored, and no narration is rewritten.

The hashtag is the whole word: "#warmup" or "#warmé" keeps no "warm", nor does a link's
"…/page#details", "…/guide/#details" or "[see](#details)" keep "detail" (a "#" after a word
character or a character of a link starts no hashtag). Both engines read it alike: case is
folded for ASCII letters only, and any other letter is a word character.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean
from sqlmodel import col

from ..knowledge.topics import GUESSED_ONLY_STORED
from .tables import Narration, NarrationTopic

_GUESSED_ONLY = sorted(GUESSED_ONLY_STORED)
# The words are ASCII letters, so they go into a pattern as they are. Both engines fold case for
# ASCII only (SQLite's ``lower`` and ``LIKE``; PostgreSQL's ``lower`` in the "C" collation), so
# "#DETAİL" is no "#detail" on either. A word character is an ASCII letter, digit or "_", or any
# character beyond ASCII ("#warmé"), as the bracket classes below spell it (both engines read a
# class's range by code point).
assert all(word.isascii() and word.isalpha() and word.islower() for word in _GUESSED_ONLY)
_WORD = f"a-z0-9_{chr(0x80)}-{chr(0x10FFFF)}"
_BEFORE = _WORD + "/()?=&~."  # what may not come just before the "#": a word or a link's part
_AFTER = _WORD  # what may not come just after the word ("#warmup")


class _WrittenAsHashtag(FunctionElement[bool]):
    """Whether the joined narration's text writes the row's topic as a hashtag, as the whole
    word, or with a plural "s" ("#caveats" for "caveat"), case folded."""

    type = Boolean()
    name = "written_as_hashtag"
    inherit_cache = True


def _percent(compiler: SQLCompiler) -> str:
    """LIKE's "%", doubled where the driver reads "%" as a placeholder (psycopg)."""
    return "%%" if compiler.dialect.paramstyle in ("format", "pyformat") else "%"


@compiles(_WrittenAsHashtag, "sqlite")
def _sqlite(element: _WrittenAsHashtag, compiler: SQLCompiler, **kw: Any) -> str:
    # LIKE (ASCII case-insensitive) turns away most texts without folding or copying them;
    # GLOB then checks the boundaries, on the text padded so its ends count as boundaries.
    text, topic = (compiler.process(arg, **kw) for arg in element.clauses)
    any_ = _percent(compiler)
    padded = f"(' ' || lower({text}) || ' ')"
    glob = f"'*[^{_BEFORE}]#' || {topic} || '{{}}[^{_AFTER}]*'"
    return (
        f"({text} LIKE '{any_}#' || {topic} || '{any_}' AND ({padded} GLOB {glob.format('')}"
        f" OR {padded} GLOB {glob.format('s')}))"
    )


@compiles(_WrittenAsHashtag, "postgresql")
def _postgresql(element: _WrittenAsHashtag, compiler: SQLCompiler, **kw: Any) -> str:
    # The pattern is built from the topic only for a talk word (ASCII letters): another topic
    # ("c++") would be no regular expression. CASE keeps that order; OR would not.
    text, topic = (compiler.process(arg, **kw) for arg in element.clauses)
    any_ = _percent(compiler)
    folded = f'lower({text} COLLATE "C")'
    pattern = f"'(^|[^{_BEFORE}])#' || {topic} || 's?($|[^{_AFTER}])'"
    words = ", ".join(f"'{word}'" for word in _GUESSED_ONLY)
    return (
        f"(CASE WHEN {topic} IN ({words}) THEN {folded} LIKE '{any_}#' || {topic} || '{any_}'"
        f" AND {folded} ~ ({pattern}) ELSE false END)"
    )


def taken_as_written() -> ColumnElement[bool]:
    """SQL: the ``NarrationTopic`` row is read, in a query that joins its ``Narration``."""
    topic = col(NarrationTopic.topic)
    return or_(topic.not_in(_GUESSED_ONLY), _WrittenAsHashtag(col(Narration.text), topic))
