"""``narrate-bot run``: one bot for every configured platform, plus the scheduler's wake-up.

One ``Bot`` holds every platform's ``ChatGateway``, so a scheduled prompt, digest or introduction
is delivered on whichever platform its workspace lives. The ``Ticker`` only wakes the core up; the
claims in our tables keep several replicas (each running this) from sending anything twice.

SIGTERM (``docker stop``, a rolling deploy) and SIGINT (Ctrl-C) stop it gracefully: each platform
closes its connection and finishes the work it acked, and a running tick finishes its sends,
within ``SHUTDOWN_SECONDS``. In a container the bot is PID 1, which the kernel gives no default
action for SIGTERM: without a handler it was ignored until the SIGKILL ten seconds later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Coroutine
from typing import Any

from alembic.util import CommandError
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from narrate_bot.app import Bot
from narrate_bot.clock import SystemClock
from narrate_bot.config import Settings
from narrate_bot.scheduling import Ticker
from narrate_bot.storage import index_scrub
from narrate_bot.storage.database import Database
from narrate_bot.storage.erasure_key import ErasureKeyError
from narrate_bot.storage.migrate import ForeignDatabase, refuse_foreign_file, upgrade
from narrate_bot.storage.privacy import clear_traces
from narrate_bot.storage.repositories import check_erasure_key

from .heap import settle_heap

log = logging.getLogger(__name__)

# Within docker stop's default 10 s between SIGTERM and SIGKILL, with room to close the database.
SHUTDOWN_SECONDS = 8.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StartupError(RuntimeError):
    """A platform can't start with these settings; the message says what to change."""


def shown_url(url: str) -> str:
    """The database URL as it may be printed: its password, if any, replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: hide whatever sits between : and @
        scheme, sep, rest = url.partition("://")
        user, at, host = rest.rpartition("@")
        if not (sep and at):
            return url
        return f"{scheme}://{user.partition(':')[0]}:***@{host}"


def _reason(problem: BaseException, url: str) -> str:
    """The driver's own words as one sentence (not SQLAlchemy's wrapper), never the password."""
    reason = " ".join(str(getattr(problem, "orig", None) or problem).split())
    with contextlib.suppress(Exception):
        password = make_url(url).password
        if password:
            reason = reason.replace(str(password), "***")
    reason = reason or type(problem).__name__
    return reason if reason.endswith((".", "?", "!")) else f"{reason}."


def open_database(
    url: str, *, setting: str = "NARRATE_DATABASE_URL", erasure_key: SecretStr | None = None
) -> Database:
    """A ``Database`` for ``url``, or a ``StartupError`` naming the setting to correct."""
    try:
        return Database(
            url, erasure_key=erasure_key.get_secret_value() if erasure_key is not None else None
        )
    except ErasureKeyError as problem:  # says which setting (or key file) itself
        raise StartupError(str(problem)) from None
    except Exception as problem:  # a bad URL or a missing driver
        raise StartupError(
            f"Can't use the database {shown_url(url)}: {_reason(problem, url)} Check {setting}."
        ) from None


async def prepare_database(db: Database, *, setting: str = "NARRATE_DATABASE_URL") -> None:
    """Connect, then migrate; each way that fails becomes one ``StartupError`` line saying
    which database (password hidden) and what to check, instead of a driver's traceback."""
    before = set(threading.enumerate())
    try:
        await _prepare(db, setting=setting)
    except StartupError:
        await _let_sqlite_workers_stop(before)
        raise


# aiosqlite runs each connection on a thread with this target, named "Thread-N (<target>)".
SQLITE_WORKER = "(_connection_worker_thread)"
SQLITE_WORKER_WAIT_S = 2.0


async def _let_sqlite_workers_stop(before: set[threading.Thread]) -> None:
    """Wait, while the event loop is still open, for the aiosqlite threads a failed attempt left.

    When aiosqlite (0.22) can't open the file (a folder, an unwritable path) it raises at once and
    only queues its worker thread's stop; the thread then hands the stop's result to the event
    loop. If ``asyncio.run`` has closed the loop by then, the thread dies with "Exception in
    thread ... RuntimeError: Event loop is closed" after our one-line message (about one run in
    three). SQLAlchemy never saw a connection, so disposing the engine can't stop that thread.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SQLITE_WORKER_WAIT_S
    workers = [t for t in threading.enumerate() if t not in before and SQLITE_WORKER in t.name]
    while any(t.is_alive() for t in workers) and loop.time() < deadline:
        await asyncio.sleep(0.005)


async def _prepare(db: Database, *, setting: str) -> None:
    shown = shown_url(db.url)
    try:
        refuse_foreign_file(db)
    except ForeignDatabase as problem:
        raise _not_ours(problem, shown, setting) from None
    try:
        async with db.engine.connect():
            pass
    except Exception as problem:
        if db.dialect == "postgresql":
            check = (
                "Check that PostgreSQL is running and reachable from this host, and the host, "
                f"port, user, password and database name in {setting}."
            )
        else:
            check = f"Check that the file's folder exists and is writable, and {setting}."
        raise StartupError(
            f"Can't connect to the database {shown}: {_reason(problem, db.url)} {check}"
        ) from None
    try:
        await upgrade(db)
    except ForeignDatabase as problem:
        raise _not_ours(problem, shown, setting) from None
    except CommandError as problem:  # stamped with a revision this version doesn't have
        raise StartupError(
            f"The database {shown} doesn't match this version's migrations: "
            f"{_reason(problem, db.url)} A newer narrate-bot probably migrated it: run that "
            "version (or restore a backup from before); if the database belongs to another "
            f"application, give narrate-bot its own in {setting}."
        ) from None
    except Exception as problem:
        log.debug("migration failed", exc_info=True)
        raise StartupError(
            f"Migrating the database {shown} failed: {_reason(problem, db.url)} "
            "NARRATE_LOG_LEVEL=DEBUG shows the details."
        ) from None
    try:
        # A transaction: the first process to start notes its key's check value, so one
        # started later with another key is refused here too.
        async with db.transaction() as session:
            await check_erasure_key(session)
    except ErasureKeyError as problem:  # not the key the forget-me marks were written with
        raise StartupError(str(problem)) from None
    if await index_scrub.interrupted(db):
        # A delete committed, then the process stopped between the scrub's steps: finish it
        # now rather than at the next person's delete (storage/index_scrub.py).
        log.info("finishing an interrupted scrub of the full-text index")
        await clear_traces(db)


def check_slack(settings: Settings) -> None:
    """Slack's settings work together and its library is installed, or a ``StartupError``
    saying what to set; ``serve`` asks before it touches the database."""
    if not settings.slack.configured:
        return
    try:
        from .slack.runner import SlackConfigError, check
    except ImportError:
        raise StartupError(
            "Slack is configured but slack-bolt isn't installed: pip install 'narrate-bot[slack]'."
        ) from None
    try:
        check(settings)
    except SlackConfigError as problem:
        raise StartupError(f"Slack is not set up completely: {problem}") from None


def _not_ours(problem: ForeignDatabase, shown: str, setting: str) -> StartupError:
    names = ", ".join(problem.names[:3]) + (", …" if len(problem.names) > 3 else "")
    return StartupError(
        f"The database {shown} already has tables ({names}) but no record of narrate-bot's "
        "migrations, so narrate-bot changed nothing in it. If the database belongs to another "
        f"application, give narrate-bot its own in {setting} (a new SQLite file, or an empty "
        "PostgreSQL database)."
    )


def _platforms(
    settings: Settings, bot: Bot, db: Database, stop: asyncio.Event
) -> list[Coroutine[Any, Any, None]]:
    """The configured platforms' long-running coroutines, checked before anything connects."""
    runs: list[Coroutine[Any, Any, None]] = []
    if settings.slack.configured:
        check_slack(settings)
        from .slack.runner import SlackListenError, serve_bot

        async def slack() -> None:
            try:
                await serve_bot(bot, settings, stop=stop)
            except SlackListenError as problem:
                raise StartupError(str(problem)) from None

        runs.append(slack())
    if settings.discord.configured:
        try:
            from .discord.runner import DiscordStartupError
            from .discord.runner import serve as serve_discord
        except ImportError:
            raise StartupError(
                "Discord is configured but discord.py isn't installed: "
                "pip install 'narrate-bot[discord]'."
            ) from None

        async def discord() -> None:
            try:
                await serve_discord(bot, settings, db, stop=stop)
            except DiscordStartupError as problem:
                raise StartupError(str(problem)) from None

        runs.append(discord())
    return runs


def _stop_on_signals(stop: asyncio.Event) -> list[signal.Signals]:
    """SIGTERM and SIGINT set ``stop``; the signals handled (none off the main thread)."""
    loop = asyncio.get_running_loop()
    handled = []
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, _stopping, stop, sig)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            continue
        handled.append(sig)
    return handled


def _stopping(stop: asyncio.Event, sig: signal.Signals) -> None:
    if not stop.is_set():
        log.info("%s: shutting down after the work in hand", sig.name)
    stop.set()


async def serve(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Migrate, then serve every configured platform until ``stop`` is set (SIGTERM, SIGINT) or
    one of them stops or fails. Setting ``stop`` lets each platform close its connections
    itself."""
    stop = stop or asyncio.Event()
    check_slack(settings)  # a settings mistake is told before the database is migrated
    db = open_database(settings.database_url, erasure_key=settings.erasure_key)
    handled = _stop_on_signals(stop)
    try:
        await prepare_database(db)
        log.info("database %s is up to date", shown_url(db.url))
        bot = Bot(db=db, clock=SystemClock(), settings=settings)
        runs = _platforms(settings, bot, db, stop)
        settle_heap()  # everything started is kept for good: full collections skip it
        ticker = Ticker(bot)
        ticker.start()
        log.info(
            "schedules: checking for due prompts, digests and introductions every %.0f s",
            ticker.every.total_seconds(),
        )
        tasks: list[asyncio.Task[object]] = [asyncio.create_task(run) for run in runs]
        tasks.append(asyncio.create_task(stop.wait()))
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a platform that failed to start says why
        finally:
            stop.set()  # the others close their own connections (Slack drains its work)
            # The ticker's sends and the platforms' work finish side by side, in one budget.
            closing = asyncio.create_task(ticker.aclose())
            _, pending = await asyncio.wait([closing, *tasks], timeout=SHUTDOWN_SECONDS)
            if pending:
                log.warning(
                    "shutdown: %d task(s) still busy after %.0f s were cancelled",
                    len(pending),
                    SHUTDOWN_SECONDS,
                )
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    finally:
        await db.dispose()
        loop = asyncio.get_running_loop()
        for sig in handled:
            loop.remove_signal_handler(sig)
