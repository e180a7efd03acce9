"""Running Alembic from inside the bot (``narrate-bot migrate``, the console, the tests).

The migration scripts ship as the ``narrate_bot_migrations`` package (the repository's
``migrations/`` folder), so an installed wheel can upgrade a database without the source tree.
"""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from .database import Database


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("narrate_bot_migrations")))
    config.attributes["url"] = url
    return config


async def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision`` on this database's own engine, inside the running loop."""
    config = alembic_config(db.url)

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with db.engine.begin() as connection:
        await connection.run_sync(_run)


async def check(db: Database) -> None:
    """Raise if the tables in code differ from what the migrations built (``alembic check``)."""
    config = alembic_config(db.url)

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.check(config)

    async with db.engine.connect() as connection:
        await connection.run_sync(_run)
