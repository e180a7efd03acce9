"""who-knows answers follow their quotes: ``narration_copy`` holds channel answers too

Revision ID: 0036_answer_copies
Revises: 0035_follow_trigger_retry_index
Create Date: 2026-11-24

A "who knows about X?" answered by a mention is posted in the channel (the asking message's
thread) and quotes up to 120 characters of each narration it shows as evidence. The adapters
posted it and the core never learned the message's id, so ``/narrate delete``, ``edit``,
``unshare`` and forget-me left those words in the channel for good. The answer is now kept
as a ``narration_copy`` (kind ``who_knows``) once the adapter reports its id, and edited like
a followed-topics DM.

A channel's answer has no one reader: ``person_id`` may now be empty, and ``channel_pk`` names
the channel everyone in which reads it (an unshare removes a quote that channel may no longer
read; the record goes with the channel). A who-knows answer sent to its asker's DM keeps the
asker as its reader, as a digest does. The asker of a channel's answer is not kept: their
forget-me leaves the answer's other people's quotes tracked (its own lines name none of them).

Answers posted before this revision kept no record, and stay as they are. Downgrading deletes
the channel answers' records (the older code has no reader for them) and drops the column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from narrate_bot_migrations.triggers import triggers_set_aside

revision: str = "0036_answer_copies"
down_revision: str | None = "0035_follow_trigger_retry_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with triggers_set_aside(), op.batch_alter_table("narration_copy") as batch:
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("channel_pk", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_narration_copy_channel_pk", "channel", ["channel_pk"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_narration_copy_channel_pk", ["channel_pk"])


def downgrade() -> None:
    """The older code reads every copy's reader: the channel answers' records go (their
    quotes cascade), and their messages keep what they show now."""
    # Foreign keys are off while SQLite migrates (``narrate_bot.storage.migrate``): the quotes
    # are deleted first, not left to the cascade.
    op.execute(
        sa.text(
            "DELETE FROM narration_copy_quote WHERE copy_id IN"
            " (SELECT id FROM narration_copy WHERE person_id IS NULL)"
        )
    )
    op.execute(sa.text("DELETE FROM narration_copy WHERE person_id IS NULL"))
    with triggers_set_aside(), op.batch_alter_table("narration_copy") as batch:
        batch.drop_index("ix_narration_copy_channel_pk")
        batch.drop_constraint("fk_narration_copy_channel_pk", type_="foreignkey")
        batch.drop_column("channel_pk")
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=False)
