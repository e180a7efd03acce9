"""Which stored narration topics are read: a word that is a topic only when named on purpose.

Talk about the work ("caveat", "tweak"), the verbs of doing ("thinking", "watching") and what
is said in passing ("stay", "warm") are never guessed from free text
(``topics.is_topic_in_text``), but a hashtag is taken as written: "#thinking" is someone's
topic. The ``narration_topic`` rows don't say which they came from, and versions before these
lists stored them from free text too ("one caveat: the cache" stored "caveat"). So such a row
is read only where its narration writes it as a hashtag ("#caveat", "#caveats"), whenever it
was stored, and no narration is rewritten.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, literal, or_
from sqlmodel import col

from ..knowledge.topics import GUESSED_ONLY_STORED
from .tables import Narration, NarrationTopic

_GUESSED_ONLY = sorted(GUESSED_ONLY_STORED)


def taken_as_written() -> ColumnElement[bool]:
    """SQL: the ``NarrationTopic`` row is read, in a query that joins its ``Narration``.

    A hashtag is matched by how it starts ("#caveats" for "caveat"), case folded; the words are
    ASCII letters, so SQLite's ``lower`` and ``LIKE`` read them as PostgreSQL's do."""
    topic = col(NarrationTopic.topic)
    tagged = func.lower(col(Narration.text)).like(literal("%#") + topic + literal("%"))
    return or_(topic.not_in(_GUESSED_ONLY), tagged)
