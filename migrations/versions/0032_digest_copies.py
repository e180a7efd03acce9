"""digest copies: which open questions a weekly digest's thread listed (``digest_thread``,
``digest_question``)

Revision ID: 0032_digest_copies
Revises: 0031_lapsed_erasure_requests
Create Date: 2026-11-24

A channel digest's thread lists open questions ("@zoe is looking for someone who knows about
“cobol”"): it names the asker and quotes the question, like the question's own post. Forget-me
and ``ask-channel withdraw`` deleted that post and left the digest's copy. The thread post is
now kept as posted (``digest_thread``, cascading from its ``schedule_send``) with which question
each line is (``digest_question``, cascading from the question), so the line can be edited out
(or the post deleted when nothing else is in it). Digests posted before this revision kept no
such record: their copies can't be found, and stay. Downgrading drops both tables; the older
code leaves the copies as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032_digest_copies"
down_revision: str | None = "0031_lapsed_erasure_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_thread",
        sa.Column("send_id", sa.Integer(), nullable=False),
        sa.Column("post", sa.Text(), nullable=False),
        sa.Column("alone", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["send_id"], ["schedule_send.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("send_id"),
    )
    op.create_table(
        "digest_question",
        sa.Column("send_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["send_id"], ["digest_thread.send_id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["open_question.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("send_id", "question_id"),
    )
    op.create_index("ix_digest_question_question", "digest_question", ["question_id"])


def downgrade() -> None:
    """The older code keeps no record of a digest's copies, and can't take them back."""
    op.drop_index("ix_digest_question_question", table_name="digest_question")
    op.drop_table("digest_question")
    op.drop_table("digest_thread")
