"""introductions: each keeps when it actually went out (``introduction.delivered_at``)

Revision ID: 0055_introduction_delivered_at
Revises: 0054_cjk_characters_folded
Create Date: 2026-11-25

Delivery was judged per round: a round counted as delivered when any of its queued posts was
sent or still pending, so one introduction whose posts were all refused, in a round whose
others went out, was still followed up ("did you get to meet …?"), rested its people (their
``every 2w`` pace) and kept its pair out of the next 12 rounds, as if it had happened. Each
introduction now keeps when its first post (channel or group DM) was sent; only delivered
introductions count for follow-ups, pace and the no-repeat window.

Existing introductions are backfilled from their round, the only thing known about them (a final
send keeps no payload to map it back): ``created_at`` where the round reached someone (a post of
the tenant's introductions schedules, on a slot in the round's ISO week, sent or pending) or
queued nothing (worked out outside the scheduler, as such a round counted before); ``NULL`` where
every post of its round failed or was skipped. Downgrading drops the column: delivery is judged
per round again.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0055_introduction_delivered_at"
down_revision: str | None = "0054_cjk_characters_folded"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _reached(bind: sa.engine.Connection) -> list[int]:
    """The ids of the rounds that reached someone or queued nothing (module docstring)."""
    statuses: dict[tuple[int, str], set[str]] = defaultdict(set)
    for tenant_id, slot, status in bind.execute(
        sa.text(
            "SELECT s.tenant_id, ss.slot, ss.status FROM schedule_send ss "
            "JOIN schedule s ON s.id = ss.schedule_id "
            "WHERE s.kind = 'intros' AND ss.part LIKE 'post-%'"
        )
    ):
        statuses[(tenant_id, slot)].add(status)
    reached = []
    for round_id, tenant_id, week in bind.execute(
        sa.text("SELECT id, tenant_id, week FROM intro_round")
    ):
        year, _, number = week.partition("-W")
        seen: set[str] = set()
        for day in range(1, 8):
            slot = date.fromisocalendar(int(year), int(number), day).isoformat()
            seen |= statuses.get((tenant_id, slot), set())
        if not seen or seen & {"sent", "pending"}:
            reached.append(round_id)
    return reached


def upgrade() -> None:
    # A plain ADD COLUMN on both engines: no SQLite rebuild, so the triggers stay as they are.
    op.add_column(
        "introduction",
        sa.Column("delivered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    bind = op.get_bind()
    reached = _reached(bind)
    for start in range(0, len(reached), 500):
        bind.execute(
            sa.text(
                "UPDATE introduction SET delivered_at = created_at WHERE round_id IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": reached[start : start + 500]},
        )


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place when nothing (index, trigger, view) names it.
    op.drop_column("introduction", "delivered_at")
