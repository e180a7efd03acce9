"""introduction members: who a partly delivered group DM never reached (``unreached_at``)

Revision ID: 0058_intro_member_unreached
Revises: 0057_intro_sent_marks_delivered
Create Date: 2026-11-25

A Discord group introduction is one DM per member. When the later members' DMs keep failing
until the send is given up, the introduction counts as delivered (the others got it: 0057 and
``ports.PartlyPosted``), but the members it never reached weren't introduced: they aren't asked
whether they met (the follow-up goes to those who got it) and aren't rested by their pace
(``intros every``). ``unreached_at`` is when the send was given up without them; ``NULL`` for
everyone else, existing rows included. Downgrading drops it: they count as reached again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0058_intro_member_unreached"
down_revision: str | None = "0057_intro_sent_marks_delivered"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both engines: no SQLite rebuild, so the triggers stay as they are.
    op.add_column(
        "intro_member",
        sa.Column("unreached_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place when nothing (index, trigger, view) names it.
    op.drop_column("intro_member", "unreached_at")
