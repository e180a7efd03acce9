"""The latency benchmark still runs end to end (tiny size; timings are its job, not the tests')."""

from __future__ import annotations

import json

import pytest

from benchmarks import who_knows_latency

pytestmark = pytest.mark.skipif(
    not who_knows_latency.DEFAULT_DATA.exists(),
    reason="the shared bench folder is not beside the repo",
)


def test_the_latency_benchmark_reports_every_class_against_the_scan(tmp_path, capsys):
    code = who_knows_latency.main(
        ["--narrations", "1500", "--queries", "3", "--repeat", "1", "--scans", "2"]
        + ["--db", str(tmp_path / "bench.db")]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["narrations"] == 1500 and report["people"] == 50
    assert set(report["classes"]) == {"common word", "ordinary question", "symbol name"}
    assert all(c["queries"] == 3 for c in report["classes"].values())
    assert report["scan_median_ms"] > 0 and report["median_ms"] > 0


def test_the_scrub_benchmark_compares_both_ways_under_every_load(tmp_path, capsys):
    from benchmarks import fts_scrub

    code = fts_scrub.main(["--narrations", "1500", "--fresh", "5", "--db", str(tmp_path / "b.db")])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["narrations"] == 1500 and report["index_pages"] > 0
    for load in ("nobody", "this process", "own connection"):
        assert report[load]["old"]["delete_ms"] > 0 and report[load]["new"]["steps"] >= 1
    assert report["this process"]["new"]["writes"] > 0
    assert report["own connection"]["new"]["writes"] > 0


def test_the_forget_me_benchmark_erases_at_both_sizes_and_explains_each_statement(tmp_path, capsys):
    from benchmarks import forget_me

    forget_me.main(["--narrations", "3000", "--db", str(tmp_path / "forget.db")])
    out = capsys.readouterr().out
    assert "small: 1,200 narrations" in out and "large: 3,000 narrations" in out
    assert "slowest statements" in out and "DELETE FROM narration " in out
    assert "full scans of a table of >= 5,000 rows" in out


def test_the_follow_digest_benchmark_sends_everyone_one_digest_at_both_sizes(capsys):
    from benchmarks import follow_digest

    follow_digest.main(["--followers", "20"])
    out = capsys.readouterr().out
    assert "small: 2 followers of kafka: 2 digests" in out
    assert "large: 20 followers of kafka: 20 digests" in out
    assert "full scans of a table of >= 5,000 rows: 0 PASS" in out


async def test_the_scheduling_benchmark_claims_and_delivers_across_workspaces(capsys):
    from benchmarks import scheduling_tick

    await scheduling_tick.run(None, 40, 10, workspaces=4, deliver=True)
    out = capsys.readouterr().out
    assert "people: 40 in 4 workspace(s)" in out and "people: 40 in 1 workspace(s)" in out
    assert out.count("delivery: 40 prompts") == 2
    assert "claim rate, 4 workspaces vs 1" in out and "delivery rate, 4 workspaces vs 1" in out
