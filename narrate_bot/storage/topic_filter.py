"""Which stored narration topics are read: a word that is a topic only when named on purpose.

Talk about the work ("caveat", "tweak"), the verbs of doing ("thinking", "watching") and what
is said in passing ("stay", "warm") are never guessed from free text
(``topics.is_topic_in_text``), but a hashtag is taken as written: "#thinking" is someone's
topic. The ``narration_topic`` rows don't say which they came from, and versions before these
lists stored them from free text too ("one caveat: the cache" stored "caveat"). So such a row
is read only where its narration writes it as a hashtag ("#caveat", "#caveats"), whenever it
was stored, and no narration is rewritten.

The hashtag is the whole word: "#warmup" keeps no "warm", nor does a link's "…/page#details"
keep "detail" (a "#" after a letter, a digit or "_" starts no hashtag).
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
# The words are ASCII letters, so they go into a pattern as they are, and both engines' case
# folding (SQLite's ``lower`` folds ASCII only) reads them alike. A word character is an ASCII
# letter, digit or "_" on both engines, as the bracket classes below spell it.
assert all(word.isascii() and word.isalpha() and word.islower() for word in _GUESSED_ONLY)
_BEFORE = "a-z0-9_"  # what may not come just before the "#"
_AFTER = "a-z0-9_"  # what may not come just after the word ("#warmup")


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
    text, topic = (compiler.process(arg, **kw) for arg in element.clauses)
    any_ = _percent(compiler)
    pattern = f"'(^|[^{_BEFORE}])#' || {topic} || 's?($|[^{_AFTER}])'"
    return f"({text} ILIKE '{any_}#' || {topic} || '{any_}' AND lower({text}) ~ ({pattern}))"


def taken_as_written() -> ColumnElement[bool]:
    """SQL: the ``NarrationTopic`` row is read, in a query that joins its ``Narration``."""
    topic = col(NarrationTopic.topic)
    return or_(topic.not_in(_GUESSED_ONLY), _WrittenAsHashtag(col(Narration.text), topic))
