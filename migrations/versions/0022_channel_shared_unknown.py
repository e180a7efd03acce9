"""channels: a Slack channel whose sharing was never learned counts as shared until Slack says

Revision ID: 0022_channel_shared_unknown
Revises: 0021_channel_archived_bot_left
Create Date: 2026-11-24

Migration 0010 added ``channel.shared`` as false for every existing row. The Slack adapter before
it stored a Slack Connect channel as a private channel, with no word of sharing, so after the
upgrade such a channel looked internal: its weekly digest counted and listed the workspace's
public narrations, teams, topics and open questions (naming people) for the other organisation to
read, and an introductions channel there was posted to as if only the workspace read it. A row
doesn't say whether its false was learned from Slack or only 0010's default, so every private
channel of a Slack workspace not marked shared is now taken as shared: the adapter's own rule for
a channel it couldn't look up ("private, and shared"). The next command, mention, thread reply,
join or leave, rename, (un)archive or (un)sharing in the channel looks it up again and stores what
Slack says, so an internal private channel is internal again as soon as anyone uses it; until
then its digest holds only what was narrated in it, and an answer there goes to the asker alone.

Public channels (Slack stores a Slack Connect channel as private), DMs, and other platforms'
channels are left alone. Downgrading keeps the flags: the code before this revision reads them
the same way, and which of them were 0010's default can't be known.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_channel_shared_unknown"
down_revision: str | None = "0021_channel_archived_bot_left"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_tenant = sa.table("tenant", sa.column("id", sa.Integer()), sa.column("platform", sa.String()))
_channel = sa.table(
    "channel",
    sa.column("tenant_id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("shared", sa.Boolean()),
)


def upgrade() -> None:
    slack = sa.select(_tenant.c.id).where(_tenant.c.platform == "slack")
    op.execute(
        _channel.update()
        .where(
            _channel.c.kind == "private",
            _channel.c.shared == sa.false(),
            _channel.c.tenant_id.in_(slack),
        )
        .values(shared=sa.true())
    )


def downgrade() -> None:
    pass
