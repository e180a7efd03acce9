"""Schedule numbers count within each workspace: "Scheduled #1" is a workspace's first prompt
whatever the other workspaces have, `schedule remove 1` and `/narrate reply 1` (typed or the
"Write my update" button) mean the asker's own workspace's #1, and a number is never given twice
in a workspace, even after its schedule was removed."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlmodel import select

from narrate_bot.app import Bot
from narrate_bot.events import (
    ChannelKind,
    ChannelRef,
    CommandInvoked,
    FormSubmitted,
    Platform,
    TenantRef,
    UserRef,
)
from narrate_bot.replies import Post
from narrate_bot.storage import schedules as store
from narrate_bot.storage.database import Database
from narrate_bot.storage.schedule_tables import Schedule
from narrate_bot.storage.tables import Tenant

ACME = TenantRef(platform=Platform.SLACK, tenant_id="T-acme", name="acme")
GLOBEX = TenantRef(platform=Platform.SLACK, tenant_id="T-globex", name="globex")
GENERAL = ChannelRef(channel_id="C1", name="general", kind=ChannelKind.PUBLIC)
RANDOM = ChannelRef(channel_id="C2", name="random", kind=ChannelKind.PUBLIC)
_events = itertools.count()


class Gateway:
    """Keeps every scheduled post with its workspace."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, Post]] = []

    async def post(self, tenant: TenantRef, post: Post) -> str:
        self.posts.append((tenant.tenant_id, post))
        return f"m{len(self.posts)}"

    def buttons(self, tenant: TenantRef) -> list[str]:
        return [b.command for t, p in self.posts if t == tenant.tenant_id for b in p.buttons]


def _gateway(bot: Bot) -> Gateway:
    gateway = Gateway()
    bot.gateways[Platform.SLACK] = gateway
    return gateway


async def _say(
    bot: Bot, tenant: TenantRef, text: str, *, user: str = "U1", channel: ChannelRef = GENERAL
) -> str:
    replies = await bot.handle(
        CommandInvoked(
            event_id=f"n{next(_events)}",
            tenant=tenant,
            user=UserRef(user_id=user, display_name=user, is_admin=True),
            channel=channel,
            occurred_at=bot.clock.now(),
            command="narrate",
            text=text,
        )
    )
    return "\n".join(r.text for r in replies)


async def _form(bot: Bot, tenant: TenantRef, form: str, text: str, *, user: str = "U1") -> str:
    replies = await bot.handle(
        FormSubmitted(
            event_id=f"n{next(_events)}",
            tenant=tenant,
            user=UserRef(user_id=user, display_name=user),
            channel=GENERAL,
            occurred_at=bot.clock.now(),
            form=form,
            fields={"text": text},
        )
    )
    return "\n".join(r.text for r in replies)


async def test_a_workspaces_first_schedule_is_number_one_whatever_the_others_have(bot, clock):
    gateway = _gateway(bot)
    assert "Scheduled #1" in await _say(bot, ACME, "schedule #general weekdays 16:30 UTC")
    await _say(bot, ACME, "schedule digest #general on")
    await bot.run_due(clock.now())  # acme's introductions jobs exist too now

    out = await _say(bot, GLOBEX, "schedule #general weekdays 16:30 UTC")
    assert "Scheduled #1:" in out  # not #3 (or #5): acme's schedules are acme's business
    listed = await _say(bot, GLOBEX, "schedule list")
    assert "#1  #general  prompt weekdays 16:30 UTC" in listed and "#2" not in listed
    listed = await _say(bot, ACME, "schedule list")
    assert "#1  #general  prompt" in listed and "#2  #general  weekly digest" in listed

    await bot.run_due(clock.now() + timedelta(hours=9))
    assert gateway.buttons(GLOBEX) == ["/narrate reply 1"]
    assert gateway.buttons(ACME) == ["/narrate reply 1"]

    # Globex's #1 is globex's prompt: the form records in globex, never in acme.
    assert "fills the form" in await _form_opened(bot, GLOBEX, "reply 1")
    noted = await _form(bot, GLOBEX, "prompt-reply:1", "globex ledger importer")
    assert "Noted as #1, readable by whoever reads #general" in noted
    assert "globex ledger" in await _say(bot, GLOBEX, "mine")
    assert "globex ledger" not in await _say(bot, ACME, "mine")
    # Acme's #2 is a digest, not a prompt; and globex has no #2 at all.
    assert "There's no prompt #2" in await _say(bot, ACME, "reply 2")
    assert "There's no schedule #2" in await _say(bot, GLOBEX, "schedule remove 2")
    assert "Removed #1" in await _say(bot, GLOBEX, "schedule remove 1")
    assert "#1  #general  prompt" in await _say(bot, ACME, "schedule list")  # acme's stays


async def _form_opened(bot: Bot, tenant: TenantRef, text: str) -> str:
    replies = await bot.handle(
        CommandInvoked(
            event_id=f"n{next(_events)}",
            tenant=tenant,
            user=UserRef(user_id="U1", display_name="U1"),
            channel=GENERAL,
            occurred_at=bot.clock.now(),
            command="narrate",
            text=text,
        )
    )
    return "\n".join(r.text + (" (fills the form)" if r.form else "") for r in replies)


async def test_a_removed_number_is_never_given_again_and_its_posted_button_still_answers(
    bot, clock
):
    gateway = _gateway(bot)
    assert "Scheduled #1" in await _say(bot, GLOBEX, "schedule #general weekdays 16:30 UTC")
    assert "Scheduled #2" in await _say(
        bot, GLOBEX, "schedule #random weekdays 16:30 UTC", channel=RANDOM
    )
    await bot.run_due(clock.now() + timedelta(hours=9))
    assert sorted(gateway.buttons(GLOBEX)) == ["/narrate reply 1", "/narrate reply 2"]
    assert "Removed #2" in await _say(bot, GLOBEX, "schedule remove 2")
    out = await _say(bot, GLOBEX, "schedule #general daily 09:00 UTC")
    assert "Scheduled #3" in out  # #2 stays #random's removed prompt

    # #random's prompt is still in the channel: its button answers it, in #random.
    noted = await _form(bot, GLOBEX, "prompt-reply:2", "random thoughts on the importer")
    assert "readable by whoever reads #random" in noted
    noted = await _form(bot, GLOBEX, "prompt-reply:3", "general thoughts on the importer")
    assert "readable by whoever reads #general" in noted
    # A removed schedule that never posted has nothing to answer.
    await _say(bot, GLOBEX, "schedule #random daily 23:00 UTC", channel=RANDOM)  # #4
    assert "Removed #4" in await _say(bot, GLOBEX, "schedule remove 4")
    assert "There's no prompt #4" in await _say(bot, GLOBEX, "reply 4")
    assert "Scheduled #5" in await _say(bot, GLOBEX, "schedule #random daily 22:00 UTC")


async def test_reminders_and_introductions_jobs_take_no_number(bot, clock):
    await bot.run_due(clock.now())
    await _say(bot, ACME, "timezone Europe/Berlin", user="U2")
    assert "I'll remind you" in await _say(bot, ACME, "remind me weekdays 09:30", user="U2")
    await _say(bot, ACME, "remind off", user="U2")
    await _say(bot, ACME, "remind me weekdays 10:30", user="U2")
    await bot.run_due(clock.now())  # the introductions slot and its follow-up
    # Neither tells anyone how many reminders the workspace's people set.
    assert "Scheduled #1" in await _say(bot, ACME, "schedule #general weekdays 16:30 UTC")


async def test_two_prompts_added_in_one_flush_get_two_numbers(bot, clock, db: Database):
    """However a schedule is stored, it gets the next number (the insert hook), never one
    another schedule of the workspace has."""
    await _say(bot, ACME, "schedule #general weekdays 16:30 UTC")
    now = clock.now()
    async with db.transaction() as session:
        tenant = (
            await session.exec(select(Tenant).where(Tenant.external_id == ACME.tenant_id))
        ).one()
        assert tenant.id is not None
        [(first, channel)] = await store.schedules_of(
            session, tenant_id=tenant.id, kinds=["prompt"]
        )
        assert first.number == 1 and channel is not None
        rows = [
            Schedule(
                tenant_id=tenant.id,
                kind=kind,
                channel_pk=channel.id,
                days=1,
                local_time=f"1{i}:00",
                timezone="UTC",
                next_fire_at=now,
                created_at=now,
            )
            for i, kind in enumerate(("prompt", "digest", "intros"))
        ]
        session.add_all(rows)
        await session.flush()
        assert [r.number for r in rows] == [2, 3, None]
