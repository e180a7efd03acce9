"""The narrate-bot command as a person runs it (through Typer's runner, stdin piped)."""

from __future__ import annotations

from typer.testing import CliRunner

from narrate_bot_adapters.cli import app

runner = CliRunner()


def test_console_is_scriptable_and_state_persists_between_runs(tmp_path):
    db = tmp_path / "bot.db"
    first = runner.invoke(
        app,
        ["console", "--db", str(db), "--now", "2026-11-23T09:00:00+01:00"],
        input="bob@infra in #infra: /narrate upgraded the kafka brokers\n",
    )
    assert first.exit_code == 0, first.output
    assert first.output.startswith("[only bob in #infra] Noted as #1.")
    second = runner.invoke(
        app,
        ["console", "--db", str(db), "--now", "2026-11-24T09:00:00+01:00"],
        input="alice: @narrate who knows about kafka?\n",
    )
    assert second.exit_code == 0, second.output
    assert "[#general thread] Who knows about “kafka”" in second.output
    assert "@bob: narrated about kafka" in second.output and "yesterday" in second.output
    assert "team infra" in second.output


def test_console_reports_bad_lines_and_keeps_going(tmp_path):
    result = runner.invoke(
        app,
        ["console", "--db", str(tmp_path / "b.db")],
        input=":tz alice Mars/Base\n:frobnicate\nno speaker here\nalice: /narrate still here\n",
    )
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("[console] 'Mars/Base' isn't a time zone I know")
    assert lines[1] == "[console] I don't know :frobnicate. Try :help."
    assert lines[2].startswith("[console] Start a line with who speaks")
    assert lines[3].startswith("[only alice in #general] Noted as #1.")


def test_console_refuses_a_bad_clock_with_a_message(tmp_path):
    result = runner.invoke(app, ["console", "--db", str(tmp_path / "c.db"), "--now", "tuesday"])
    assert result.exit_code == 2
    assert "isn't a time I can read" in result.output


def test_demo_has_an_organisation_to_ask_about():
    result = runner.invoke(app, ["demo"], input="you: @narrate who knows about kafka?\n")
    assert result.exit_code == 0, result.output
    assert "@bob: narrated about kafka" in result.output and "team infra" in result.output
    assert "carol" not in result.output  # her #launch-secret narration stays private
    assert "preparing my talk" not in result.output  # bob's DM narration too


def test_migrate_creates_the_schema(tmp_path):
    db = tmp_path / "m.db"
    result = runner.invoke(app, ["migrate", "--db", str(db)])
    assert result.exit_code == 0 and "up to date" in result.output
    assert db.exists()


def test_run_without_any_platform_points_to_the_console():
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert "No platform is configured" in result.output and "narrate-bot console" in result.output


def test_run_with_incomplete_slack_settings_says_what_is_missing(monkeypatch):
    monkeypatch.setenv("NARRATE_SLACK__BOT_TOKEN", "xoxb-test-not-real")
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert "Slack is not set up completely" in result.output
    assert "NARRATE_SLACK__SIGNING_SECRET" in result.output
    assert "xoxb" not in result.output
