"""``delete``, ``share`` and ``unshare`` take a narration's number and nothing else (``share`` also
what its "Share with my workspace" button adds): with more words after the number they are a
command attempt, never run ("delete 3 stale branches" deleted #3). ``edit`` takes text."""

from __future__ import annotations

import pytest

from narrate_bot.routing import Command, parse_command


@pytest.mark.parametrize(
    ("text", "action", "ordinal", "arg"),
    [
        ("delete 3", "delete", 3, ""),
        ("delete #12", "delete", 12, ""),
        ("share 1", "share", 1, ""),
        ("share 4 written 2026-11-23T09:00:00Z", "share", 4, "written 2026-11-23T09:00:00Z"),
        ("unshare 2", "unshare", 2, ""),
        ("edit 2 docs pages for the launch", "edit", 2, "docs pages for the launch"),
    ],
)
def test_the_commands_as_they_are_written(text: str, action: str, ordinal: int, arg: str) -> None:
    assert parse_command(text) == Command(action, arg=arg, ordinal=ordinal)


@pytest.mark.parametrize(
    "text",
    [
        "delete 3 stale branches",
        "delete 1 stale branches from the repo",
        "share 1 dashboards with the data team",
        "share 1 written docs",
        "unshare 2 old dashboards",
        "Delete #3 please",
    ],
)
def test_more_words_after_the_number_are_an_attempt_never_run(text: str) -> None:
    command = parse_command(text)
    word = text.split()[0].lower()
    assert command.action == "unparsed" and command.arg == text and command.ordinal is None
    assert command.hint is not None and f"send /narrate {word} " in command.hint
