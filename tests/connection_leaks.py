"""Opt-in: who opened a database connection that was never closed.

An unclosed aiosqlite or psycopg connection warns when it is collected, in whichever test the
garbage collector happens to run in, and names no test of its own. With
``NARRATE_TRACE_CONNECTIONS=1`` (``tests/conftest.py`` registers this module, or pass
``-p tests.connection_leaks``) each connection remembers the test (and phase) it was opened in
and the stack that opened it. The report at the end of the run lists every connection that was
collected while open, or was still open when its test ended, with that test and that stack.
With ``NARRATE_TRACE_CONNECTIONS=gc`` a collection also runs after each test, so a connection
left unreachable is collected (and reported) right after the test that dropped it.
``NARRATE_TRACE_CONNECTIONS_FILE=PATH`` also appends each finding to PATH as it is made, for a
run that may be cut short.
"""

from __future__ import annotations

import gc
import os
import traceback
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiosqlite
import psycopg
import pytest
from psycopg._connection_base import BaseConnection

_ORIGIN = "_narrate_test_origin"


@dataclass
class _Origin:
    kind: str
    test: str
    phase: str
    stack: list[str]


@dataclass
class _Leak:
    how: str  # "collected open" or "open after its test"
    origin: _Origin
    where: str  # the test running when it was seen


@dataclass
class _State:
    test: str = "(outside any test)"
    phase: str = ""
    live: weakref.WeakSet[Any] = field(default_factory=weakref.WeakSet)
    leaks: list[_Leak] = field(default_factory=list)
    undo: list[Callable[[], None]] = field(default_factory=list)


_state = _State()


def _stack() -> list[str]:
    frames = traceback.extract_stack()[:-3]
    return [
        f"{frame.filename}:{frame.lineno} {frame.name}"
        for frame in frames
        if "/_pytest/" not in frame.filename and "/pluggy/" not in frame.filename
    ]


def _found(leak: _Leak) -> None:
    _state.leaks.append(leak)
    path = os.environ.get("NARRATE_TRACE_CONNECTIONS_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write("\n".join(_describe(leak)) + "\n")


def _describe(leak: _Leak) -> list[str]:
    origin = leak.origin
    opened = f"{origin.test} [{origin.phase}]" if origin.phase else origin.test
    return [
        f"{origin.kind} connection {leak.how}, opened in {opened}",
        f"  seen in: {leak.where}",
        *(f"    {line}" for line in origin.stack),
    ]


def _where() -> str:
    return f"{_state.test} [{_state.phase}]" if _state.phase else _state.test


def _is_open(conn: Any) -> bool:
    if isinstance(conn, aiosqlite.Connection):
        return conn._connection is not None
    return bool(hasattr(conn, "pgconn") and not conn.closed and not hasattr(conn, "_pool"))


def _remember(conn: Any, kind: str) -> None:
    setattr(conn, _ORIGIN, _Origin(kind, _state.test, _state.phase, _stack()))
    _state.live.add(conn)


def _patch(cls: type, name: str, make: Callable[[Any], Any]) -> None:
    original = cls.__dict__[name]
    setattr(cls, name, make(original))
    _state.undo.append(lambda: setattr(cls, name, original))


def _tracking_init(kind: str) -> Callable[[Any], Any]:
    def make(original: Any) -> Any:
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            _remember(self, kind)

        return __init__

    return make


def _tracking_del(original: Any) -> Any:
    def __del__(self: Any, *args: Any) -> None:
        origin = getattr(self, _ORIGIN, None)
        if origin is not None and _is_open(self):
            _found(_Leak("collected open", origin, _where()))
        original(self, *args)

    return __del__


def pytest_configure(config: pytest.Config) -> None:
    _patch(aiosqlite.Connection, "__init__", _tracking_init("aiosqlite"))
    _patch(aiosqlite.Connection, "__del__", _tracking_del)
    _patch(BaseConnection, "__init__", _tracking_init("psycopg"))
    _patch(BaseConnection, "__del__", _tracking_del)
    assert issubclass(psycopg.AsyncConnection, BaseConnection)


def pytest_unconfigure(config: pytest.Config) -> None:
    while _state.undo:
        _state.undo.pop()()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    _state.test, _state.phase = item.nodeid, ""
    try:
        # A run interrupted (Ctrl-C) mid-test raises here: that test's connections were cut
        # off with it, not left open by it, so it is not checked.
        result = yield
        if os.environ.get("NARRATE_TRACE_CONNECTIONS") == "gc":
            gc.collect()
        for conn in list(_state.live):
            origin = getattr(conn, _ORIGIN)
            if origin.test == item.nodeid and _is_open(conn):
                _found(_Leak("open after its test", origin, item.nodeid))
        return result
    finally:
        _state.test, _state.phase = f"(after {item.nodeid})", ""


def _phase(name: str) -> Any:
    @pytest.hookimpl(wrapper=True)
    def hook(item: pytest.Item) -> Iterator[None]:
        _state.phase = name
        try:
            return (yield)
        finally:
            _state.phase = ""

    return hook


pytest_runtest_setup = _phase("setup")
pytest_runtest_call = _phase("call")
pytest_runtest_teardown = _phase("teardown")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    gc.collect()
    for conn in list(_state.live):
        if _is_open(conn):
            _found(_Leak("open at the end of the run", getattr(conn, _ORIGIN), "-"))
    write = terminalreporter.write_line
    terminalreporter.section("database connections left open")
    if not _state.leaks:
        write("none")
        return
    for leak in _state.leaks:
        for line in _describe(leak):
            write(line)
