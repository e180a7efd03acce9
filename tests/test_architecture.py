"""The boundary rule: the core knows no platform, and each library stays in its one place."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "narrate_bot"
PLATFORM = ("adapters", "narrate_bot_adapters", "slack_bolt", "slack_sdk", "slack", "discord")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def _offenders(rule: tuple[str, ...], allowed: set[Path] | None = None) -> list[str]:
    found = []
    for path in sorted(CORE.rglob("*.py")):
        if allowed and any(path.is_relative_to(a) for a in allowed):
            continue
        for name in _imports(path):
            if name.split(".")[0] in rule:
                found.append(f"{path.relative_to(CORE.parent)} imports {name}")
    return found


def test_core_imports_no_adapter_and_no_platform_sdk():
    assert _offenders(PLATFORM) == []


def test_only_storage_imports_the_database_libraries():
    assert _offenders(("sqlmodel", "sqlalchemy", "aiosqlite", "psycopg"), {CORE / "storage"}) == []


def test_the_walk_really_sees_imports(tmp_path):
    """Guard against a walk that finds nothing: it must notice a forbidden import."""
    sample = tmp_path / "x.py"
    sample.write_text("import slack_sdk\nfrom discord import Client\n")
    assert _imports(sample) == {"slack_sdk", "discord"}


def test_the_wheel_ships_every_package():
    """A package missing from pyproject's list works in editable mode and vanishes from the
    wheel (``narrate_bot.evaluation`` once did): every folder with ``__init__.py`` is listed."""
    import tomllib

    root = CORE.parent
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    homes = {name: root / folder for name, folder in config["package-dir"].items()}
    homes.setdefault("narrate_bot", CORE)
    expected = set()
    for name, home in homes.items():
        for init in home.rglob("__init__.py"):
            relative = init.parent.relative_to(home).parts
            expected.add(".".join((name, *relative)))
    assert expected - listed == set()


def test_only_scheduling_imports_apscheduler():
    assert _offenders(("apscheduler",), {CORE / "scheduling.py"}) == []


# Private names one core module still borrows from another: debts to pay, never to add to;
# the list is exact, so a debt paid is deleted here too.
_BORROWED = {
    "narrate_bot/evaluation/connections.py imports _parse_ts from expertise",
    "narrate_bot/features/prompt_replies.py imports _too_long from narrate",
    "narrate_bot/features/follows.py imports _has_words from expertise_prefs",
    "narrate_bot/features/follows.py imports _over_limit from expertise_prefs",
    "narrate_bot/storage/update_post_resync.py imports _with_tenants from update_posts",
}


def test_no_new_private_helpers_are_borrowed_across_modules():
    """A helper two modules need gets a public home (blocker help's matched-word groups live
    in ``knowledge/matched_words``, not in who_knows' privates): borrowing a private name
    couples a module to another's insides, which change without notice."""
    found = set()
    for path in sorted(CORE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        where = path.relative_to(CORE.parent)
                        found.add(f"{where} imports {alias.name} from {node.module}")
    assert found == _BORROWED, "a new borrow gets a public home; a paid debt: delete its line"
