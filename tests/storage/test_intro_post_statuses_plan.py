"""Whether a round was delivered (``intro_repo.post_statuses``) runs on every
``intros skip``/``intros`` (``next_round``), each biweekly off-week check, three times per
round (``due_this_week``) and in the follow-up; ``schedule_send`` is never pruned (every daily
prompt and reminder of the tenant). It must be answered from the intros schedule's own rows
(``uq_schedule_send_slot_part``: schedule_id, slot, part), not by walking every send of the
tenant through ``ix_schedule_send_message`` (SQLite, without ANALYZE stats, does that: 0.4 s
per call at 600k sends, some of it under the round's write transaction)."""

from __future__ import annotations

from sqlalchemy import event

from narrate_bot.storage import intro_repo
from tests.scheduling.test_idle_wakeup_takes_no_write_lock import _explain


async def test_post_statuses_reads_the_intros_schedules_own_sends(db):
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, params, context, executemany) -> None:
        seen.append((statement, params))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with db.snapshot() as session:
            await intro_repo.post_statuses(session, tenant_id=1, slots=["2026-11-23", "2026-11-24"])
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    [(statement, params)] = [(s, p) for s, p in seen if "FROM schedule_send" in s]
    plan = await _explain(db, statement, params)
    assert "ix_schedule_send_message" not in plan, plan
    assert "sqlite_autoindex_schedule_send_1" in plan or "uq_schedule_send_slot_part" in plan, plan
