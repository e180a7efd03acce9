"""The ``narrate-bot`` command: the composition root that wires adapters to the core.

It lives outside ``narrate_bot`` because it imports adapters, which the core never does.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, get_args

import typer
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import SettingsError

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings

from .console import ConsoleAdapter
from .console.demo import DEMO_END, SCRIPT
from .console.grammar import GrammarError, parse_iso
from .heap import settle_heap
from .serve import StartupError, open_database, prepare_database

app = typer.Typer(
    help="narrate-bot: work out loud in chat, and find who knows what.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Measure the bot's answers on benchmark data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="A SQLite file or a database URL (default: NARRATE_DATABASE_URL or ./narrate.db).",
    ),
]


def _database_url(db: str | None, settings: Settings) -> str:
    if db is None:
        return settings.database_url
    return db if "://" in db else f"sqlite+aiosqlite:///{Path(db).expanduser().resolve()}"


def _database_setting(db: str | None) -> str:
    """Where the database came from, for messages that say what to correct."""
    return "NARRATE_DATABASE_URL" if db is None else "--db"


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=2)


# Unless NARRATE_LOG_LEVEL says otherwise: the console's chat and eval's reports stay readable,
# while run and migrate tell an operator what they do (connected, listening, invite link, ticks).
# Narration text and tokens are logged at DEBUG at most.
QUIET = "WARNING"
TELLING = "INFO"
# Libraries whose INFO is routine chatter (APScheduler: two lines per tick), kept to warnings
# unless NARRATE_LOG_LEVEL=DEBUG.
CHATTY = ("apscheduler",)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _settings(default_level: str = QUIET) -> Settings:
    """This command's settings, read once (environment, then ``.env``), and logging at
    ``NARRATE_LOG_LEVEL`` or the command's own level. A bad variable stops the command with
    one line per variable saying what it should be, and exit code 2."""
    try:
        settings = Settings()
    except ValidationError as problem:
        raise _fail("\n".join(_wrong_setting(error) for error in problem.errors())) from None
    except SettingsError as problem:  # a section (NARRATE_SLACK=…) that isn't JSON
        raise _fail(
            f"Can't read the settings: {problem}. Check the NARRATE_* variables in the "
            "environment and .env."
        ) from None
    _log_at(settings.log_level or default_level)
    return settings


def _wrong_setting(error: ErrorDetails) -> str:
    name = "NARRATE_" + "__".join(str(part) for part in error["loc"]).upper()
    value = str(error["input"])
    if any(secret in name for secret in ("TOKEN", "SECRET", "PASSWORD")):
        value = "set"  # never echo a secret, even a malformed one
    elif len(value) > 40:
        value = f"{value[:40]!r}…"
    else:
        value = repr(value)
    expected = error["msg"].removeprefix("Value error, ").replace("Input should", "should", 1)
    if error["type"] in OUT_OF_RANGE:
        expected = _allowed_range(error["loc"]) or expected
    if not expected.startswith("should"):
        expected = f"isn't valid ({expected})"
    return (
        f"{name} is {value}: it {expected}. Correct it in the environment or .env, or unset it "
        "for the default."
    )


OUT_OF_RANGE = frozenset(
    {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "finite_number"}
)


def _allowed_range(loc: tuple[int | str, ...]) -> str | None:
    """Both ends of the field's bounds ("should be a whole number from 1 to 300"): pydantic
    names only the bound that was crossed, and an operator correcting a value wants both."""
    fields = Settings.model_fields
    field = None
    for part in loc:
        field = fields.get(str(part))
        if field is None:
            return None
        section = field.annotation
        is_section = isinstance(section, type) and issubclass(section, BaseModel)
        fields = section.model_fields if is_section else {}  # type: ignore[union-attr]
    if field is None:
        return None
    low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    if low is None or high is None:
        return None
    whole = field.annotation is int or int in get_args(field.annotation)
    kind = "a whole number" if whole else "a number"
    return f"should be {kind} from {low} to {high}"


def _log_at(level: str) -> None:
    root = logging.getLogger()
    if not root.handlers:  # under a test runner its own capture handler stays in place
        logging.basicConfig(format=LOG_FORMAT)
    root.setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if level == "DEBUG" else logging.WARNING)


def _now(now: str | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    try:
        return parse_iso(now)
    except GrammarError as problem:
        raise _fail(str(problem)) from None


async def _console(
    url: str,
    start: datetime,
    *,
    settings: Settings,
    export_dir: Path,
    user: str | None,
    script: str | None,
    setting: str = "NARRATE_DATABASE_URL",
) -> None:
    try:
        db = open_database(url, setting=setting, erasure_key=settings.erasure_key)
    except StartupError as problem:
        raise _fail(str(problem)) from None
    try:
        try:
            await prepare_database(db, setting=setting)
        except StartupError as problem:
            raise _fail(str(problem)) from None
        clock = ManualClock(start)
        bot = Bot(db=db, clock=clock, settings=settings)
        console = ConsoleAdapter(
            bot,
            clock,
            sys.stdout,
            export_dir=export_dir,
            default_user=user if sys.stdin.isatty() else None,
        )
        if script is not None:
            # The same console plays the script (quietly) and then the session: it knows the
            # script's channels, guests and forms, as the person's own lines expect.
            with open(os.devnull, "w") as quiet:
                console.out = quiet
                await console.feed_all(script.splitlines())
            console.out = sys.stdout
        settle_heap()  # everything started is kept for good: full collections skip it
        if sys.stdin.isatty():
            await console.run_interactive()
        else:
            await console.feed_all(sys.stdin)
    finally:
        await db.dispose()


@app.command()
def console(
    db: DbOption = None,
    now: Annotated[
        str | None, typer.Option(help="Start the simulated clock here (ISO 8601 with offset).")
    ] = None,
    user: Annotated[
        str, typer.Option("--as", help="Who you are when a line doesn't say (interactive use).")
    ] = "you",
    export_dir: Annotated[
        Path | None, typer.Option(help="Where /narrate export writes files.")
    ] = None,
) -> None:
    """Chat with the bot in the terminal (scriptable: pipe one line per message)."""
    settings = _settings()
    _until_interrupted(
        _console(
            _database_url(db, settings),
            _now(now),
            settings=settings,
            export_dir=export_dir or Path(settings.export_dir),
            user=user,
            script=None,
            setting=_database_setting(db),
        )
    )


def _until_interrupted(session: Coroutine[Any, Any, None]) -> None:
    """Run a console session; Ctrl-C ends it at once, with the shell's code for it (130)."""
    try:
        asyncio.run(session)
    except KeyboardInterrupt:
        typer.echo("")
        raise typer.Exit(code=130) from None


@app.command()
def demo(
    user: Annotated[str, typer.Option("--as", help="Who you are in the demo.")] = "you",
) -> None:
    """A sample organisation (four teams, three weeks of narrations) in a throwaway database."""
    settings = _settings()
    with tempfile.TemporaryDirectory(prefix="narrate-demo-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}"
        if sys.stdin.isatty():
            typer.echo(
                "Demo organisation loaded: alice, grace (payments), bob, farid (infra), carol, "
                "erin (search), dan, hana (platform). Try: who knows about kafka?"
            )
        _until_interrupted(
            _console(
                url,
                parse_iso(DEMO_END),
                settings=settings,
                export_dir=Path(settings.export_dir),
                user=user,
                script=SCRIPT,
            )
        )


@app.command()
def migrate(db: DbOption = None) -> None:
    """Bring the database schema up to date (run before starting a new version)."""
    settings = _settings(TELLING)
    url = _database_url(db, settings)
    setting = _database_setting(db)

    async def _run() -> None:
        database = open_database(url, setting=setting, erasure_key=settings.erasure_key)
        try:
            await prepare_database(database, setting=setting)
        finally:
            await database.dispose()

    try:
        asyncio.run(_run())
    except StartupError as problem:
        raise _fail(str(problem)) from None
    typer.echo("The database is up to date.")


@app.command()
def run() -> None:
    """Start the configured platform adapters (Slack, Discord) and the scheduled prompts."""
    settings = _settings(TELLING)
    if not (settings.slack.configured or settings.discord.configured):
        raise _fail(
            "No platform is configured, so there's nothing to connect to.\n"
            "Try the bot locally with `narrate-bot console` (or `narrate-bot demo`), or set up "
            'Slack or Discord as described in the README ("Add to Slack", "Add to Discord").'
        )
    from .serve import serve

    try:
        asyncio.run(serve(settings))
    except StartupError as problem:
        raise _fail(str(problem)) from None
    except KeyboardInterrupt:
        return


@eval_app.command("expertise")
def eval_expertise(
    data: Annotated[
        Path, typer.Option(help="A bench folder with narrations.jsonl and queries.jsonl.")
    ],
    run_out: Annotated[
        Path | None, typer.Option(help="Write the rankings as a run file for evaluate.py.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the metrics as one JSON object on the last line.")
    ] = False,
) -> None:
    """Replay a dev set through the bot's intake and who-knows ranking, and score it."""
    _settings()  # the replay's bot reads them too
    from narrate_bot.evaluation.expertise import run_cli

    code = asyncio.run(run_cli(data, run_out=run_out, as_json=as_json))
    raise typer.Exit(code=code)


@eval_app.command("connections")
def eval_connections(
    data: Annotated[
        Path, typer.Option(help="A bench folder with narrations.jsonl and queries.jsonl.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as one JSON object on the last line.")
    ] = False,
    active_days: Annotated[
        int,
        typer.Option(min=1, help="Who takes part in a week: people who narrated in these days."),
    ] = 180,
) -> None:
    """Replay a dev set week by week and score the introductions against random pairing."""
    _settings()
    from narrate_bot.evaluation.connections import run_cli as run_connections

    raise typer.Exit(code=run_connections(data, as_json=as_json, active_days=active_days))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
