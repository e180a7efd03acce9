"""``narrate-bot eval expertise --run-out``: a run file that can't be written is said before the
replay (which takes minutes on a real set), and a write that fails afterwards never costs the
metrics the replay computed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrate_bot.evaluation import expertise
from narrate_bot_adapters.cli import app
from tests.core.test_eval_expertise import _write


def _replays(monkeypatch) -> list[int]:
    """Count the replays (and let them run)."""
    calls: list[int] = []
    real = expertise.replay

    async def counted(*args, **kwargs):
        calls.append(1)
        return await real(*args, **kwargs)

    monkeypatch.setattr(expertise, "replay", counted)
    return calls


@pytest.mark.parametrize("where", ["missing folder", "a folder"])
def test_an_unwritable_run_file_is_one_line_before_any_replay(tmp_path, monkeypatch, where):
    data = _write(tmp_path / "tiny")
    run_out = tmp_path / "nope" / "run.txt" if where == "missing folder" else tmp_path
    replays = _replays(monkeypatch)
    result = CliRunner().invoke(
        app, ["eval", "expertise", "--data", str(data), "--run-out", str(run_out)]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert replays == []
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("narrate-bot eval expertise: the run file ")
    assert str(run_out) in lines[0]
    assert not (tmp_path / "nope").exists()


def test_a_writable_run_file_is_not_left_behind_by_the_check_when_the_data_is_bad(tmp_path):
    run_out = tmp_path / "run.txt"
    assert expertise.unwritable(run_out) is None
    assert not run_out.exists()
    run_out.write_text("kept\n")
    assert expertise.unwritable(run_out) is None
    assert run_out.read_text() == "kept\n"


def test_a_run_file_lost_during_the_replay_keeps_the_metrics(tmp_path, monkeypatch):
    data = _write(tmp_path / "tiny")
    folder = tmp_path / "out"
    folder.mkdir()
    real = expertise.replay

    async def folder_removed_meanwhile(*args, **kwargs):
        rankings = await real(*args, **kwargs)
        shutil.rmtree(folder)
        return rankings

    monkeypatch.setattr(expertise, "replay", folder_removed_meanwhile)
    result = CliRunner().invoke(
        app,
        ["eval", "expertise", "--data", str(data), "--run-out", str(folder / "run.txt"), "--json"],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2
    assert json.loads(result.stdout.strip().splitlines()[-1])["overall"]["queries"] == 3
    assert "the metrics are above, but the run file" in result.stderr
    assert str(folder / "run.txt") in result.stderr


def test_the_run_file_is_still_written(tmp_path):
    data = _write(tmp_path / "tiny")
    run_out = tmp_path / "run.txt"
    result = CliRunner().invoke(
        app, ["eval", "expertise", "--data", str(data), "--run-out", str(run_out)]
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in Path(run_out).read_text().splitlines()] == [
        "q1",
        "q2",
        "q3",
    ]
