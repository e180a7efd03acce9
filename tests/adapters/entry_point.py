"""The installed ``narrate-bot`` command, run as an operator runs it.

Each run is a subprocess in the given folder (an empty one: no developer's ``.env`` is read), with
only the ``NARRATE_*`` variables the test names.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def narrate_bot(
    *args: str, cwd: Path, input: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """Run the real entry point (the console script beside this Python) and collect its output."""
    script = Path(sys.executable).with_name("narrate-bot")
    command = (
        [str(script)] if script.exists() else [sys.executable, "-m", "narrate_bot_adapters.cli"]
    )
    # The test erasure key (``conftest``) stays: on PostgreSQL every process needs the same one.
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NARRATE_", "SLACK_")) or k == "NARRATE_ERASURE_KEY"
    }
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        env=clean | env,
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )


def closed_port() -> int:
    """A local port nothing listens on (taken, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def the_message(result: subprocess.CompletedProcess[str]) -> str:
    """The error line: the command's last line, with no traceback anywhere before it."""
    assert result.returncode != 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines, result
    return lines[-1]
