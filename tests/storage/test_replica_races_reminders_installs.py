"""Two replicas on one database doing the same read-then-write at once: a person's reminder and a
Slack install. PostgreSQL (READ COMMITTED) is where replicas share a database; SQLite passes by
serializing its writers, so there these tests only show nothing else breaks.

Each test fires both replicas' requests together with ``asyncio.gather`` many times, since one
interleaving of a race proves little, and asserts what people notice: the reminders they are
sent, what the bot told them, an OAuth completion that failed."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

from slack_sdk.oauth.installation_store import Installation as SlackInstallation

from adapters.slack.store import DatabaseInstallationStore
from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import ChannelRef, CommandInvoked, Platform, TenantRef, UserRef
from narrate_bot.replies import Post
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database

ROUNDS = 25
MONDAY = datetime.fromisoformat("2026-11-23T09:00:00+01:00")
ALICE = UserRef(user_id="U1", display_name="alice")
_ids = itertools.count()


class Inbox:
    """Both replicas' gateway: every reminder DM, by workspace."""

    def __init__(self) -> None:
        self.dms: Counter[str] = Counter()

    async def post(self, tenant: TenantRef, post: Post) -> str:
        await asyncio.sleep(0)
        if post.to_users == (ALICE.user_id,) and post.text.startswith("Your reminder to narrate"):
            self.dms[tenant.tenant_id] += 1
        return f"m{next(_ids)}"


def replicas(db: Database, inbox: Inbox) -> tuple[Bot, Bot]:
    """Two bots, each with its own engine (connection pool) on the same database."""
    return tuple(  # type: ignore[return-value]
        Bot(
            db=database,
            clock=ManualClock(MONDAY),
            settings=Settings(),
            gateways={Platform.CONSOLE: inbox},
        )
        for database in (db, Database(db.url))
    )


async def say(bot: Bot, workspace: str, text: str) -> str:
    event = CommandInvoked(
        event_id=f"e{next(_ids)}",
        tenant=TenantRef(platform=Platform.CONSOLE, tenant_id=workspace, name=workspace),
        user=ALICE,
        channel=ChannelRef(channel_id="C1", name="team"),
        occurred_at=bot.clock.now(),
        command="/narrate",
        text=text,
    )
    return "\n".join(reply.text for reply in await bot.handle(event))


async def together(first: object, second: object) -> list[str]:
    results = await asyncio.gather(first, second, return_exceptions=True)  # type: ignore[call-overload]
    failed = [r for r in results if isinstance(r, BaseException)]
    assert not failed, failed
    return list(results)


async def tick_both(a: Bot, b: Bot, until: datetime) -> None:
    await asyncio.gather(a.run_due(until), b.run_due(until))


async def test_the_same_remind_on_two_replicas_keeps_one_reminder_and_one_dm(db: Database) -> None:
    """A double-submitted ``remind me`` while an older reminder exists: on PostgreSQL both
    replicas deleted the old one and each added its own, so every fire sent two DMs."""
    inbox = Inbox()
    a, b = replicas(db, inbox)
    try:
        workspaces = [f"T{i}" for i in range(ROUNDS)]
        for workspace in workspaces:
            await say(a, workspace, "timezone Europe/Berlin")
            await say(a, workspace, "remind me weekdays 09:00")
            replies = await together(
                say(a, workspace, "remind me weekdays 16:30"),
                say(b, workspace, "remind me weekdays 16:30"),
            )
            assert all("weekdays at 16:30" in reply for reply in replies), replies
            for replica in (a, b):
                shown = await say(replica, workspace, "remind")
                assert shown.startswith("I remind you weekdays at 16:30 (Europe/Berlin)"), shown

        await tick_both(a, b, MONDAY.replace(hour=16, minute=31))
        assert inbox.dms == dict.fromkeys(workspaces, 1)
        await tick_both(a, b, MONDAY.replace(hour=16, minute=31) + timedelta(days=1))
        assert inbox.dms == dict.fromkeys(workspaces, 2)

        # Off means off, whichever replica hears it: no reminder left behind to fire tomorrow.
        for workspace in workspaces:
            await together(say(a, workspace, "remind off"), say(b, workspace, "remind off"))
        await tick_both(a, b, MONDAY.replace(hour=16, minute=31) + timedelta(days=2))
        assert inbox.dms == dict.fromkeys(workspaces, 2)
    finally:
        await b.db.dispose()


async def test_remind_and_a_time_zone_change_on_two_replicas_end_in_the_new_zone(
    db: Database,
) -> None:
    """``remind me`` on one replica while the person's zone changes on the other: the reminder
    must end up in the new zone, told correctly, and neither command may fail (the zone change
    used to update the reminder the other replica had just replaced)."""
    inbox = Inbox()
    a, b = replicas(db, inbox)
    try:
        workspaces = [f"T{i}" for i in range(ROUNDS)]
        for workspace in workspaces:
            await say(a, workspace, "timezone Europe/Berlin")
            await say(a, workspace, "remind me weekdays 09:00")
            set_reply, zone_reply = await together(
                say(a, workspace, "remind me weekdays 16:30"),
                say(b, workspace, "timezone America/New_York"),
            )
            if "(Europe/Berlin)" in set_reply:  # the reminder was set first: the move follows
                assert "moved with you: weekdays at 16:30 (America/New_York)" in zone_reply
            else:
                assert "(America/New_York)" in set_reply, set_reply

        # 16:30 in Berlin is 10:30 in New York: nobody is reminded yet.
        await tick_both(a, b, MONDAY.replace(hour=16, minute=31))
        assert inbox.dms == {}
        await tick_both(a, b, MONDAY.replace(hour=22, minute=31))  # 16:31 in New York
        assert inbox.dms == dict.fromkeys(workspaces, 1)
    finally:
        await b.db.dispose()


def _slack_install(team: str, label: str, *, round_: int) -> SlackInstallation:
    return SlackInstallation(
        app_id="A1",
        team_id=team,
        team_name="Acme",
        user_id=f"U-{label}",
        bot_token=f"xoxb-{label}-{round_}",
        bot_id=f"B-{label}",
        bot_user_id="UBOT",
        bot_scopes=["chat:write", f"scope-{label}"],
        bot_refresh_token=f"xoxe-1-{label}-{round_}",
        bot_token_expires_at=int(datetime(2030, 1, 1 + (label == "b"), tzinfo=UTC).timestamp()),
    )


async def test_two_replicas_finishing_the_same_slack_install_both_succeed(db: Database) -> None:
    """Two OAuth completions for one workspace at once (two admins, a double click): a known
    workspace without an install (re-install after ``tokens_revoked``) failed one of them with
    the unique key on PostgreSQL. Both must succeed and one token set must be kept whole."""
    other = Database(db.url)
    stores = DatabaseInstallationStore(db), DatabaseInstallationStore(other)
    try:
        for i in range(ROUNDS):
            team = f"T{i}"
            case = i % 3
            if case == 0:  # known workspace, no install: revoked, or first seen through events
                async with db.transaction() as session:
                    # Named as the install names it: renaming would lock the row and hide the race.
                    await repo.ensure_tenant(
                        session, platform="slack", external_id=team, name="Acme", now=MONDAY
                    )
            elif case == 1:  # a re-install over an install we hold
                await stores[0].async_save(_slack_install(team, "old", round_=i))
            # case 2: a workspace never seen before
            await together(
                stores[0].async_save(_slack_install(team, "a", round_=i)),
                stores[1].async_save(_slack_install(team, "b", round_=i)),
            )
            for store in stores:
                found = await store.async_find_bot(enterprise_id=None, team_id=team)
                assert found is not None
                kept = {
                    "bot_token": found.bot_token,
                    "bot_refresh_token": found.bot_refresh_token,
                    "bot_token_expires_at": found.bot_token_expires_at,
                    "bot_id": found.bot_id,
                    "bot_scopes": list(found.bot_scopes),
                }
                wanted = [
                    {key: getattr(bot, key) for key in kept}
                    for bot in (
                        _slack_install(team, label, round_=i).to_bot() for label in ("a", "b")
                    )
                ]
                for candidate in wanted:
                    candidate["bot_scopes"] = list(candidate["bot_scopes"])
                assert kept in wanted, kept
    finally:
        await other.dispose()
