"""What a scheduled send says, composed at send time (so pause, leave and this week count)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..events import ChannelKind, Platform, TenantRef
from ..knowledge.topics import shows_a_subject
from ..replies import Button, Post
from ..storage import digest_copies as copies
from ..storage import repositories as repo
from ..storage import schedules as store
from ..storage.digest import questions_for_channel, week_for_channel
from ..storage.tables import Person, Tenant
from .consent import JOINED
from .digest_copies import QUESTIONS_HEADER
from .narrate import snippet
from .privacy import erasure_pending
from .prompt_wording import hears_replies, nudge_text, prompt_text, reminder_text

if TYPE_CHECKING:
    from ..app import Bot

WEEK = timedelta(days=7)
MAX_OVERLAPS = 3
MAX_QUESTIONS = 3


def reminder_key(channel_pk: int) -> str:
    """The workspace setting that turns a channel's single reminder on."""
    return f"schedule.reminder:{channel_pk}"


def tenant_ref(tenant: Tenant) -> TenantRef:
    """The stored workspace as its platform's gateway names it."""
    return TenantRef(
        platform=Platform(tenant.platform), tenant_id=tenant.external_id, name=tenant.name
    )


def prompt_button(number: int) -> Button:
    """A prompt's "Write my update": its schedule's number in the workspace, never the global
    id (``Schedule.number``), so the button shows nothing about other workspaces."""
    return Button(label="Write my update", command=f"/narrate reply {number}")


def available(person: Person | None, now: datetime) -> bool:
    """Taking part, not paused, not gone, not about to be forgotten: everything else is silence
    (checked at send time)."""
    return (
        person is not None
        and person.consent == JOINED
        and not erasure_pending(person, now)
        and (person.paused_until is None or person.paused_until <= now)
        and person.departed_at is None
    )


def may_hear(person: Person | None, now: datetime) -> bool:
    """Whether a queued reply may still be sent to the person it answers
    (``queued_replies``): not forgotten (nor about to be), not departed. Joining isn't asked,
    unlike ``available``: anyone may ask narrate-bot something. Nor is a pause: it stops what
    the bot says on its own (prompts, digests), not its answers to their own commands, which
    they get live while paused; a kept one was dropped without a word, their "Paused until…"
    among them."""
    return person is not None and not erasure_pending(person, now) and person.departed_at is None


async def compose(bot: Bot, item: store.Leased, *, now: datetime) -> Post | None:
    schedule, send, channel, person = item.schedule, item.send, item.channel, item.person
    assert schedule.id is not None
    if schedule.kind == "personal":
        if person is None or not available(person, now):
            return None
        heard = await hears_replies(bot.gateways, tenant_ref(item.tenant), ChannelKind.DIRECT)
        return Post(
            text=reminder_text(replies_heard=heard),
            to_users=(person.user_id,),
            buttons=(Button(label="Write my update", command="/narrate"),),
        )
    if channel is None:
        return None
    if schedule.kind == "prompt" and send.part == "main":
        heard = await hears_replies(
            bot.gateways, tenant_ref(item.tenant), ChannelKind(channel.kind)
        )
        return Post(
            text=prompt_text(channel.name, replies_heard=heard, question=schedule.question),
            channel_id=channel.channel_id,
            buttons=(prompt_button(schedule.number),) if schedule.number is not None else (),
        )
    if schedule.kind == "prompt" and send.part == "reminder":
        # Queued with the prompt, 3 h ahead: turning reminders off since then is honoured.
        assert channel.id is not None
        async with bot.db.transaction() as session:
            wanted = await repo.get_setting(
                session, tenant_id=schedule.tenant_id, key=reminder_key(channel.id)
            )
        if wanted is None:
            return None
        heard = await hears_replies(
            bot.gateways, tenant_ref(item.tenant), ChannelKind(channel.kind)
        )
        return Post(
            text=nudge_text(replies_heard=heard, question=schedule.question),
            channel_id=channel.channel_id,
        )
    if schedule.kind == "digest":
        return await _digest(bot, item, now=now, thread=send.part == "thread")
    return None


def still_asking(person: Person, now: datetime) -> bool:
    """Whether a question someone posted may be shown again in a digest: only while they take
    part, like everything a digest is built from. Not if they never joined (asking in the
    open-questions channel once isn't taking part), left narrate-bot, their account is gone or
    they asked to be forgotten. A paused person's question is still shown, unnamed."""
    return (
        person.consent == JOINED and person.departed_at is None and not erasure_pending(person, now)
    )


def _asking(person: Person, now: datetime, about: str) -> str:
    """A posted question as a digest lists it: nobody is named while on a break."""
    if available(person, now):
        return f"<@{person.user_id}> is looking for someone who knows about “{about}”"
    return f"Someone is looking for help with “{about}”"


async def _digest(bot: Bot, item: store.Leased, *, now: datetime, thread: bool) -> Post | None:
    """A short weekly thread: volume, cross-team overlaps, open questions. Never a roll-call."""
    channel = item.channel
    assert channel is not None and channel.id is not None
    tenant_id, since = item.tenant.id or 0, now - WEEK
    async with bot.db.transaction() as session:
        week = await week_for_channel(
            session,
            tenant_id=tenant_id,
            channel_pk=channel.id,
            since=since,
            until=now,
            shared=channel.shared,
        )
        asked = await questions_for_channel(
            session,
            tenant_id=tenant_id,
            channel_pk=channel.id,
            since=since,
            until=now,
            shared=channel.shared,
        )
    # Only the questions asked through the bot (/narrate ask-channel, the "couldn't find anyone"
    # button) and still open: a narration with a "?" in it ("What did I do today? Reviewed PRs")
    # is an update, not a question, and listing it would single its author out. Each says where
    # it was posted, the thread to answer in; a paused asker's goes unnamed.
    questions: list[tuple[str, Person | None, int | None]] = [
        (
            _asking(p, now, snippet(q.text)) + ("" if where == channel.name else f" (in #{where})"),
            p if available(p, now) else None,
            q.id,
        )
        for q, p, where in asked
        if still_asking(p, now)
    ][:MAX_QUESTIONS]
    if not week and not questions:
        return None  # a quiet week stays quiet
    if not thread:
        distinct = {t for _, _, ts in week for t in ts}
        volume = (
            f"{len(week)} narration{'s' if len(week) != 1 else ''} on {len(distinct)} topic"
            f"{'s' if len(distinct) != 1 else ''}. Overlaps and open questions are in the thread."
            if week
            else "no narrations, but open questions someone here could help with are in the thread."
        )
        return Post(
            text=f"This week, as #{channel.name} can see it: {volume}",
            channel_id=channel.channel_id,
        )
    teams: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for _, person, topics in week:
        for topic in topics:
            counts[topic] += 1
            if person.team:
                teams[topic].add(person.team)
    # A subject is worth a chat; "latest" or "wrong" both teams wrote is not (``shows_a_subject``).
    overlaps = sorted(
        (t for t in teams if len(teams[t]) > 1 and shows_a_subject(t)),
        key=lambda t: (-len(teams[t]), -counts[t], t),
    )[:MAX_OVERLAPS]
    lines: list[str] = []
    if overlaps:
        lines.append("Worked on by more than one team (worth a chat?):")
        lines += [f"• {t}: {', '.join(sorted(teams[t]))}" for t in overlaps]
    if questions:
        lines.append(QUESTIONS_HEADER)
        lines += [f"• {line}" for line, _, _ in questions]
    if not lines:
        lines.append("No cross-team overlaps or open questions this week.")
    post = Post(
        text="\n".join(lines),
        channel_id=channel.channel_id,
        names={p.user_id: p.display_name or p.user_id for _, p, _ in questions if p is not None},
    )
    if questions and item.send.id is not None:
        # Each line quotes a question and names its asker: withdrawing it or forgetting them
        # takes it back out of this post (``digest_copies``), which needs the post as posted.
        async with bot.db.transaction() as session:
            await copies.keep(
                session,
                send_id=item.send.id,
                post=post.model_dump_json(),
                alone=not week,
                lines=[(i, f"• {line}") for line, _, i in questions if i is not None],
            )
    return post
