"""``narrate-bot eval expertise``: the replay respects time, and the metrics match evaluate.py."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrate_bot.evaluation.expertise import mean_metrics, metrics_for, replay, tail_query_ids
from narrate_bot_adapters.cli import app

EVALUATE = Path(__file__).resolve().parents[3] / "shared" / "bench" / "expertise" / "evaluate.py"

NARRATIONS = [
    {
        "person": "kafka_kim",
        "team": "infra",
        "ts": "2024-01-01T10:00:00Z",
        "text": "- kafka consumer rebalancing",
    },
    {
        "person": "pg_pat",
        "team": "data",
        "ts": "2024-01-02T10:00:00Z",
        "text": "- postgres vacuum tuning",
    },
    {"person": "busy_bo", "team": "web", "ts": "2024-01-03T10:00:00Z", "text": "- css grid layout"},
    {
        "person": "busy_bo",
        "team": "web",
        "ts": "2024-01-04T10:00:00Z",
        "text": "- react hooks cleanup",
    },
    # Written at the very moment of q2, and after it: q2 must not see them.
    {
        "person": "late_lou",
        "team": "infra",
        "ts": "2024-01-05T10:00:00Z",
        "text": "- terraform modules",
    },
    {
        "person": "late_lou",
        "team": "infra",
        "ts": "2024-01-06T10:00:00Z",
        "text": "- terraform state locking",
    },
]
QUERIES = [
    {
        "id": "q1",
        "query": "kafka consumer lag",
        "ts": "2024-01-04T12:00:00Z",
        "asker": "pg_pat",
        "relevant": ["kafka_kim"],
        "grade": {"kafka_kim": 2},
    },
    {
        "id": "q2",
        "query": "terraform modules",
        "ts": "2024-01-05T10:00:00Z",
        "asker": "busy_bo",
        "relevant": ["late_lou"],
        "grade": {"late_lou": 2},
    },
    {
        "id": "q3",
        "query": "kafka rebalancing",
        "ts": "2024-01-07T00:00:00Z",
        "asker": "kafka_kim",
        "relevant": ["pg_pat"],
        "grade": {"pg_pat": 2},
    },
]


def _write(folder: Path) -> Path:
    folder.mkdir()
    (folder / "narrations.jsonl").write_text("".join(json.dumps(n) + "\n" for n in NARRATIONS))
    (folder / "queries.jsonl").write_text("".join(json.dumps(q) + "\n" for q in QUERIES))
    return folder


async def test_replay_answers_from_the_past_only_and_never_names_the_asker(tmp_path):
    rankings = await replay(NARRATIONS, QUERIES, database_url=f"sqlite:///{tmp_path / 'e.db'}")
    assert rankings["q1"][0] == "kafka_kim"
    assert "late_lou" not in rankings["q2"]  # its narration has the query's own timestamp
    assert "kafka_kim" not in rankings["q3"]  # the asker


def test_cli_writes_a_run_file_and_json_metrics(tmp_path):
    data = _write(tmp_path / "tiny")
    run = tmp_path / "run.jsonl"
    result = CliRunner().invoke(
        app, ["eval", "expertise", "--data", str(data), "--run-out", str(run), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["dataset"] == "tiny"
    assert summary["overall"]["queries"] == 3 and summary["overall"]["P@1"] == pytest.approx(
        1 / 3, abs=1e-4
    )
    lines = [json.loads(line) for line in run.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2", "q3"]
    assert lines[0]["ranking"][0] == "kafka_kim"


def test_the_servers_erasure_key_is_no_reason_to_refuse_a_replay(tmp_path, monkeypatch):
    """The replay's database is a scratch one with a key of its own: a server's key too short
    (or missing on PostgreSQL) once printed a traceback here."""
    monkeypatch.setenv("NARRATE_ERASURE_KEY", "short")
    data = _write(tmp_path / "tiny")
    result = CliRunner().invoke(app, ["eval", "expertise", "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert json.loads(result.output.strip().splitlines()[-1])["overall"]["queries"] == 3


def test_cli_explains_a_missing_folder(tmp_path):
    result = CliRunner().invoke(app, ["eval", "expertise", "--data", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "is not a folder" in result.output


@pytest.mark.skipif(not EVALUATE.exists(), reason="the shared bench folder is not beside the repo")
def test_metrics_and_tail_match_the_reference_script():
    spec = importlib.util.spec_from_file_location("bench_evaluate", EVALUATE)
    assert spec and spec.loader
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    query = {"id": "t", "asker": "a", "relevant": ["x", "y"], "grade": {"x": 2, "y": 2, "z": 1}}
    for ranking in (["a", "z", "x", "w", "y"], ["x"], [], ["w", "w", "y"]):
        assert metrics_for(ranking, query) == pytest.approx(reference.metrics_for(ranking, query))
    rankings = {"q1": ["kafka_kim"], "q2": ["busy_bo", "late_lou"], "q3": ["busy_bo"]}
    assert mean_metrics(QUERIES, rankings) == reference.evaluate(QUERIES, rankings)
    assert tail_query_ids(NARRATIONS, QUERIES) == reference.tail_queries(NARRATIONS, QUERIES)
