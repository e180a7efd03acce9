"""A Slack Connect channel the bot knew before migration 0010 (the adapter then stored it as a
private channel, with no word of sharing) is treated as shared after the upgrade, not as
internal: its weekly digest, posted without anyone using the channel since, shows the other
organisation nothing narrated elsewhere in the workspace. An internal private channel taken for
shared the same way is itself again at the first command there, from Slack's own answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, timedelta

import pytest
from sqlalchemy import text

from narrate_bot.storage.database import Database
from narrate_bot.storage.migrate import upgrade
from tests.adapters.slack.conftest import SlackEnv, until
from tests.conftest import START, at_revision

BEFORE_SHARING = "0009_introduction_numbers"


async def _run(db: Database, statement: str, **values: object) -> int:
    async with db.engine.begin() as conn:
        return int((await conn.execute(text(statement + " RETURNING id"), values)).scalar_one())


@pytest.fixture
async def db(empty_db: Database) -> AsyncIterator[Database]:
    """Workspace T1 as the bot before 0010 stored it: #partner (a Slack Connect channel) and
    #team (an internal private channel) both plain private channels, #partner with a weekly
    digest due tomorrow; then upgraded to this version."""
    await at_revision(empty_db, BEFORE_SHARING)
    at = START.astimezone(UTC)
    tenant = await _run(
        empty_db,
        "INSERT INTO tenant (platform, external_id, name, created_at)"
        " VALUES ('slack', 'T1', 'Acme', :at)",
        at=at,
    )
    channel = (
        "INSERT INTO channel (tenant_id, channel_id, name, kind) VALUES (:t, :c, :n, 'private')"
    )
    partner = await _run(empty_db, channel, t=tenant, c="CPART", n="partner")
    await _run(empty_db, channel, t=tenant, c="GTEAM", n="team")
    await _run(
        empty_db,
        "INSERT INTO schedule (tenant_id, kind, channel_pk, days, local_time, timezone,"
        " next_fire_at, created_at) VALUES (:t, 'digest', :c, 127, '16:00', 'UTC', :due, :at)",
        t=tenant,
        c=partner,
        due=at + timedelta(days=1),
        at=at,
    )
    await upgrade(empty_db)
    yield empty_db


def _slack_says(slack: SlackEnv) -> None:
    slack.fake.channels["CPART"] = {
        "id": "CPART",
        "name": "partner",
        "is_channel": True,
        "is_private": True,
        "is_ext_shared": True,
    }
    slack.fake.channels["GTEAM"] = {
        "id": "GTEAM",
        "name": "team",
        "is_group": True,
        "is_private": True,
    }
    slack.fake.channels["CPUB"] = {"id": "CPUB", "name": "payroll", "is_channel": True}


async def _shared(db: Database, channel_id: str) -> bool:
    async with db.engine.connect() as conn:
        row = await conn.execute(
            text("SELECT shared FROM channel WHERE channel_id = :c"), {"c": channel_id}
        )
        return bool(row.scalar_one())


async def test_a_pre_0010_shared_channels_digest_shows_nothing_from_the_rest_of_the_workspace(
    slack,
):
    _slack_says(slack)
    await slack.command("join", user="U2", channel="CPUB", channel_name="payroll")
    await slack.command(
        "rotated the kafka certificates for the payroll cluster",
        user="U2",
        channel="CPUB",
        channel_name="payroll",
    )
    await until(lambda: len(slack.fake.responses) >= 2)
    assert "kafka" in str(slack.fake.responses[-1]), slack.fake.responses[-1]
    bot = slack.adapter.bot
    await bot.run_due(bot.clock.now() + timedelta(days=2))
    posted = [c.params for c in slack.fake.called("chat.postMessage")]
    into_partner = [p for p in posted if p.get("channel") == "CPART"]
    assert into_partner == [], into_partner  # a quiet week there stays quiet
    assert await _shared(slack.db, "CPART")


async def test_an_internal_private_channel_is_internal_again_at_the_first_command_there(slack):
    _slack_says(slack)
    assert await _shared(slack.db, "GTEAM")  # not known yet: the careful reading
    await slack.command("mine", channel="GTEAM", channel_name="privategroup")
    await until(lambda: slack.fake.responses)
    assert not await _shared(slack.db, "GTEAM")
    await slack.command("mine", channel="CPART", channel_name="partner")
    await until(lambda: len(slack.fake.responses) >= 2)
    assert await _shared(slack.db, "CPART")
