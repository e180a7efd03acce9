#!/usr/bin/env python3
"""One entry point for newcomers and CI: creates ./.venv, installs narrate-bot into it, runs a task.

    python3 dev.py demo          talk to the bot: a sample organisation in a throwaway database
    python3 dev.py console       talk to the bot on your own database (./narrate.db by default)
    python3 dev.py test [ARGS]   run the test suite (pytest ARGS)
    python3 dev.py lint          ruff format --check, ruff check, mypy (strict on the core,
                                 the adapters and the benchmarks)
    python3 dev.py check         lint, then test: what CI runs
    python3 dev.py -- ARGS       any other narrate-bot command, e.g. `-- eval expertise --data DIR`

Only the standard library is used here, so it runs on a fresh machine with Python 3.11+.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".narrate-installed"
LINT_TARGETS = ["narrate_bot", "adapters", "migrations", "tests", "benchmarks", "dev.py"]
TYPE_TARGETS = ["narrate_bot", "adapters", "benchmarks"]
MYPY_PATH = VENV / "mypy-path"  # pyproject's [tool.mypy] mypy_path


def _say(message: str) -> None:
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def _ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (this file must run on any python3)
        sys.exit(f"narrate-bot needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not (BIN / "python").exists():
        _say("creating .venv (first run only)")
        venv.create(VENV, with_pip=True)
    _say("installing narrate-bot and its development tools into .venv")
    installed = subprocess.run(
        [
            str(BIN / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-e",
            f"{ROOT}[dev]",
        ],
    )
    if installed.returncode != 0:
        sys.exit(
            "dev.py: pip could not install narrate-bot's dependencies into .venv (its messages "
            "are above). Check that this machine can reach a package index (or set PIP_INDEX_URL "
            "/ PIP_FIND_LINKS), then run the same command again; nothing else needs undoing."
        )
    STAMP.write_text(wanted)


def _link_adapters_for_mypy() -> None:
    """Benchmarks import the adapters as ``narrate_bot_adapters`` (docs/adr/0002), a name only the
    editable install's import hook knows and mypy can't follow: a link by that name to
    ``adapters/``, in the folder pyproject gives mypy as ``mypy_path``, lets it check them."""
    link = MYPY_PATH / "narrate_bot_adapters"
    target = ROOT / "adapters"
    if link.resolve() == target.resolve():
        return
    MYPY_PATH.mkdir(parents=True, exist_ok=True)
    if link.is_symlink():  # left by a checkout that has since moved
        link.unlink()
    try:
        link.symlink_to(os.path.relpath(target, MYPY_PATH), target_is_directory=True)
    except OSError:
        if os.name != "nt":
            raise
        import _winapi  # a Windows account without the right to make symlinks can make a junction

        _winapi.CreateJunction(str(target), str(link))


def _run(*command: str) -> int:
    return subprocess.run(list(command), cwd=ROOT).returncode


def _lint() -> int:
    steps = [
        [str(BIN / "ruff"), "format", "--check", *LINT_TARGETS],
        [str(BIN / "ruff"), "check", *LINT_TARGETS],
        [str(BIN / "mypy"), *TYPE_TARGETS],
    ]
    _link_adapters_for_mypy()
    for step in steps:
        _say(" ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step)))
        if code := _run(*step):
            return code
    return 0


def main(argv: list[str]) -> int:
    task, args = (argv[0], argv[1:]) if argv else ("help", [])
    if task in ("help", "-h", "--help"):
        print(__doc__)
        return 0
    _ensure_environment()
    narrate = str(BIN / "narrate-bot")
    match task:
        case "demo":
            return _run(narrate, "demo", *args)
        case "console":
            return _run(narrate, "console", *args)
        case "test":
            return _run(str(BIN / "python"), "-m", "pytest", *args)
        case "lint":
            return _lint()
        case "check":
            return _lint() or _run(str(BIN / "python"), "-m", "pytest", *args)
        case "--":
            return _run(narrate, *args)
    _say(f"unknown task {task!r}; run `python3 dev.py help`")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
