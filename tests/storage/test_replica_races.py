"""Two replicas on one database, two people (or one double click) at the same moment.

Each test runs two Bots over two ``Database`` objects on the same database and fires the two
commands together, many times over, then checks what the people would notice: every command
answered (no exception), what was confirmed stored, and nothing left after a forget-me.
PostgreSQL is how several replicas share one database (ADR 0003), and there the old
read-then-write code lost a command in most rounds; on SQLite the writers are serialized, so
the same assertions hold by construction.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import (
    ChannelDescribed,
    ChannelKind,
    ChannelRef,
    CommandInvoked,
    Platform,
    TenantRef,
    UserRef,
)
from narrate_bot.replies import Reply
from narrate_bot.storage.database import Database
from tests.conftest import START

ROUNDS = 25
_event_ids = itertools.count()


@pytest.fixture
async def bots(db: Database, clock: ManualClock) -> AsyncIterator[tuple[Bot, Bot]]:
    """Two replicas: the same database through two engines (two connection pools)."""
    other = Database(db.url)
    yield (
        Bot(db=db, clock=clock, settings=Settings()),
        Bot(db=other, clock=clock, settings=Settings()),
    )
    await other.dispose()


def _tenant(n: int) -> TenantRef:
    return TenantRef(platform=Platform.CONSOLE, tenant_id=f"T{n}", name=f"workspace {n}")


def _command(
    tenant: TenantRef, user: str, words: str, channel: ChannelRef, *, admin: bool = False
) -> CommandInvoked:
    return CommandInvoked(
        event_id=f"race{next(_event_ids)}",
        tenant=tenant,
        user=UserRef(user_id=user, display_name=user, is_admin=admin),
        channel=channel,
        occurred_at=START,
        command="/narrate",
        text=words,
    )


GENERAL = ChannelRef(channel_id="C1", name="general")


async def _both(first: Awaitable[list[Reply]], second: Awaitable[list[Reply]]) -> list[str]:
    """Both at once; each must be answered, so an exception fails the test right here."""
    answers = await asyncio.gather(first, second, return_exceptions=True)
    failed = [a for a in answers if isinstance(a, BaseException)]
    assert not failed, failed
    return [a[0].text for a in answers if not isinstance(a, BaseException)]


async def _count(db: Database, query: str, **values: object) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text(query), values)).scalar_one())


async def test_two_people_narrating_in_one_private_channel_both_keep_theirs(
    db: Database, bots: tuple[Bot, Bot]
) -> None:
    """Slack describes a private channel (its member list) before every command there; two
    commands on two replicas used to rewrite the list at once and one failed on a duplicate."""
    a, b = bots
    tenant = _tenant(1)
    readers = tuple(f"U{k}" for k in range(30))

    async def narrate(bot: Bot, channel: ChannelRef, user: str, words: str) -> list[Reply]:
        await bot.handle(
            ChannelDescribed(tenant=tenant, channel=channel, members=readers, occurred_at=START)
        )
        return await bot.handle(_command(tenant, user, words, channel))

    for n in range(ROUNDS):
        channel = ChannelRef(channel_id=f"G{n}", name=f"private-{n}", kind=ChannelKind.PRIVATE)
        await a.handle(
            ChannelDescribed(tenant=tenant, channel=channel, members=readers, occurred_at=START)
        )
        answers = await _both(
            narrate(a, channel, "U1", f"migrating the billing db, round {n}"),
            narrate(b, channel, "U2", f"fixing the ci cache, round {n}"),
        )
        assert all(answer.startswith("Noted as #") for answer in answers), answers

    assert await _count(db, "SELECT COUNT(*) FROM narration") == 2 * ROUNDS
    # Every private channel still knows exactly its 30 readers.
    assert await _count(db, "SELECT COUNT(*) FROM channel_member") == 30 * ROUNDS


async def test_two_admins_choosing_a_workspace_setting_for_the_first_time(
    db: Database, bots: tuple[Bot, Bot]
) -> None:
    a, b = bots
    for n in range(ROUNDS):
        tenant = _tenant(n)
        # The workspace is stored already (`mine` stores it; `help` reads nothing); otherwise
        # the two would queue on inserting it and never race on the setting.
        await a.handle(_command(tenant, "A1", "mine", GENERAL, admin=True))
        answers = await _both(
            a.handle(_command(tenant, "A1", "intros delivery dm", GENERAL, admin=True)),
            b.handle(_command(tenant, "A2", "intros delivery channel", GENERAL, admin=True)),
        )
        assert all(answer.startswith("Introductions will be delivered") for answer in answers)
    # One choice per workspace, whichever admin's came last.
    stored = "SELECT COUNT(*) FROM tenant_setting WHERE key = 'intros.delivery'"
    assert await _count(db, stored + " AND value IN ('dm', 'channel')") == ROUNDS


async def test_intros_join_clicked_twice_on_two_replicas(
    db: Database, bots: tuple[Bot, Bot]
) -> None:
    a, b = bots
    for n in range(ROUNDS):
        tenant = _tenant(n)
        await a.handle(_command(tenant, "U3", "on call this week", GENERAL))
        answers = await _both(
            a.handle(_command(tenant, "U3", "intros join", GENERAL)),
            b.handle(_command(tenant, "U3", "intros join", GENERAL)),
        )
        joined = [answer for answer in answers if answer.startswith("You're in the weekly")]
        assert len(joined) == 1, answers
        assert "You're already in the weekly introductions." in answers, answers
    assert await _count(db, "SELECT COUNT(*) FROM intro_participant") == ROUNDS


async def _traces(db: Database, tenant: TenantRef, user: str) -> tuple[int, int, int]:
    """What is stored about ``user`` in the workspace: person rows, narrations, memberships."""
    where = {"external": tenant.tenant_id, "user": user}
    tenant_id = "(SELECT id FROM tenant WHERE external_id = :external)"
    people = await _count(
        db,
        f"SELECT COUNT(*) FROM person WHERE tenant_id = {tenant_id} AND user_id = :user",
        **where,
    )
    # The workspace's: nobody else narrates in it.
    narrations = await _count(
        db, f"SELECT COUNT(*) FROM narration WHERE tenant_id = {tenant_id}", **where
    )
    # By user id: a membership needs no person row, so it must be looked for on its own.
    memberships = await _count(
        db,
        "SELECT COUNT(*) FROM channel_member m JOIN channel c ON c.id = m.channel_pk"
        f" WHERE c.tenant_id = {tenant_id} AND m.user_id = :user",
        **where,
    )
    return people, narrations, memberships


def _erased(confirmation: str) -> int:
    """How many narrations the forget-me said it erased."""
    assert confirmation.startswith("Done: I erased everything about you"), confirmation
    return int(confirmation.split("including ")[1].split()[0])


async def test_forget_me_racing_a_narration_leaves_nothing_and_tells_the_truth(
    db: Database, bots: tuple[Bot, Bot]
) -> None:
    """forget-me confirmed on one replica while the same person narrates, in a private channel
    new to them, on the other. Either order is fine; what each reply says must hold."""
    a, b = bots
    for n in range(ROUNDS):
        tenant = _tenant(n)
        secret = ChannelRef(channel_id=f"G{n}", name=f"private-{n}", kind=ChannelKind.PRIVATE)
        await a.handle(_command(tenant, "U1", "first narration about kafka", GENERAL))
        await a.handle(_command(tenant, "U1", "forget-me", GENERAL))
        confirmed, narrated = await _both(
            a.handle(_command(tenant, "U1", "forget-me confirm", GENERAL)),
            b.handle(_command(tenant, "U1", "secret plan about the reorg", secret)),
        )
        erased = _erased(confirmed)
        traces = await _traces(db, tenant, "U1")
        if narrated.startswith("Noted as #2"):
            # Stored first, then the forget-me erased it with the rest, and said so.
            assert (erased, traces) == (2, (0, 0, 0)), (confirmed, traces)
        elif narrated.startswith("Noted as #1"):
            # The forget-me had finished: a fresh start, kept as the reply says.
            assert (erased, traces) == (1, (1, 1, 1)), (confirmed, traces)
        else:
            # The forget-me won while the narration waited: nothing half-stored, and told so.
            assert narrated.startswith("Your forget-me went through just as this arrived"), narrated
            assert (erased, traces) == (1, (0, 0, 0)), (confirmed, traces)


async def test_forget_me_racing_a_prompt_reply_in_its_form_leaves_nothing(
    db: Database, bots: tuple[Bot, Bot]
) -> None:
    """The same race through a prompt's reply form: it writes a narration too, and used to
    fail with an error when the forget-me won."""
    from narrate_bot.events import FormSubmitted
    from narrate_bot.features.prompt_replies import REPLY_FORM

    a, b = bots
    for n in range(ROUNDS):
        tenant = _tenant(500 + n)
        await a.handle(_command(tenant, "U9", "schedule daily 10:00 UTC", GENERAL, admin=True))
        prompt = await _count(
            db,
            "SELECT s.number FROM schedule s JOIN tenant t ON t.id = s.tenant_id"
            " WHERE t.external_id = :t AND s.kind = 'prompt'",
            t=tenant.tenant_id,
        )
        await a.handle(_command(tenant, "U1", "first narration about kafka", GENERAL))
        await a.handle(_command(tenant, "U1", "forget-me", GENERAL))
        form = FormSubmitted(
            event_id=f"race{next(_event_ids)}",
            tenant=tenant,
            user=UserRef(user_id="U1", display_name="U1"),
            channel=GENERAL,
            occurred_at=START,
            form=f"{REPLY_FORM}{prompt}",
            fields={"text": "ledger migration done"},
        )
        confirmed, replied = await _both(
            a.handle(_command(tenant, "U1", "forget-me confirm", GENERAL)), b.handle(form)
        )
        erased = _erased(confirmed)
        people, narrations, _ = await _traces(db, tenant, "U1")
        if replied.startswith("Noted as #2"):
            assert (erased, people, narrations) == (2, 0, 0), (confirmed, replied)
        elif replied.startswith("Noted as #1"):
            assert (erased, people, narrations) == (1, 1, 1), (confirmed, replied)
        else:
            assert replied.startswith("Your forget-me went through just as this arrived"), replied
            assert (erased, people, narrations) == (1, 0, 0), (confirmed, replied)
