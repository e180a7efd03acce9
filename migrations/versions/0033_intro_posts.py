"""introductions: where each was posted in the introductions channel (``intro_post``); who-knows
questions kept for introductions only while their askers take part

Revision ID: 0033_intro_posts
Revises: 0032_digest_copies
Create Date: 2026-11-24

An introduction's post in the introductions channel names its people, their teams and what they
narrated about, for the whole workspace to read. After one of them asked to be forgotten it kept
naming them, while the other's own views said "someone who has since left": nothing linked the
post to its introduction (the outbox row drops the post once sent). ``intro_post`` keeps where
each post went (channel and post id, cascading from the introduction), so forget-me can edit it;
``retract_at`` is when that edit is due (again), indexed for the scheduler's probe. Posts made
before this revision kept no such record: they can't be found, and stay as they are.

Who-knows questions are remembered for introductions "only while you take part", but
``intros leave`` and ``/narrate leave`` kept them. The code now deletes them as people leave;
here, the questions of everyone who left before are deleted once (no longer in introductions,
or no longer taking part in narrate-bot). ``ix_intro_asked_topic_person`` makes those deletes,
and the week's read of its participants' questions, index probes.

Downgrading drops the table and the index; the deleted questions stay deleted (they should never
have been kept), and the older code leaves the channel posts as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0033_intro_posts"
down_revision: str | None = "0032_digest_copies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The questions of people not taking part: out of introductions, or out of narrate-bot (their
# participant row stays through ``/narrate leave``, and a rejoin must not bring them back).
LEFTOVER_QUESTIONS = """
DELETE FROM intro_asked_topic
WHERE person_id NOT IN (SELECT person_id FROM intro_participant)
   OR person_id IN (SELECT id FROM person WHERE consent <> 'joined')
"""


def upgrade() -> None:
    op.create_table(
        "intro_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("introduction_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("retract_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["introduction_id"], ["introduction.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intro_post_introduction", "intro_post", ["introduction_id"])
    op.create_index("ix_intro_post_retract_at", "intro_post", ["retract_at"])
    op.create_index("ix_intro_asked_topic_person", "intro_asked_topic", ["person_id", "asked_at"])
    op.execute(LEFTOVER_QUESTIONS)


def downgrade() -> None:
    op.drop_index("ix_intro_asked_topic_person", table_name="intro_asked_topic")
    op.drop_index("ix_intro_post_retract_at", table_name="intro_post")
    op.drop_index("ix_intro_post_introduction", table_name="intro_post")
    op.drop_table("intro_post")
