"""``/narrate schedule …``: a channel's prompts, skip dates, reminder and digest (README
"Schedules").

Who may change a channel's schedule follows the platform's norms: anyone who can read the
channel (anyone for a public channel, members for a private one), unless an admin restricted it
to admins with ``/narrate schedule managers admins``. The same people set a prompt's own
question, when adding it or later with ``/narrate schedule question <number> …``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..events import ChannelKind
from ..knowledge.durations import parse_timezone, zone_spelling
from ..knowledge.fire_times import describe_days, next_fire, next_fire_outside, zone_named
from ..knowledge.schedule_words import (
    ChannelMention,
    Timing,
    parse_schedule,
)
from ..replies import Reply, quoted
from ..storage import repositories as repo
from ..storage import schedules as store
from ..storage import skip_dates
from ..storage.database import Session
from ..storage.schedule_tables import DIGEST, PROMPT, Schedule
from ..storage.tables import Channel, Tenant
from .channels import named_to
from .prompt_wording import MAX_QUESTION, clean_question, hears_replies
from .schedule_jobs import reminder_key
from .schedule_settings import MANAGERS_KEY, TENANT_ZONE_KEY, hhmm, next_text, restricted
from .turn import Turn
from .update_posts import OFF, updates_key

DIGEST_DEFAULT = Timing(days=1 << 4, at=time(16, 0), zone=None)  # Friday 16:00
MAX_PROMPTS_PER_CHANNEL = 3


async def _zone(turn: Turn, session: Session, tenant: Tenant, given: str | None) -> str:
    """The zone asked for, else the workspace's, else the actor's own, else UTC."""
    if given:
        return parse_timezone(given).key
    assert tenant.id is not None
    workspace = await repo.get_setting(session, tenant_id=tenant.id, key=TENANT_ZONE_KEY)
    if workspace:
        return workspace
    person = await repo.find_person(session, tenant_id=tenant.id, user_id=turn.event.user.user_id)
    return person.timezone if person is not None and person.timezone else "UTC"


async def _may_manage(turn: Turn, session: Session, tenant: Tenant, channel: Channel) -> str | None:
    if channel.kind == ChannelKind.DIRECT.value:
        return (
            "Prompts go to channels. For a reminder of your own, use "
            "/narrate remind me weekdays 16:30."
        )
    if turn.event.user.is_admin:
        return None
    if await restricted(session, tenant):
        return "In this workspace only admins change schedules (an admin chose that)."
    if channel.kind == ChannelKind.PRIVATE.value:
        assert channel.id is not None
        if not await repo.is_member(
            session, channel_pk=channel.id, user_id=turn.event.user.user_id
        ):
            return f"Only members of #{channel.name} can change its schedule."
    return None


async def _resolve(
    turn: Turn, session: Session, tenant: Tenant, mention: ChannelMention | None
) -> Channel | str:
    """The channel meant, or a friendly reason it can't be used."""
    here = turn.event.channel
    if (
        mention is None
        or mention.channel_id == here.channel_id
        or (mention.channel_id is None and mention.name in (here.name, here.channel_id))
    ):
        if turn.in_dm:
            return "Which channel? For example /narrate schedule #team weekdays 16:30."
        return await turn.channel(session, tenant)
    assert tenant.id is not None
    wanted = mention.channel_id or mention.name
    for found in await store.channels_named(session, tenant_id=tenant.id, key=wanted):
        # A private channel is named only to its members (and admins): anyone else gets the
        # reply an unknown name gets, so no one can probe which private channels exist.
        if found.kind != ChannelKind.PRIVATE.value or await _visible(turn, session, found):
            return found
    return (
        f"I haven't seen #{mention.name or wanted} yet. Run the command in that channel "
        "(after adding me there)."
    )


def _question_refused(typed: str, cleaned: str, *, nothing: str) -> str | None:
    """Why a prompt's question can't be kept, quoting it back so nothing typed is lost; ``None``
    when it can. ``nothing`` says what didn't happen ("Nothing was scheduled")."""
    if not cleaned:
        return (
            "That question has nothing left once mentions and links are taken out (a prompt "
            f"never pings anyone). {nothing}. Here is what you wrote:\n{quoted(typed)}"
        )
    if len(cleaned) > MAX_QUESTION:
        return (
            f"That question is {len(cleaned)} characters; a prompt's question can be at most "
            f"{MAX_QUESTION}, so it's read at a glance. {nothing}. Here it is to shorten:\n"
            f"{quoted(typed)}"
        )
    return None


async def schedule(turn: Turn, arg: str, *, fields: bool = False) -> list[Reply]:
    """``fields``: the platform's interface named the sub-command and gave each argument a
    field of its own (``CommandInvoked``), so a new prompt's timing ends where its field did."""
    try:
        request = parse_schedule(arg, zone_spelling=zone_spelling, fields=fields)
        if request.timing is not None and request.timing.zone is not None:
            parse_timezone(request.timing.zone)
    except ValueError as problem:
        return [turn.reply(str(problem))]
    question = clean_question(request.question) if request.question else None
    if request.question and (
        refusal := _question_refused(
            request.question,
            question or "",
            nothing="Nothing was scheduled" if request.action == "add" else "Nothing changed",
        )
    ):
        return [turn.reply(refusal)]
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        if request.action == "list":
            return [turn.reply(await _list(turn, session, tenant))]
        if request.action == "managers":
            if not turn.event.user.is_admin:
                return [turn.reply("Only workspace admins can choose who manages schedules.")]
            await repo.set_setting(
                session,
                tenant_id=tenant.id,
                key=MANAGERS_KEY,
                value="admins" if request.admins_only else None,
                now=turn.now,
            )
            who = "only admins" if request.admins_only else "channel members"
            return [turn.reply(f"From now on {who} can change schedules.")]
        if request.action == "remove":
            assert request.number is not None
            return [turn.reply(await _remove(turn, session, tenant, request.number))]
        if request.action == "question":
            assert request.number is not None
            asked = "" if request.question == "" else question
            return [turn.reply(await _question(turn, session, tenant, request.number, asked))]
        channel = await _resolve(turn, session, tenant, request.channel)
        if isinstance(channel, str):
            return [turn.reply(channel)]
        assert channel.id is not None
        if request.action == "skips":
            return [turn.reply(await _skips(turn, session, tenant, channel))]
        if request.action == "updates" and request.on is None:
            return [turn.reply(await _updates_shown(session, tenant, channel))]
        if (refusal := await _may_manage(turn, session, tenant, channel)) is not None:
            return [turn.reply(refusal)]
        if request.action == "skip":
            assert request.first_day is not None and request.last_day is not None
            if (passed := _passed_everywhere(request.last_day, turn.now)) is not None:
                return [turn.reply(passed)]
            first, last = request.first_day.isoformat(), request.last_day.isoformat()
            await store.add_skip(session, channel_pk=channel.id, first_day=first, last_day=last)
            span = _span(request.first_day, request.last_day, " to ")
            return [
                turn.reply(
                    f"No prompts in #{channel.name} on {span} (each in its own zone)."
                    f"{await _next_prompt(session, tenant, channel)} Undo with "
                    f"/narrate schedule unskip {_span(request.first_day, request.last_day)}"
                    f"{_naming(turn, channel)}."
                )
            ]
        if request.action == "unskip":
            assert request.first_day is not None and request.last_day is not None
            return [
                turn.reply(
                    await _unskip(
                        turn, session, tenant, channel, request.first_day, request.last_day
                    )
                )
            ]
        if request.action == "reminder":
            await repo.set_setting(
                session,
                tenant_id=tenant.id,
                key=reminder_key(channel.id),
                value="on" if request.on else None,
                now=turn.now,
            )
            if request.on:
                return [
                    turn.reply(
                        f"#{channel.name} now gets one gentle reminder in each prompt's thread, "
                        "3 hours after the prompt. It never names anyone."
                    )
                ]
            return [turn.reply(f"No more reminders in #{channel.name}: just the prompt.")]
        if request.action == "updates":
            await repo.set_setting(
                session,
                tenant_id=tenant.id,
                key=updates_key(channel.id),
                value=None if request.on else OFF,
                now=turn.now,
            )
            if request.on:
                return [
                    turn.reply(
                        f"Updates written with a prompt's “Write my update” form in "
                        f"#{channel.name} are posted in that prompt's thread, naming their "
                        "author (never one kept only for its author)."
                    )
                ]
            return [
                turn.reply(
                    f"Updates written with a prompt's form in #{channel.name} are no longer "
                    "posted in its thread: they are kept as narrations, as before. Back with "
                    f"/narrate schedule updates #{channel.name} thread."
                )
            ]
        if request.action == "digest":
            return [
                turn.reply(
                    await _digest(turn, session, tenant, channel, request.on, request.timing)
                )
            ]
        assert request.timing is not None
        added = await _add(turn, session, tenant, channel, request.timing, question)
    if isinstance(added, str):
        return [turn.reply(added)]
    # Asked only once the schedule is committed: a gateway may open a transaction of its own
    # (an app installed per workspace looks its token up), which on SQLite would wait for this
    # one's write lock while this one waits for it.
    heard = await hears_replies(turn.gateways, turn.event.tenant, added.kind)
    return [turn.reply(added.confirmation(replies_heard=heard))]


async def _updates_shown(session: Session, tenant: Tenant, channel: Channel) -> str:
    """``schedule updates [#channel]`` with no state: where form updates go now, and the
    command that changes it (the usage line said neither, only how to write the command)."""
    assert tenant.id is not None and channel.id is not None
    off = await repo.get_setting(session, tenant_id=tenant.id, key=updates_key(channel.id))
    if off:
        return (
            f"Updates written with a prompt's form in #{channel.name} aren't posted in its "
            "thread: they are kept as narrations only. To post them there: /narrate schedule "
            f"updates #{channel.name} thread."
        )
    return (
        f"Updates written with a prompt's “Write my update” form in #{channel.name} are posted "
        "in that prompt's thread, naming their author (the default). To stop: /narrate "
        f"schedule updates #{channel.name} off."
    )


@dataclass(frozen=True)
class _Added:
    """A prompt just scheduled; its confirmation says how answers are kept, which depends on
    what the platform lets the bot hear, asked after the transaction."""

    kind: ChannelKind
    channel_name: str
    scheduled: str

    def confirmation(self, *, replies_heard: bool) -> str:
        readers = f"readable by whoever reads #{self.channel_name}"
        if replies_heard:
            kept = f"Replies in its thread are kept as narrations, {readers}."
        else:
            kept = (
                f"Its “Write my update” button records updates as narrations, {readers}; I "
                "don't read replies in its thread."
            )
        return f"{self.scheduled} {kept}"


async def _add(
    turn: Turn,
    session: Session,
    tenant: Tenant,
    channel: Channel,
    timing: Timing,
    question: str | None,
) -> _Added | str:
    assert tenant.id is not None and channel.id is not None
    zone = await _zone(turn, session, tenant, timing.zone)
    existing = await store.schedules_of(
        session, tenant_id=tenant.id, kinds=[PROMPT], channel_pk=channel.id
    )
    for row, _ in existing:
        if (row.days, row.local_time, row.timezone) == (timing.days, hhmm(timing.at), zone):
            if question is not None and question != row.question:
                return (
                    f"That's already scheduled as #{row.number}; to change what it asks: "
                    f"/narrate schedule question {row.number} {question}"
                )
            return f"That's already scheduled as #{row.number}."
    if len(existing) >= MAX_PROMPTS_PER_CHANNEL:
        return (
            f"#{channel.name} already has {len(existing)} prompts; remove one first "
            "(/narrate schedule list shows them). Fewer prompts get better answers."
        )
    row = await _store_schedule(
        turn, session, tenant, channel, kind=PROMPT, timing=timing, zone=zone, question=question
    )
    asks = f" It asks: “{question}”" if question else ""
    return _Added(
        kind=ChannelKind(channel.kind),
        channel_name=channel.name,
        scheduled=(
            f"Scheduled #{row.number}: a prompt in #{channel.name}, {describe_days(timing.days)} "
            f"at {hhmm(timing.at)} ({zone}).{asks} Next one: {await _next_of(session, row)}."
        ),
    )


async def _digest(
    turn: Turn,
    session: Session,
    tenant: Tenant,
    channel: Channel,
    on: bool | None,
    timing: Timing | None,
) -> str:
    assert tenant.id is not None and channel.id is not None
    existing = await store.schedules_of(
        session, tenant_id=tenant.id, kinds=[DIGEST], channel_pk=channel.id
    )
    await store.delete_schedules(session, ids=[row.id for row, _ in existing if row.id])
    if not on:
        return f"No weekly digest in #{channel.name}."
    timing = timing or DIGEST_DEFAULT
    zone = await _zone(turn, session, tenant, timing.zone)
    row = await _store_schedule(
        turn, session, tenant, channel, kind=DIGEST, timing=timing, zone=zone
    )
    return (
        f"#{channel.name} gets a weekly digest, {describe_days(timing.days)} at "
        f"{hhmm(timing.at)} ({zone}): cross-team overlaps and open questions from what this "
        f"channel may read. Never a list of who wrote. First: {next_text(row.next_fire_at, zone)}."
    )


async def _visible(turn: Turn, session: Session, channel: Channel | None) -> bool:
    return channel is not None and await named_to(session, channel, turn.event.user)


async def _list(turn: Turn, session: Session, tenant: Tenant) -> str:
    assert tenant.id is not None
    rows = await store.schedules_of(session, tenant_id=tenant.id, kinds=[PROMPT, DIGEST])
    lines: list[str] = []
    numbers: list[int] = []
    today = turn.now.date().isoformat()
    for row, channel in rows:
        if channel is None or not await _visible(turn, session, channel):
            continue
        what = "prompt" if row.kind == PROMPT else "weekly digest"
        extra, upcoming = "", next_text(row.next_fire_at, row.timezone)
        if row.kind == PROMPT:
            assert channel.id is not None
            if await repo.get_setting(session, tenant_id=tenant.id, key=reminder_key(channel.id)):
                extra += ", reminder on"
            if await repo.get_setting(session, tenant_id=tenant.id, key=updates_key(channel.id)):
                extra += ", form updates not posted"
            skips = await store.skips_of(session, channel_pk=channel.id, from_day=today)
            if skips:
                extra += ", skips " + ", ".join(
                    s.first_day if s.first_day == s.last_day else f"{s.first_day}..{s.last_day}"
                    for s in skips
                )
            upcoming = await _next_of(session, row)
            if row.question:
                extra += f", asks “{row.question}”"
        if row.number is not None:
            numbers.append(row.number)
        lines.append(
            f"#{row.number}  #{channel.name}  {what} {describe_days(row.days)} {row.local_time} "
            f"{row.timezone}{extra}; next {upcoming}"
        )
    if not lines:
        return "No prompts are scheduled. /narrate schedule #channel weekdays 16:30 sets one up."
    # A real number from the list: "<id>" left people guessing which of the numbers on a line
    # (the #number, the time, the date) the command takes.
    how = (
        f"/narrate schedule remove {numbers[0]} removes #{numbers[0]}"
        if numbers
        else "/narrate schedule remove <number>"
    )
    return "Scheduled:\n" + "\n".join(lines) + f"\nRemove one by its number: {how}."


def _naming(turn: Turn, channel: Channel) -> str:
    """The channel, as ' #team', to append to a suggested command when it isn't the channel
    the command was typed in: a suggestion is run where it is read, so without the name it
    would act on (or report) the wrong channel."""
    return "" if channel.channel_id == turn.event.channel.channel_id else f" #{channel.name}"


def _span(first: date, last: date, between: str = "..") -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}{between}{last.isoformat()}"


async def _skipped(session: Session, channel_pk: int) -> list[tuple[date, date]]:
    ranges = (await store.skip_days(session, channel_pks=[channel_pk]))[channel_pk]
    return [(date.fromisoformat(first), date.fromisoformat(last)) for first, last in ranges]


async def _next_fire_of(session: Session, row: Schedule) -> datetime | None:
    """A prompt's next post: the first fire on a day no skip covers (a skipped slot posts
    nothing, so naming it would promise a prompt that never comes)."""
    if row.kind != PROMPT or row.channel_pk is None:
        return row.next_fire_at
    fire = next_fire_outside(
        row.next_fire_at - timedelta(microseconds=1),
        days=row.days,
        at=time.fromisoformat(row.local_time),
        zone=zone_named(row.timezone),
        skipped=await _skipped(session, row.channel_pk),
    )
    return fire.at if fire is not None else None


async def _next_of(session: Session, row: Schedule) -> str:
    when = await _next_fire_of(session, row)
    return next_text(when, row.timezone) if when else "none for now: every one is skipped"


async def _next_prompt(session: Session, tenant: Tenant, channel: Channel) -> str:
    """ " Next prompt: …." for a channel with prompts, else nothing: after a skip changes, so a
    mistyped date shows at once."""
    assert tenant.id is not None and channel.id is not None
    rows = await store.schedules_of(
        session, tenant_id=tenant.id, kinds=[PROMPT], channel_pk=channel.id
    )
    upcoming = [
        (when, row) for row, _ in rows if (when := await _next_fire_of(session, row)) is not None
    ]
    if not upcoming:
        return " No prompt comes while the skips last." if rows else ""
    when, row = min(upcoming, key=lambda pair: pair[0])
    return f" Next prompt: {next_text(when, row.timezone)}."


async def _skips(turn: Turn, session: Session, tenant: Tenant, channel: Channel) -> str:
    assert channel.id is not None
    skips = await store.skips_of(
        session, channel_pk=channel.id, from_day=turn.now.date().isoformat()
    )
    if not skips:
        return (
            f"No skipped days in #{channel.name}. /narrate schedule skip 2026-12-24..2026-12-26"
            f"{_naming(turn, channel)} adds some."
        )
    spans = ", ".join(
        _span(date.fromisoformat(s.first_day), date.fromisoformat(s.last_day)) for s in skips
    )
    example = _span(date.fromisoformat(skips[0].first_day), date.fromisoformat(skips[0].last_day))
    return (
        f"No prompts in #{channel.name} on {spans}.{await _next_prompt(session, tenant, channel)} "
        f"Take days back with /narrate schedule unskip {example}{_naming(turn, channel)} "
        "(or some of its days)."
    )


# The last time zone to finish a day is UTC-12: a day has passed everywhere 12 hours after
# it ended in UTC.
_LAST_ZONE = timedelta(hours=12)


def _passed_everywhere(last_day: date, now: datetime) -> str | None:
    """Why a skip of days that are over in every zone is refused: "schedule skip 1999-01-01"
    was stored and confirmed, skipping nothing."""
    if last_day >= (now.astimezone(ZoneInfo("UTC")) - _LAST_ZONE).date():
        return None
    later = (now.date() + timedelta(days=7)).isoformat()
    return (
        f"{last_day.isoformat()} has already passed, so there's no prompt to skip. Skip today "
        f"or a later day, like /narrate schedule skip {later}. Nothing was changed."
    )


async def _unskip(
    turn: Turn, session: Session, tenant: Tenant, channel: Channel, first: date, last: date
) -> str:
    assert tenant.id is not None and channel.id is not None
    await repo.hold_tenant(session, tenant_id=tenant.id)
    span = _span(first, last, " to ")
    if not await skip_dates.unskip(session, channel_pk=channel.id, first_day=first, last_day=last):
        return (
            f"#{channel.name} has no skipped days on {span}, so nothing changed. "
            f"/narrate schedule skips{_naming(turn, channel)} lists them."
        )
    left = await store.skips_of(
        session, channel_pk=channel.id, from_day=turn.now.date().isoformat()
    )
    still = ""
    if left:
        still = (
            " Still skipped: "
            + ", ".join(
                _span(date.fromisoformat(s.first_day), date.fromisoformat(s.last_day)) for s in left
            )
            + "."
        )
    return (
        f"Prompts in #{channel.name} are back on {span}.{still}"
        f"{await _next_prompt(session, tenant, channel)}"
    )


async def _remove(turn: Turn, session: Session, tenant: Tenant, number: int) -> str:
    assert tenant.id is not None
    found = await store.get_schedule(session, tenant_id=tenant.id, number=number)
    if found is None or found[0].kind not in (PROMPT, DIGEST) or found[1] is None:
        return f"There's no schedule #{number}. /narrate schedule list shows them."
    row, channel = found
    if channel is None or not await _visible(turn, session, channel):
        return f"There's no schedule #{number}. /narrate schedule list shows them."
    if (refusal := await _may_manage(turn, session, tenant, channel)) is not None:
        return refusal
    assert row.id is not None
    await store.delete_schedules(session, ids=[row.id])
    what = "prompts" if row.kind == PROMPT else "digests"
    return f"Removed #{number}: no more {what} in #{channel.name} from it."


async def _question(
    turn: Turn, session: Session, tenant: Tenant, number: int, question: str | None
) -> str:
    """Show (``""``), set, or with ``None`` clear prompt ``number``'s own question, for the
    people who may manage it (showing it: for whoever sees the schedule in the list)."""
    assert tenant.id is not None
    found = await store.get_schedule(session, tenant_id=tenant.id, number=number)
    channel = found[1] if found is not None else None
    if found is None or channel is None or not await _visible(turn, session, channel):
        return f"There's no schedule #{number}. /narrate schedule list shows them."
    row = found[0]
    if row.kind != PROMPT:
        return f"#{number} is a weekly digest, which asks nothing; a question is a prompt's."
    if question == "":
        asks = f"“{row.question}”" if row.question else "the default question"
        return (
            f"Prompt #{number} in #{channel.name} asks {asks}. Change it with /narrate schedule "
            f"question {number} <question>, or back to the default with /narrate schedule "
            f"question {number} default."
        )
    if (refusal := await _may_manage(turn, session, tenant, channel)) is not None:
        return refusal
    row.question = question
    session.add(row)
    if question is None:
        return (
            f"Prompt #{number} in #{channel.name} asks the default question again, from its "
            "next post."
        )
    return (
        f"From its next post, prompt #{number} in #{channel.name} asks: “{question}” (its "
        f"reminder and “Write my update” form too). Back to the default with /narrate schedule "
        f"question {number} default."
    )


async def _store_schedule(
    turn: Turn,
    session: Session,
    tenant: Tenant,
    channel: Channel,
    *,
    kind: str,
    timing: Timing,
    zone: str,
    question: str | None = None,
) -> Schedule:
    """Store a channel schedule with its first fire time computed in its own zone."""
    assert tenant.id is not None and channel.id is not None
    fire = next_fire(turn.now, days=timing.days, at=timing.at, zone=ZoneInfo(zone))
    return await store.add_schedule(
        session,
        Schedule(
            tenant_id=tenant.id,
            kind=kind,
            channel_pk=channel.id,
            days=timing.days,
            local_time=hhmm(timing.at),
            timezone=zone,
            next_fire_at=fire.at,
            created_at=turn.now,
            question=question,
        ),
    )
