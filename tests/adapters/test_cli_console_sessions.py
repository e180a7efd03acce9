"""``narrate-bot demo`` and ``console`` as a person runs them: what was private in the demo's
script or in an earlier run stays private, and Ctrl-C at the prompt ends the session at once."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time

from typer.testing import CliRunner

from narrate_bot_adapters.cli import app

runner = CliRunner()


def test_the_demos_private_channel_stays_private_when_someone_speaks_in_it():
    result = runner.invoke(
        app,
        ["demo"],
        input="carol in #launch-secret: /narrate pricing page copy ready\n"
        "you: /narrate who relaunch december\n"
        "you: /narrate who pricing\n",
    )
    assert result.exit_code == 0, result.output
    assert "Only members of #launch-secret can see it." in result.output
    assert (
        "relaunch date moved" not in result.output
        and "pricing page copy" not in (result.output.split("Only members of #launch-secret", 1)[1])
    )


def test_a_private_channel_and_a_guest_stay_so_in_the_next_console_run(tmp_path):
    db = str(tmp_path / "bot.db")
    first = runner.invoke(
        app,
        ["console", "--db", db, "--now", "2026-11-23T09:00:00+01:00"],
        input=":channel #secret private alice\n:guest pat\n"
        "alice in #secret: /narrate hooli contract signed\npat: /narrate partner sandbox up\n",
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        app,
        ["console", "--db", db, "--now", "2026-11-24T09:00:00+01:00"],
        input="alice in #secret: /narrate hooli pricing agreed\n"
        "bob: /narrate who hooli\npat in #secret: /narrate who hooli\n"
        "pat: /narrate who partner\n",
    )
    assert second.exit_code == 0, second.output
    assert (
        "hooli contract" not in second.output
        and "hooli pricing agreed" not in (second.output.split("Only members of #secret", 1)[1])
    )
    assert "[console] pat isn't in #secret" in second.output
    # pat is still a guest: asking who knows is for members.
    assert "members only" in second.output.rsplit("[only pat", 1)[1]


def _read_until(fd: int, wanted: bytes, seconds: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return seen


def test_ctrl_c_at_the_prompt_ends_the_console_at_once(tmp_path):
    main, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "narrate_bot_adapters.cli", "console"]
        + ["--db", str(tmp_path / "i.db"), "--now", "2026-11-23T09:00:00+01:00"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={k: v for k, v in os.environ.items() if not k.startswith("NARRATE_")},
    )
    os.close(terminal)
    try:
        shown = _read_until(main, b"> ", 120)
        assert b"Ctrl-D quits" in shown and shown.endswith(b"> "), shown
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise AssertionError("Ctrl-C left the console waiting for Enter") from None
        assert code == 130
        assert b"Traceback" not in _read_until(main, b"\0", 1)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main)
