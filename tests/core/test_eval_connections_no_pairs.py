"""``narrate-bot eval connections`` on a set (or a setting) that yields no pairs: the lift is
"n/a" with the reason, the --json line is valid JSON (``null``, not ``Infinity``), and
``--active-days`` below 1 is refused with one line instead of silently scoring nobody."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrate_bot.evaluation.connections import replay
from narrate_bot_adapters.cli import app
from tests.core.test_eval_connections import _set, _ts


def _folder(tmp_path: Path, narrations: list[dict], queries: list[dict]) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "narrations.jsonl").write_text("\n".join(json.dumps(n) for n in narrations))
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries))
    return folder


def _strict(line: str) -> dict:
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(line, parse_constant=refuse)


def test_questions_spanning_a_few_weeks_give_no_pairs_and_say_why(tmp_path):
    narrations, queries = _set()
    short = [q for q in queries if q["id"] != "q2"]  # questions over 20 days: no week is scorable
    folder = _folder(tmp_path, narrations, short)
    out = CliRunner().invoke(app, ["eval", "connections", "--data", str(folder), "--json"])
    assert out.exit_code == 0, out.output
    data = _strict(out.output.strip().splitlines()[-1])
    assert data["pairs"] == data["random_pairs"] == 0
    assert data["lift"] is None
    assert "12 weeks of questions" in data["lift_note"]
    assert "lift: n/a (no pairs: a week is scored only when 12 weeks" in out.output
    assert "inf" not in out.output.lower()


def test_nobody_active_recently_enough_gives_no_pairs_and_says_why(tmp_path):
    narrations, queries = _set()
    queries.append({"id": "q9", "query": "x", "ts": _ts(120), "asker": "kim", "relevant": []})
    folder = _folder(tmp_path, narrations, queries)
    out = CliRunner().invoke(
        app, ["eval", "connections", "--data", str(folder), "--json", "--active-days", "1"]
    )
    assert out.exit_code == 0, out.output
    data = _strict(out.output.strip().splitlines()[-1])
    assert data["pairs"] == 0 and data["lift"] is None
    assert "no week had two people in different teams who narrated in the 1 days" in out.output


def test_a_normal_set_still_has_a_number(tmp_path):
    narrations, queries = _set()
    result = replay(narrations, queries, name="tiny")
    assert result.lift is not None and result.lift > 1 and result.why_no_lift is None
    assert result.as_dict()["lift_note"] is None


@pytest.mark.parametrize("days", ["0", "-5"])
def test_active_days_below_one_is_refused(tmp_path, days):
    narrations, queries = _set()
    folder = _folder(tmp_path, narrations, queries)
    out = CliRunner().invoke(
        app, ["eval", "connections", "--data", str(folder), "--json", "--active-days", days]
    )
    assert out.exit_code == 2, out.output
    # Refused by the option itself, before anything is read or replayed.
    flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", out.output).split())  # typer draws a box
    assert "'--active-days'" in flat and "greater than or equal to 1" in flat, flat
    with pytest.raises(ValueError, match="at least 1"):
        replay(narrations, queries, name="tiny", active_days=int(days))
