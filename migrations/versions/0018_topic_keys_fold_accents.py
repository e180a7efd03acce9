"""topic preferences: keys recomputed now that matching folds accents

Revision ID: 0018_topic_keys_fold_accents
Revises: 0017_schedule_removed_at
Create Date: 2026-11-23

Declared and hidden topics are found by ``topic_key``, their sorted stems. Matching now folds
accents (``knowledge.topic_match.fold_accents``: the search folds them on SQLite, so a hide of
"Zürich" must cover "zurich"), which changes the key of every topic with an accent: "Zürich" was
``zürich`` and is ``zurich``, "café" was ``café`` and is ``cafe``. A key stored before would never meet a question typed without the accent, so its
owner stayed in those answers. ADR 0011 asks for exactly this migration whenever the normalizer
changes.

The keys are recomputed with the normalizer itself, imported rather than copied: a key is only
ever meant to equal what the code of the day computes, and a later change to the normalizer
brings its own migration that recomputes them again. Only rows whose key changes are touched;
where a person already has the new key for the same kind ("Zürich" and "zurich" both hidden),
the older row goes, as declaring a topic twice is one row. The downgrade recomputes the keys
without folding, as the code before this revision did.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from narrate_bot.knowledge.topic_match import stems

revision: str = "0018_topic_keys_fold_accents"
down_revision: str | None = "0017_schedule_removed_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROWS = sa.text("SELECT person_id, kind, topic_key, topic FROM topic_preference")
TAKEN = sa.text(
    "SELECT 1 FROM topic_preference WHERE person_id = :person AND kind = :kind AND topic_key = :key"
)
MOVE = sa.text(
    "UPDATE topic_preference SET topic_key = :new"
    " WHERE person_id = :person AND kind = :kind AND topic_key = :old"
)
DROP = sa.text(
    "DELETE FROM topic_preference WHERE person_id = :person AND kind = :kind AND topic_key = :old"
)


def _rekey(key_of: Callable[[str], str]) -> None:
    bind = op.get_bind()
    for person, kind, old, topic in bind.execute(ROWS).all():
        new = key_of(topic)
        if not new or new == old:
            continue
        where = {"person": person, "kind": kind, "old": old}
        if bind.execute(TAKEN, {"person": person, "kind": kind, "key": new}).first():
            bind.execute(DROP, where)
        else:
            bind.execute(MOVE, {**where, "new": new})


def upgrade() -> None:
    _rekey(lambda topic: " ".join(sorted(stems(topic))))


def downgrade() -> None:
    _rekey(lambda topic: " ".join(sorted(stems(topic, fold=False))))
