"""Settings that can't work stop the command at once with one line naming the variable and the
range it takes: a negative tick used to lock ``run`` up (memory growing, SIGTERM ignored), a
negative grace skipped every prompt, and 0 characters refused every narration, all silently.
Slack settings that contradict each other are told the same way, before the database is
touched; and ``~`` in ``NARRATE_DATABASE_URL`` is the home folder, as it is in ``--db``."""

from __future__ import annotations

import sqlite3

import pytest

from tests.adapters.entry_point import narrate_bot, the_message

EXPECTED = "Correct it in the environment or .env, or unset it for the default."


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [
        ("NARRATE_SCHEDULE_TICK_SECONDS", "-5", "a whole number from 1 to 300"),
        ("NARRATE_SCHEDULE_TICK_SECONDS", "0", "a whole number from 1 to 300"),
        ("NARRATE_SCHEDULE_GRACE_MINUTES", "-10", "a whole number from 10 to 10080"),
        ("NARRATE_SCHEDULE_LEASE_SECONDS", "0", "a whole number from 30 to 3600"),
        ("NARRATE_MAX_NARRATION_CHARS", "-1", "a whole number from 1 to 100000"),
        ("NARRATE_MAX_NARRATION_CHARS", "0", "a whole number from 1 to 100000"),
        ("NARRATE_SLACK__CONCURRENCY", "0", "a whole number from 1 to 1000"),
        ("NARRATE_SLACK__WORKSPACE_RATE_PER_MINUTE", "0", "a number from 1 to 60000"),
        ("NARRATE_SLACK__WORKSPACE_RATE_PER_MINUTE", "nan", "a number from 1 to 60000"),
        ("NARRATE_SLACK__PORT", "70000", "a whole number from 0 to 65535"),
        ("NARRATE_DISCORD__POST_INTERVAL_SECONDS", "-1", "a number from 0 to 60"),
        ("NARRATE_DISCORD__DM_INTERVAL_SECONDS", "-0.5", "a number from 0 to 60"),
        ("NARRATE_DISCORD__INVALID_REQUEST_BUDGET", "0", "a whole number from 1 to 9999"),
        ("NARRATE_DISCORD__DEV_GUILD_ID", "-1", "a whole number from 1 to 18446744073709551615"),
    ],
)
def test_a_number_out_of_range_names_the_variable_and_its_range(tmp_path, variable, value, allowed):
    # No platform configured: the old code answered "No platform is configured" instead (with
    # one, a negative tick never returned).
    result = narrate_bot("run", cwd=tmp_path, **{variable: value})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line == f"{variable} is '{value}': it should be {allowed}. {EXPECTED}"


def test_a_bad_number_in_a_json_section_is_named_like_its_own_variable(tmp_path):
    (tmp_path / ".env").write_text('NARRATE_SLACK={"concurrency": -3}\n')
    result = narrate_bot("migrate", "--db", str(tmp_path / "bot.db"), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"NARRATE_SLACK__CONCURRENCY is '-3': it should be a whole number from 1 to 1000. "
        f"{EXPECTED}"
    )
    assert not (tmp_path / "bot.db").exists()


def test_the_ends_of_every_range_are_accepted(tmp_path):
    result = narrate_bot(
        "migrate",
        "--db",
        str(tmp_path / "bot.db"),
        cwd=tmp_path,
        NARRATE_SCHEDULE_TICK_SECONDS="1",
        NARRATE_SCHEDULE_GRACE_MINUTES="10080",
        NARRATE_SCHEDULE_LEASE_SECONDS="30",
        NARRATE_MAX_NARRATION_CHARS="100000",
        NARRATE_SLACK__PORT="0",
        NARRATE_SLACK__WORKSPACE_RATE_PER_MINUTE="60000",
        NARRATE_DISCORD__POST_INTERVAL_SECONDS="0",
        NARRATE_DISCORD__DM_INTERVAL_SECONDS="60",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "The database is up to date."


def test_only_the_app_token_says_what_socket_mode_still_needs(tmp_path):
    result = narrate_bot(
        "run",
        cwd=tmp_path,
        NARRATE_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        NARRATE_SLACK__APP_TOKEN="xapp-not-a-real-token",
    )
    assert the_message(result) == (
        "Slack is not set up completely: Socket Mode needs NARRATE_SLACK__APP_TOKEN (xapp-…) "
        "and NARRATE_SLACK__BOT_TOKEN (xoxb-…)."
    )
    assert "xapp-not-a-real-token" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("install_flow", "named"),
    [
        (
            {
                "NARRATE_SLACK__CLIENT_ID": "111.222",
                "NARRATE_SLACK__CLIENT_SECRET": "client-secret-value",
                "NARRATE_SLACK__STATE_SECRET": "state-secret-value",
            },
            "NARRATE_SLACK__CLIENT_ID, NARRATE_SLACK__CLIENT_SECRET, NARRATE_SLACK__STATE_SECRET",
        ),
        ({"NARRATE_SLACK__CLIENT_ID": "111.222"}, "NARRATE_SLACK__CLIENT_ID"),
    ],
)
def test_a_bot_token_beside_the_install_flow_is_refused_before_anything_starts(
    tmp_path, install_flow, named
):
    """With both, the bot token won and ``/slack/install`` answered 404, with nothing logged."""
    result = narrate_bot(
        "run",
        cwd=tmp_path,
        NARRATE_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        NARRATE_SLACK__BOT_TOKEN="xoxb-not-a-real-token",
        NARRATE_SLACK__SIGNING_SECRET="not-a-real-secret",
        NARRATE_SLACK__HOST="127.0.0.1",
        NARRATE_SLACK__PORT="0",
        **install_flow,
    )
    assert the_message(result) == (
        f"Slack is not set up completely: NARRATE_SLACK__BOT_TOKEN (one workspace) and {named} "
        "(the install flow, several workspaces) are set together: pick one. For the install "
        f"flow leave NARRATE_SLACK__BOT_TOKEN unset; for one workspace unset {named}."
    )
    assert not (tmp_path / "bot.db").exists()  # told before the database was migrated
    for secret in ("xoxb-not-a-real-token", "client-secret-value", "state-secret-value"):
        assert secret not in result.stdout + result.stderr


@pytest.mark.parametrize("how", ["environment", "--db"])
def test_a_tilde_in_a_sqlite_url_is_the_home_folder(tmp_path, how):
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    url = "sqlite:///~/narrate-home.db"
    if how == "environment":
        result = narrate_bot("migrate", cwd=work, HOME=str(home), NARRATE_DATABASE_URL=url)
    else:
        result = narrate_bot("migrate", "--db", url, cwd=work, HOME=str(home))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "The database is up to date."
    assert not (work / "~").exists()
    with sqlite3.connect(home / "narrate-home.db") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()
