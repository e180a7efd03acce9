"""dev.py is the newcomer's first contact: when pip can't install, it says what to do instead of
ending in a traceback; its lint type-checks what CI runs, the benchmarks included."""

from __future__ import annotations

import importlib.util
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


def test_lint_type_checks_the_benchmarks_by_the_name_they_import_the_adapters_by(
    tmp_path, monkeypatch
):
    """A benchmark that stops type-checking fails `dev.py lint`, as the core and adapters do, and
    mypy is given a way to find `narrate_bot_adapters` (an import hook it can't follow)."""
    spec = importlib.util.spec_from_file_location("dev_under_test", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    ran: list[tuple[str, ...]] = []
    monkeypatch.setattr(dev, "_run", lambda *command: ran.append(command) or 0)
    monkeypatch.setattr(dev, "MYPY_PATH", tmp_path / "mypy-path", raising=False)

    assert dev._lint() == 0

    mypy = [command for command in ran if Path(command[0]).name == "mypy"]
    assert len(mypy) == 1 and "benchmarks" in mypy[0][1:]
    assert {"narrate_bot", "adapters"} <= set(mypy[0][1:])
    link = tmp_path / "mypy-path" / "narrate_bot_adapters"
    assert (link / "discord" / "client.py").samefile(ROOT / "adapters" / "discord" / "client.py")
    assert dev._lint() == 0  # a second run finds its link in place
