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

Existing introductions are backfilled from what is known of them (a final send keeps no payload
to map it back): ``created_at`` where a channel post of it is on record (``intro_post``), or
where its round queued nothing (worked out outside the scheduler, as such a round counted
before), or where its round sent a post (a post of the tenant's introductions schedules, on a
slot in the round's ISO week) that no ``intro_post`` of the round accounts for (a group DM, or
one from before 0033: which introduction it was is lost) and no post of it is still pending.
``NULL`` otherwise: every post of its round failed or was skipped, or the sent ones are all
other introductions' channel posts, or a post of it is still queued (pending, or being retried:
an upgrade during the round's delivery). Such a queued post names its introduction ("Introduction
#N:" in its payload), and the scheduler marks it delivered when it goes out; refused, it stays
undelivered. Downgrading drops the column: delivery is judged per round again.
"""

import json
import re
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


_NUMBERED = re.compile(r"^Introduction #(\d+):")


def _queued_number(payload: str | None) -> int | None:
    """The introduction a pending post is of, from its payload's text (``None``: unreadable)."""
    try:
        text = json.loads(payload or "").get("text")
    except (ValueError, AttributeError):
        return None
    match = _NUMBERED.match(text) if isinstance(text, str) else None
    return int(match.group(1)) if match else None


def _delivered(bind: sa.engine.Connection) -> list[int]:
    """The ids of the introductions that went out (module docstring)."""
    sends: dict[tuple[int, str], list[tuple[str, str | None, str | None]]] = defaultdict(list)
    for tenant_id, slot, status, payload, message_id in bind.execute(
        sa.text(
            "SELECT s.tenant_id, ss.slot, ss.status, ss.payload, ss.message_id"
            " FROM schedule_send ss JOIN schedule s ON s.id = ss.schedule_id"
            " WHERE s.kind = 'intros' AND ss.part LIKE 'post-%'"
        )
    ):
        sends[(tenant_id, slot)].append((status, payload, message_id))
    posted: dict[int, set[str]] = defaultdict(set)
    for introduction_id, message_id in bind.execute(
        sa.text("SELECT introduction_id, message_id FROM intro_post")
    ):
        posted[introduction_id].add(message_id)
    introductions: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for introduction_id, round_id, number in bind.execute(
        sa.text("SELECT id, round_id, number FROM introduction WHERE round_id IS NOT NULL")
    ):
        introductions[round_id].append((introduction_id, number))
    delivered = []
    for round_id, tenant_id, week in bind.execute(
        sa.text("SELECT id, tenant_id, week FROM intro_round")
    ):
        year, _, number = week.partition("-W")
        rows = []
        for day in range(1, 8):
            slot = date.fromisocalendar(int(year), int(number), day).isoformat()
            rows += sends.get((tenant_id, slot), [])
        made = introductions.get(round_id, [])
        if not rows:
            delivered += [i for i, _ in made]
            continue
        queued = {_queued_number(p) for status, p, _ in rows if status == "pending"}
        accounted = set().union(*(posted[i] for i, _ in made))
        unknown = any(s == "sent" and m not in accounted for s, _, m in rows)
        delivered += [i for i, n in made if posted[i] or (unknown and n not in queued)]
    return delivered


def upgrade() -> None:
    # A plain ADD COLUMN on both engines: no SQLite rebuild, so the triggers stay as they are.
    op.add_column(
        "introduction",
        sa.Column("delivered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    bind = op.get_bind()
    delivered = _delivered(bind)
    for start in range(0, len(delivered), 500):
        bind.execute(
            sa.text(
                "UPDATE introduction SET delivered_at = created_at WHERE id IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": delivered[start : start + 500]},
        )


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place when nothing (index, trigger, view) names it.
    op.drop_column("introduction", "delivered_at")
