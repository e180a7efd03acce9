"""Two replicas on one database: a forget-me confirmed on one while the same person's other
commands (a question, a preference, a setting) arrive on the other, in a private channel.

The narration paths already hold the person's row before writing for them
(``test_replica_races.py``); these commands did not. A who-knows question asked in a private
channel records its asker as a reader there, and on PostgreSQL that membership was written beside
the erasure and survived it: forget-me said everything was gone while a row with their user id
remained. The preference and profile commands failed outright instead (a foreign key or a
vanished row under their write). What a person may expect: once forget-me says it erased
everything, nothing about them is left, and the command sent at the same moment either ran
first (and was erased with the rest), was told plainly that the forget-me went first, or ran
entirely after it as a fresh start. PostgreSQL is how replicas share a database (ADR 0003); on
SQLite writers are serialized and the same assertions hold by construction.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import (
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
GENERAL = ChannelRef(channel_id="C1", name="general")
FORGOTTEN = "Your forget-me went through just as this arrived"
# A zone where START (08:00 UTC on the 23rd) is still the 22nd: an answer dated the 22nd was
# written for the person as stored before the erasure, one dated the 23rd for nobody known.
THEIR_ZONE = "Pacific/Pago_Pago"
THEIR_DAY, NOBODYS_DAY = "(2026-11-22, #general)", "(2026-11-23, #general)"


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


def _secret(n: int) -> ChannelRef:
    return ChannelRef(channel_id=f"G{n}", name=f"private-{n}", kind=ChannelKind.PRIVATE)


def _command(tenant: TenantRef, user: str, words: str, channel: ChannelRef) -> CommandInvoked:
    return CommandInvoked(
        event_id=f"race{next(_event_ids)}",
        tenant=tenant,
        user=UserRef(user_id=user, display_name=user),
        channel=channel,
        occurred_at=START,
        command="/narrate",
        text=words,
    )


def _said(answer: list[Reply] | BaseException) -> str:
    """What the person read: every reply, one per line; or how the command failed."""
    if isinstance(answer, BaseException):
        return f"raised {answer!r}"
    return "\n".join(reply.text for reply in answer)


async def _count(db: Database, query: str, **values: object) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(text(query), values)).scalar_one())


async def _traces(db: Database, tenant: TenantRef, user: str) -> dict[str, int]:
    """Every row about ``user`` in the workspace, looked up in the tables themselves. The
    person-linked tables are counted for the whole workspace: nobody else there writes to them."""
    where = {"external": tenant.tenant_id, "user": user}
    tenant_id = "(SELECT id FROM tenant WHERE external_id = :external)"
    found = {
        "person": f"SELECT COUNT(*) FROM person WHERE tenant_id = {tenant_id} AND user_id = :user",
        # By user id: a membership needs no person row, so it must be looked for on its own.
        "membership": "SELECT COUNT(*) FROM channel_member m JOIN channel c ON c.id = m.channel_pk"
        f" WHERE c.tenant_id = {tenant_id} AND m.user_id = :user",
        "preference": f"SELECT COUNT(*) FROM topic_preference WHERE tenant_id = {tenant_id}",
        "never_pair": f"SELECT COUNT(*) FROM intro_never_pair WHERE tenant_id = {tenant_id}",
        "reminder": f"SELECT COUNT(*) FROM schedule WHERE tenant_id = {tenant_id}"
        " AND person_id IS NOT NULL",
    }
    return {name: await _count(db, query, **where) for name, query in found.items()}


def _nothing(**kept: int) -> dict[str, int]:
    return {"person": 0, "membership": 0, "preference": 0, "never_pair": 0, "reminder": 0} | kept


async def _about_to_be_forgotten(bot: Bot, tenant: TenantRef) -> None:
    """U2 narrated about kafka where everyone may read it; U1, in their own time zone, narrated
    too and asked to be forgotten: the confirmation is what races."""
    await bot.handle(_command(tenant, "U2", "kafka consumer lag in billing", GENERAL))
    await bot.handle(_command(tenant, "U1", f"timezone {THEIR_ZONE}", GENERAL))
    await bot.handle(_command(tenant, "U1", "first narration about the ledger", GENERAL))
    await bot.handle(_command(tenant, "U1", "forget-me", GENERAL))


Expect = Callable[[str, dict[str, int]], dict[str, int] | None]


async def _race_forget_me(db: Database, bots: tuple[Bot, Bot], words: str, expect: Expect) -> None:
    """Round after round: forget-me confirmed on one replica while ``words`` arrives from the
    same person, in a private channel new to them, on the other. ``expect`` reads the racing
    command's reply (and may look at what is stored, to tell a fresh start) and says which rows
    about them may remain, or ``None`` for a reply they should never get. A round fails when
    either command fails, the forget-me doesn't say it erased everything, or the rows differ;
    all rounds run, so the failure says how many went wrong."""
    a, b = bots
    wrong: list[tuple[str, str, dict[str, int]]] = []
    for n in range(ROUNDS):
        tenant = _tenant(n)
        await _about_to_be_forgotten(a, tenant)
        confirmed, replied = map(
            _said,
            await asyncio.gather(
                a.handle(_command(tenant, "U1", "forget-me confirm", GENERAL)),
                b.handle(_command(tenant, "U1", words, _secret(n))),
                return_exceptions=True,
            ),
        )
        traces = await _traces(db, tenant, "U1")
        erased = confirmed.startswith("Done: I erased everything about you")
        if not erased or expect(replied, traces) != traces:
            wrong.append((confirmed, replied, traces))
    assert not wrong, f"{len(wrong)} of {ROUNDS} rounds went wrong: {wrong[:3]}"


async def test_forget_me_racing_a_question_in_a_private_channel_leaves_no_membership(
    db: Database, bots: tuple[Bot, Bot]
) -> None:
    """The defect as reported: the question's membership row outlived the erasure. The
    question is answered whichever came first."""

    def expect(answer: str, _: dict[str, int]) -> dict[str, int] | None:
        if not answer.startswith("Who knows about “kafka”:\n1. <@U2>"):
            return None
        if THEIR_DAY in answer:
            return _nothing()  # asked first: its membership was erased with the rest
        if FORGOTTEN in answer:
            return _nothing()  # the erasure went first: answered, and nothing recorded
        if NOBODYS_DAY in answer:
            # The forget-me had finished before the question was read: a fresh start, which
            # (as for anyone the bot doesn't know) records only who may read the channel.
            return _nothing(membership=1)
        return None

    await _race_forget_me(db, bots, "who kafka", expect)


async def test_forget_me_racing_ask_me_about_keeps_nothing_or_says_so(
    db: Database, bots: tuple[Bot, Bot]
) -> None:
    """A declared topic is a row linked to the person: it used to fail with a foreign-key
    error when the erasure won, instead of a plain answer."""

    def expect(answer: str, _: dict[str, int]) -> dict[str, int] | None:
        if answer.startswith(FORGOTTEN):
            return _nothing()
        if not answer.startswith("Got it: when someone asks about kafka"):
            return None
        if "You aren't enrolled yet" in answer:
            # Stored for someone new: the forget-me had finished, and this starts afresh.
            return _nothing(person=1, preference=1)
        return _nothing()  # stored for them as they were (enrolled), then erased with them

    await _race_forget_me(db, bots, "ask-me-about kafka", expect)


@pytest.mark.parametrize(
    ("words", "done"),
    [
        ("hide-me kafka", "Done: I won't name you when someone asks about kafka"),
        ("team payments", "Your team is now payments."),
        ("timezone Europe/Berlin", "Your time zone is now Europe/Berlin."),
        ("pause 3d", "Paused until"),
        ("never-pair <@U2>", "Done: I'll never introduce you to <@U2>."),
    ],
)
async def test_forget_me_racing_a_setting_keeps_nothing_or_says_so(
    db: Database, bots: tuple[Bot, Bot], words: str, done: str
) -> None:
    """Commands that store something on or beside the person's row. Each used to fail (a
    foreign key, or an update of a row deleted meanwhile) when the erasure came between its
    read and its write. Now it is done, or the person is told the forget-me went first and
    nothing was kept. A person row left behind is one the command created afresh after the
    erasure, and none of these records a membership."""

    def expect(answer: str, traces: dict[str, int]) -> dict[str, int] | None:
        if answer.startswith(FORGOTTEN):
            return _nothing()
        if not answer.startswith(done):
            return None
        fresh = traces["person"] == 1
        return _nothing(**{k: v for k, v in traces.items() if fresh and k != "membership"})

    await _race_forget_me(db, bots, words, expect)
