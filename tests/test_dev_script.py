"""dev.py is the newcomer's first contact: when pip can't install, it says what to do instead of
ending in a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_an_install_that_fails_ends_with_advice_not_a_traceback(tmp_path):
    shutil.copy(ROOT / "dev.py", tmp_path / "dev.py")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    offline = os.environ | {
        "PIP_CONFIG_FILE": os.devnull,  # this machine's local wheel folders don't count
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": "",
    }
    done = subprocess.run(
        [sys.executable, "dev.py", "lint"],
        cwd=tmp_path,
        env=offline,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert "pip could not install narrate-bot's dependencies" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / ".venv" / ".narrate-installed").exists()  # the next run tries again
