"""The image's entrypoint: `docker run IMAGE` migrates and runs the bot; `docker run IMAGE console`
(or demo, migrate, eval) runs that command instead of failing as an extra argument to `run`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ENTRYPOINT = Path(__file__).parent.parent / "docker" / "entrypoint.sh"


def _calls(tmp_path: Path, *args: str) -> list[str]:
    """What the entrypoint asked narrate-bot to do, through a stand-in on PATH."""
    log = tmp_path / "calls"
    stand_in = tmp_path / "narrate-bot"
    stand_in.write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    stand_in.chmod(0o755)
    env = os.environ | {"PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["sh", str(ENTRYPOINT), *args], check=True, env=env)
    return log.read_text().splitlines()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), ["migrate", "run"]),
        (("run",), ["migrate", "run"]),
        (("--help",), ["--help"]),
        (
            ("console", "--now", "2026-11-23T09:00:00+01:00"),
            ["console --now 2026-11-23T09:00:00+01:00"],
        ),
        (("demo",), ["demo"]),
        (("migrate",), ["migrate"]),
    ],
)
def test_the_entrypoint_runs_the_bot_or_the_command_asked_for(tmp_path, args, expected):
    assert _calls(tmp_path, *args) == expected
