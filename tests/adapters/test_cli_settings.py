"""A bad ``NARRATE_*`` setting stops every command with one line per variable, saying which one
and what it should be, and exit code 2: never a pydantic or logging traceback."""

from __future__ import annotations

import pytest

from tests.adapters.entry_point import narrate_bot

EXPECTED = "Correct it in the environment or .env, or unset it for the default."


@pytest.mark.parametrize(
    ("variable", "value", "should"),
    [
        ("NARRATE_LOG_LEVEL", "loud", "should be DEBUG, INFO, WARNING, ERROR or CRITICAL"),
        ("NARRATE_MAX_NARRATION_CHARS", "abc", "should be a valid integer"),
        ("NARRATE_SLACK__PORT", "abc", "should be a valid integer"),
    ],
)
def test_run_names_the_wrong_variable_and_what_it_expects(tmp_path, variable, value, should):
    result = narrate_bot("run", cwd=tmp_path, NARRATE_DISCORD__TOKEN="x", **{variable: value})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"{variable} is '{value}': it {should}"), line
    assert line.endswith(EXPECTED)


@pytest.mark.parametrize(
    "command",
    [["console"], ["demo"], ["migrate"], ["eval", "connections", "--data", "."]],
)
def test_every_command_checks_the_settings_the_same_way(tmp_path, command):
    (tmp_path / ".env").write_text("NARRATE_MAX_NARRATION_CHARS=lots\nNARRATE_LOG_LEVEL=loud\n")
    result = narrate_bot(*command, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"NARRATE_MAX_NARRATION_CHARS is 'lots': it should be a valid integer, unable to parse "
        f"string as an integer. {EXPECTED}",
        f"NARRATE_LOG_LEVEL is 'loud': it should be DEBUG, INFO, WARNING, ERROR or CRITICAL. "
        f"{EXPECTED}",
    ]


def test_a_malformed_secret_is_named_but_never_printed(tmp_path):
    result = narrate_bot("run", cwd=tmp_path, NARRATE_SLACK='{"bot_token": ["xoxb-123-secret"]}')
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("NARRATE_SLACK__BOT_TOKEN is set: it should be a valid string")
    assert "xoxb" not in result.stderr


def test_the_log_level_is_read_from_dotenv_in_any_case(tmp_path):
    """``NARRATE_LOG_LEVEL`` in ``.env`` counts like the other settings (it used to be read from
    the environment alone, before the settings were)."""
    (tmp_path / ".env").write_text("NARRATE_LOG_LEVEL=debug\n")
    result = narrate_bot("migrate", "--db", str(tmp_path / "m.db"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert " DEBUG " in result.stderr, result.stderr


def test_a_message_pydantic_words_otherwise_still_reads():
    from narrate_bot_adapters.cli import _wrong_setting

    error = {"type": "missing", "loc": ("slack", "port"), "msg": "Field required", "input": {}}
    assert _wrong_setting(error).startswith(
        "NARRATE_SLACK__PORT is '{}': it isn't valid (Field required). Correct it"
    )
