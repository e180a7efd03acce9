"""``narrate-bot eval connections`` says what its introductions' reasons rest on: work in common,
only what each narrates (a conversation starter), or nothing to cite (a chance to meet). Every
introduction "had a reason" before too, because the fallback line always did; these counts say
how many reasons were about work."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from narrate_bot_adapters.cli import app
from tests.core.test_eval_connections import _set


def test_the_counts_say_which_introductions_had_work_in_common(tmp_path):
    narrations, queries = _set()
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "narrations.jsonl").write_text("\n".join(json.dumps(n) for n in narrations))
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries))
    out = CliRunner().invoke(app, ["eval", "connections", "--data", str(folder), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output.strip().splitlines()[-1])
    # kim and kai share kafka; pat and pia (css, invoices) share nothing but are told what each
    # narrates; weeks later, with nothing narrated in the last three months, only to meet.
    assert data["with_work_reason"] >= 1 and data["with_starter"] >= 1
    assert data["only_to_meet"] >= 1
    parts = data["with_work_reason"] + data["with_starter"] + data["only_to_meet"]
    assert parts == data["introductions"] == data["with_reason"]
    assert (
        f"({data['with_reason']} with a reason: {data['with_work_reason']} work in common, "
        f"{data['with_starter']} what each narrates, {data['only_to_meet']} only a chance to meet)"
    ) in out.output
