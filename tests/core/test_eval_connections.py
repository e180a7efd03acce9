"""``narrate-bot eval connections``: time is respected, hits are counted honestly, and the
command reads a bench folder and says what's wrong with a bad one."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from typer.testing import CliRunner

from narrate_bot.evaluation.connections import interactions, replay
from narrate_bot_adapters.cli import app

START = datetime(2024, 1, 1, 9)


def _ts(days: float) -> str:
    return (START + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _set() -> tuple[list[dict], list[dict]]:
    """Two kafka people in different teams who will work together, and two unrelated people."""
    narrations = [
        {"person": "kim", "team": "infra", "ts": _ts(0), "text": "kafka consumer rebalancing"},
        {"person": "kai", "team": "data", "ts": _ts(1), "text": "kafka consumer offsets"},
        {"person": "pat", "team": "infra", "ts": _ts(2), "text": "css grid layout"},
        {"person": "pia", "team": "data", "ts": _ts(3), "text": "invoice pdf rendering"},
    ]
    queries = [
        {"id": "q0", "query": "warm up", "ts": _ts(7), "asker": "pat", "relevant": ["pia"]},
        {"id": "q1", "query": "kafka lag", "ts": _ts(20), "asker": "kim", "relevant": ["kai"]},
        {"id": "q2", "query": "later", "ts": _ts(200), "asker": "pat", "relevant": ["pia"]},
    ]
    return narrations, queries


def test_interactions_pair_askers_with_relevant_people():
    log = interactions(_set()[1])
    assert set(log) == {frozenset({"pat", "pia"}), frozenset({"kim", "kai"})}


def test_topic_pairs_hit_and_only_interactions_inside_twelve_weeks_count():
    narrations, queries = _set()
    result = replay(narrations, queries, name="tiny")
    assert result.cross_team
    assert result.weeks >= 1
    assert result.introductions == result.with_reason > 0
    # Week one pairs kim with kai (kafka) and pat with pia; kim and kai meet on day 20, pat and
    # pia only on day 200, beyond the 12 weeks.
    assert result.suggested.hits >= 1
    assert result.suggested.rate > result.random.rate


def test_cli_reports_per_set_and_refuses_a_folder_without_data(tmp_path):
    narrations, queries = _set()
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "narrations.jsonl").write_text("\n".join(json.dumps(n) for n in narrations))
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries))
    runner = CliRunner()
    out = runner.invoke(app, ["eval", "connections", "--data", str(folder), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output.strip().splitlines()[-1])
    assert data["dataset"] == "tiny" and data["with_reason"] == data["introductions"]
    assert "lift:" in out.output
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = runner.invoke(app, ["eval", "connections", "--data", str(empty)])
    assert bad.exit_code == 2 and "no narrations.jsonl" in bad.output
