"""Forget-me deletes the person's DM with the bot once none of its narrations is left: finding
that out, and the delete's cascade to the channel's narrations, read only that channel's
narrations (an index), not every narration of every workspace: 1.8 s of one erasure at a
million narrations on SQLite, holding the write lock (benchmarks/forget_me.py)."""

from __future__ import annotations

from sqlalchemy import event, text


async def _explain(db, statement: str, params: object) -> str:
    async with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            rows = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
            return " | ".join(str(row[-1]) for row in rows.all())
        # A few rows make a scan cheapest; what matters is that an index can answer it.
        await conn.execute(text("SET enable_seqscan = off"))
        rows = await conn.exec_driver_sql("EXPLAIN " + statement, params)
        return " | ".join(str(row[0]) for row in rows.all())


async def test_erasing_someone_with_a_dm_reads_only_that_channels_narrations(db, chat):
    await chat.say(
        "alice in dm: /narrate private musings on kafka",
        "alice in #general: /narrate kafka lag fixed",
        "carol in #general: /narrate ledger migration done",
        "alice: /narrate forget-me",
    )
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, params, context, executemany) -> None:
        seen.append((statement, params))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        out = await chat.say("alice: /narrate forget-me confirm")
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    assert "including 2 narrations" in out
    deletes = [(s, p) for s, p in seen if s.lstrip().startswith("DELETE FROM channel ")]
    assert deletes, [s for s, _ in seen]  # their DM went
    for statement, params in deletes:
        plan = await _explain(db, statement, params)
        assert "ix_narration_channel_pk" in plan, plan
        assert "SCAN narration " not in plan + " " and "Seq Scan on narration" not in plan, plan
