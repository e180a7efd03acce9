"""place lookups: what Discord said of a stored place it no longer lists

Revision ID: 0059_place_lookup
Revises: 0058_intro_member_unreached
Create Date: 2026-11-25

At a server's first look after a start, the Discord adapter looks up each stored place the
server no longer lists (to find one deleted while no process ran). Every restart asked again
about every such place, a REST call each: a server's whole history of deleted channels, and
places the bot may not see, which can never be answered. The answer is kept here per place
(``place_lookup``): ``gone`` (Discord's Unknown Channel; an id is never reused) is not asked
again, ``refused`` (Missing Access) not until the bot's access in the server changes or a day
has passed. Rows go with their channel. Downgrading drops the table: every restart asks again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0059_place_lookup"
down_revision: str | None = "0058_intro_member_unreached"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "place_lookup",
        sa.Column("channel_pk", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("looked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["channel_pk"], ["channel.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("channel_pk"),
    )


def downgrade() -> None:
    """The older code looks each place up again at every start."""
    op.drop_table("place_lookup")
