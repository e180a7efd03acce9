"""The weekly-introductions benchmark still runs end to end (tiny size; its targets are timing
shares, judged in CI's benchmark step, not here)."""

from __future__ import annotations

import json

from benchmarks import intros_week


def test_the_intros_week_benchmark_runs_the_job_with_its_probes(tmp_path, capsys):
    intros_week.main(["--people", "40", "--narrations", "400", "--db", str(tmp_path / "w.db")])
    report = json.loads(capsys.readouterr().out)
    assert report["people"] == 40 and report["narrations"] == 400
    assert report["posts"] >= 10  # 40 people across 60 teams: nearly everyone is paired
    assert report["during_job"]["failed_writes"] == 0
    assert report["baseline"]["writes"] >= 1 and report["job_seconds"] > 0
