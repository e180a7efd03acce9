"""Benchmarks run with ``--db postgresql://…`` need no erasure key set: they use one of their
own for the database they wipe (``benchmarks.engines.use_benchmark_erasure_key``), where a
PostgreSQL ``Database`` without one is refused."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from benchmarks import scheduling_tick
from benchmarks.engines import fresh_database
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(POSTGRES_URL is None, reason="needs NARRATE_TEST_POSTGRES_URL")
NAME = "narrate_bench_erasure_key"


async def test_a_benchmark_on_postgresql_needs_no_key_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert POSTGRES_URL is not None
    monkeypatch.delenv("NARRATE_ERASURE_KEY", raising=False)
    url = make_url(POSTGRES_URL).set(database=NAME).render_as_string(hide_password=False)
    try:
        db = await fresh_database(url)  # follow_digest, follow_tick, topic_map
        await db.dispose()
        monkeypatch.delenv("NARRATE_ERASURE_KEY", raising=False)
        await scheduling_tick.run(url, 8, 2, workspaces=2, deliver=False)  # its own Database
        assert "people: 8 in 2 workspace(s)" in capsys.readouterr().out
    finally:
        maintenance = make_url(POSTGRES_URL).set(drivername="postgresql", database="postgres")
        with psycopg.connect(
            maintenance.render_as_string(hide_password=False), autocommit=True
        ) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(NAME))
            )
