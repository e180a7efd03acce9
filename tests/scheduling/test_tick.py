"""The tick against a real database: catch-up after downtime, grace, stalls, retries, the
weekly introductions slot (and the platform's access refresh before it). Jobs are called
directly with a frozen clock."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot.config import Settings
from narrate_bot.events import Platform, TenantRef
from narrate_bot.features.schedule_jobs import tick
from narrate_bot.replies import Post
from tests.scheduling.support import Recorder, add_channel_prompts

BERLIN = "Europe/Berlin"
MONDAY_0800_UTC = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 Berlin


def _bot(db, now: datetime, **settings) -> tuple[Bot, Recorder]:
    clock = ManualClock(now)
    bot = Bot(db=db, clock=clock, settings=Settings(**settings))
    recorder = Recorder(clock=clock)
    bot.gateways[Platform.CONSOLE] = recorder
    return bot, recorder


async def _tick(bot: Bot, now: datetime):
    bot.clock.set(now)  # type: ignore[attr-defined]
    return await tick(bot, now)


async def _statuses(db) -> list[tuple[str, str, str]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT slot, part, status FROM schedule_send ORDER BY slot, part")
        )
        return [(r[0], r[1], r[2]) for r in rows]


async def test_after_three_days_down_one_catch_up_per_schedule_within_grace(db):
    start = MONDAY_0800_UTC - timedelta(hours=1)
    await add_channel_prompts(
        db, count=3, days="daily", at="09:00", zone="Europe/Berlin", now=start
    )
    bot, recorder = _bot(db, start, schedule_grace_minutes=120)
    await _tick(bot, start)  # nothing due yet
    assert recorder.posts == []
    # Down from Monday 08:00 until Thursday 10:00 Berlin (an hour after Thursday's prompt time).
    back = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    report = await _tick(bot, back)
    assert report.sent == 3 and len(recorder.posts) == 3
    assert {slot for slot, _, _ in await _statuses(db)} == {"2026-11-26"}
    # Ticking again sends nothing more: the catch-up is the only one.
    assert (await _tick(bot, back + timedelta(minutes=1))).sent == 0
    assert (await _tick(bot, back + timedelta(days=1))).sent == 3  # Friday, on time


async def test_nothing_stale_past_the_grace_period(db):
    start = MONDAY_0800_UTC - timedelta(hours=1)
    await add_channel_prompts(
        db, count=2, days="daily", at="09:00", zone="Europe/Berlin", now=start
    )
    bot, recorder = _bot(db, start, schedule_grace_minutes=120)
    # Back on Thursday at 15:00 Berlin: six hours after the prompt time, past the two-hour grace.
    back = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    report = await _tick(bot, back)
    assert report.claimed == 0 and recorder.posts == []
    # The next one is Friday 09:00 Berlin, on time.
    await _tick(bot, datetime(2026, 11, 27, 8, 0, 5, tzinfo=UTC))
    assert [when for when, _ in recorder.posts] == [datetime(2026, 11, 27, 8, 0, 5, tzinfo=UTC)] * 2


async def test_a_ten_second_stall_skips_nothing(db):
    start = MONDAY_0800_UTC - timedelta(minutes=5)
    await add_channel_prompts(
        db, count=5, days="daily", at="09:00", zone="Europe/Berlin", now=start
    )
    bot, recorder = _bot(db, start)
    await _tick(bot, MONDAY_0800_UTC - timedelta(seconds=1))
    assert recorder.posts == []
    # The loop was blocked: the wake-up meant for 09:00:00 arrives at 09:00:10.
    assert (await _tick(bot, MONDAY_0800_UTC + timedelta(seconds=10))).sent == 5


async def test_a_failed_post_is_retried_and_sent_once(db):
    start = MONDAY_0800_UTC - timedelta(minutes=5)
    await add_channel_prompts(
        db, count=1, days="daily", at="09:00", zone="Europe/Berlin", now=start
    )
    bot, recorder = _bot(db, start)
    recorder.fail = 2
    assert (await _tick(bot, MONDAY_0800_UTC)).sent == 0
    assert (await _tick(bot, MONDAY_0800_UTC + timedelta(seconds=30))).sent == 0  # backing off
    assert (await _tick(bot, MONDAY_0800_UTC + timedelta(minutes=1))).sent == 0  # fails again
    assert (await _tick(bot, MONDAY_0800_UTC + timedelta(minutes=3))).sent == 1
    assert len(recorder.posts) == 1
    assert await _statuses(db) == [("2026-11-23", "main", "sent")]


async def test_a_send_nobody_can_deliver_is_given_up_after_a_few_tries(db):
    start = MONDAY_0800_UTC - timedelta(minutes=5)
    await add_channel_prompts(
        db, count=1, days="daily", at="09:00", zone="Europe/Berlin", now=start
    )
    bot, recorder = _bot(db, start)
    recorder.fail = 100
    now = MONDAY_0800_UTC
    for _ in range(12):
        await _tick(bot, now)
        now += timedelta(minutes=5)
    assert await _statuses(db) == [("2026-11-23", "main", "failed")]


class FakeIntroductions:
    """Stands in for the connections feature (branch i5intros): records each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, datetime]] = []

    async def weekly(self, *, tenant: TenantRef, now: datetime) -> list[Post]:
        self.calls.append(("weekly", tenant.tenant_id, now))
        return [
            Post(text="<@ana>, meet <@ben>", to_users=("ana", "ben")),
            Post(text="This week's introductions are out.", channel_id="intros"),
        ]

    async def follow_up(self, *, tenant: TenantRef, now: datetime) -> list[Post]:
        self.calls.append(("follow_up", tenant.tenant_id, now))
        return [Post(text="Did you meet?", to_users=("ana", "ben"))]


async def test_weekly_introductions_run_once_per_slot_and_every_post_is_delivered_once(db):
    sunday = datetime(2026, 11, 22, 12, tzinfo=UTC)
    bot, recorder = _bot(db, sunday)
    intros = FakeIntroductions()
    bot.introductions = intros
    # A workspace exists; it gets the default slot (Monday 10:00, UTC without a workspace zone).
    await add_channel_prompts(db, count=1, days="daily", at="23:59", zone="UTC", now=sunday)
    await _tick(bot, sunday)
    monday_ten = datetime(2026, 11, 23, 10, tzinfo=UTC)
    await _tick(bot, monday_ten)
    await _tick(bot, monday_ten + timedelta(seconds=30))
    assert [c[0] for c in intros.calls] == ["weekly"]
    assert intros.calls[0][2] == monday_ten
    texts = [p.text for _, p in recorder.posts]
    assert texts.count("<@ana>, meet <@ben>") == 1
    assert texts.count("This week's introductions are out.") == 1
    await _tick(bot, datetime(2026, 11, 26, 10, 0, 1, tzinfo=UTC))  # Thursday
    assert [c[0] for c in intros.calls] == ["weekly", "follow_up"]
    assert [p.text for _, p in recorder.posts].count("Did you meet?") == 1


async def test_without_the_introductions_feature_the_job_does_nothing(db):
    sunday = datetime(2026, 11, 22, 12, tzinfo=UTC)
    bot, recorder = _bot(db, sunday)
    bot.introductions = None  # a bot composed without the connections feature
    await add_channel_prompts(db, count=1, days="daily", at="23:59", zone="UTC", now=sunday)
    for day in range(8):
        await _tick(bot, sunday + timedelta(days=day, hours=-1))
    assert all("meet" not in p.text for _, p in recorder.posts)
    async with db.engine.connect() as conn:
        kinds = (await conn.execute(text("SELECT DISTINCT kind FROM schedule"))).scalars().all()
    assert kinds == ["prompt"]


async def test_intros_schedule_command_moves_the_slot_to_the_workspace_zone(chat, bot, clock):
    intros = FakeIntroductions()
    bot.introductions = intros
    out = await chat.say("alice: /narrate workspace-timezone Asia/Tokyo")
    assert "now Asia/Tokyo" in out
    out = await chat.say("alice: /narrate intros schedule tue 09:15")
    assert "tue at 09:15 (Asia/Tokyo), with a follow-up fri at 09:15" in out
    await chat.say(":clock 2026-11-24T09:20:00+09:00")
    assert [c[0] for c in intros.calls] == ["weekly"]
    assert intros.calls[0][2] == datetime(2026, 11, 24, 0, 15, tzinfo=UTC)
    assert "isn't a day I know" in await chat.say("alice: /narrate intros schedule someday 10:00")
    assert "one day" in await chat.say("alice: /narrate intros schedule weekdays 10:00")


async def test_admins_can_restrict_schedule_changes_to_admins(bot, clock):
    from narrate_bot.events import ChannelRef, CommandInvoked, UserRef

    def command(text_: str, *, admin: bool) -> CommandInvoked:
        return CommandInvoked(
            event_id=f"e-{text_}-{admin}",
            tenant=TenantRef(platform=Platform.SLACK, tenant_id="T1"),
            user=UserRef(user_id="UA" if admin else "UM", display_name="x", is_admin=admin),
            channel=ChannelRef(channel_id="C1", name="team"),
            occurred_at=clock.now(),
            command="narrate",
            text=text_,
        )

    [reply] = await bot.handle(command("schedule managers admins", admin=False))
    assert "Only workspace admins" in reply.text
    [reply] = await bot.handle(command("schedule managers admins", admin=True))
    assert "only admins" in reply.text
    [reply] = await bot.handle(command("schedule weekdays 16:30", admin=False))
    assert "only admins change schedules" in reply.text
    [reply] = await bot.handle(command("schedule <#C1|team> weekdays 16:30 UTC", admin=True))
    assert "Scheduled #1: a prompt in #team" in reply.text
    [reply] = await bot.handle(command("schedule remove 1", admin=False))
    assert "only admins" in reply.text


async def test_a_new_workspace_gets_the_default_monday_slot_and_thursday_follow_up(chat, bot):
    intros = FakeIntroductions()
    bot.introductions = intros
    await chat.say("alice: /narrate hello")  # the workspace now exists; the clock: Mon 08:00 UTC
    out = await chat.say(":clock 2026-11-30T10:30:00+00:00")
    assert [(kind, when.isoformat()) for kind, _, when in intros.calls] == [
        ("weekly", "2026-11-23T10:00:00+00:00"),
        ("follow_up", "2026-11-26T10:00:00+00:00"),
        ("weekly", "2026-11-30T10:00:00+00:00"),
    ]
    assert out.count("[dm ana,ben] @ana, meet @ben") == 2


@dataclass
class RefreshingGateway(Recorder):
    """A ChatGateway that is also an ``AccessRefresher``, noting each refresh in ``log``."""

    log: list[tuple[str, object]] = field(default_factory=list)
    broken: bool = False

    async def refresh_access(self, tenant: TenantRef, user_ids: Sequence[str]) -> None:
        self.log.append(("refresh", sorted(user_ids)))
        if self.broken:
            raise ConnectionError("zanzibar")  # must not reach the log


class OrderedIntroductions(FakeIntroductions):
    def __init__(self, log: list[tuple[str, object]]) -> None:
        super().__init__()
        self.log = log

    async def weekly(self, *, tenant: TenantRef, now: datetime) -> list[Post]:
        self.log.append(("weekly", tenant.tenant_id))
        return await super().weekly(tenant=tenant, now=now)

    async def follow_up(self, *, tenant: TenantRef, now: datetime) -> list[Post]:
        self.log.append(("follow_up", tenant.tenant_id))
        return await super().follow_up(tenant=tenant, now=now)


async def _participants_then_gateway(chat, bot: Bot, *, broken: bool) -> RefreshingGateway:
    """alice and bob take part and read #secret; frank takes part and reads no private channel
    (nothing of his can be stale, so he costs no lookup); carol joined but never narrated; dan
    narrated but never joined."""
    await chat.say(
        ":channel #secret private alice,bob,dan",
        "frank: /narrate intros join",
        "frank: /narrate kafka partitions",
        "alice: /narrate intros join",
        "alice: /narrate kafka lag",
        "bob: /narrate intros join",
        "bob: /narrate kafka consumers",
        "carol: /narrate intros join",
        "dan: /narrate kafka topics",
    )
    gateway = RefreshingGateway(clock=bot.clock, broken=broken)
    bot.gateways[Platform.CONSOLE] = gateway
    bot.introductions = OrderedIntroductions(gateway.log)
    return gateway


async def test_access_is_refreshed_for_the_participants_before_the_weekly_run_only(
    chat, bot: Bot, clock
):
    gateway = await _participants_then_gateway(chat, bot, broken=False)
    await _tick(bot, clock.now())
    await _tick(bot, datetime(2026, 11, 23, 10, tzinfo=UTC))  # the default slot
    assert gateway.log == [("refresh", ["alice", "bob"]), ("weekly", "local")]
    await _tick(bot, datetime(2026, 11, 26, 10, 0, 1, tzinfo=UTC))  # Thursday's follow-up
    assert gateway.log[2:] == [("follow_up", "local")]


async def test_a_failed_refresh_is_logged_and_the_introductions_still_go_out(
    chat, bot: Bot, clock, caplog
):
    gateway = await _participants_then_gateway(chat, bot, broken=True)
    await _tick(bot, clock.now())
    with caplog.at_level(logging.WARNING, logger="narrate_bot.features.schedule_jobs"):
        await _tick(bot, datetime(2026, 11, 23, 10, tzinfo=UTC))
    assert gateway.log == [("refresh", ["alice", "bob"]), ("weekly", "local")]
    assert "<@ana>, meet <@ben>" in [p.text for _, p in gateway.posts]
    [warning] = [r for r in caplog.records if "refreshing" in r.getMessage()]
    assert warning.levelno == logging.WARNING
    assert "ConnectionError" in warning.getMessage()
    assert "zanzibar" not in caplog.text
