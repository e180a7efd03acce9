"""When nobody is found: offer to post the question to the workspace's open-questions channel.

The channel is a workspace setting. Anyone may choose it while none is set (so a small team gets
going without hunting for an admin); once set, only workspace admins (``UserRef.is_admin``) may
change or clear it, so one person can't quietly redirect everyone's questions.

Posting reveals only what the asker wrote (their question, and that they asked): never the
evidence, the people considered, or anything from the channel the question was asked in.

A question goes only to the channel the asker was shown: the offer's button names it
(``/narrate ask-channel <#C123> question``), and a click after an admin moved the setting
offers the new channel instead of posting there. A command without a channel (typed, or a
button from before buttons carried one) is offered the same way, so nobody's question lands in
a channel they never saw named.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ..channel_names import GROUP_DM, shown
from ..events import ChannelKind
from ..knowledge.clean_text import without_mentions
from ..knowledge.words import without_links
from ..ports import CannotPostThere, ChannelLookup, ChannelPresence, PermissionsMissing
from ..questions import parse_question, unsearchable
from ..replies import Button, Post, Reply, quoted
from ..storage import channel_sharing, expertise_repo, question_repo
from ..storage import repositories as repo
from ..storage.database import Session
from ..storage.tables import Channel
from . import question_posts
from .channels import named_channel, named_to, not_seen
from .turn import Turn

log = logging.getLogger(__name__)

QUESTIONS_CHANNEL = "who_knows.questions_channel"
ASK_CHANNEL_COMMAND = "/narrate ask-channel"
MAX_QUESTION = 300
_CLEAR_WORDS = {"off", "none", "clear", "unset"}
_CHANNEL_MENTION = re.compile(r"^<#(?P<id>[A-Za-z0-9_\-]+)(?:\|(?P<name>[^>]*))?>$")
_CHANNEL_NAME = re.compile(r"^#?(?P<name>[\w\-.]{1,80})$")
# The channel a question is for, first in the command: the button's ``<#C123>``, or ``#name``.
_LEADING_MENTION = re.compile(r"^\s*<#(?P<id>[A-Za-z0-9_\-]+)(?:\|[^>]*)?>\s*")
_LEADING_NAME = re.compile(r"^\s*#(?P<name>[\w\-.]{1,80})(?:\s+|$)")
# A second click, or a platform's retry of one, within this long posts nothing new.
REPEAT_WINDOW = question_posts.POSTING_WINDOW


@dataclass(frozen=True)
class Offer:
    text: str
    buttons: tuple[Button, ...] = ()
    # Not offered because of what the channel's row says (shared, archived, the bot gone),
    # which only the platform's events correct: ``confirmed`` asks the platform, then offers
    # again from its answer.
    unsure: bool = False


@dataclass(frozen=True)
class _AskFirst:
    """A refusal that rests on the stored flags of ``channel_id``: the platform is asked about
    it (``_ask_platform``) before refusing."""

    tenant_id: int
    channel_id: str


def _how_to_set() -> str:
    return (
        "No open-questions channel is set up yet, so I can't pass it on. Anyone can choose one "
        "with /narrate questions-channel #channel (after that, only admins can change it)."
    )


async def _configured(session: Session, *, tenant_id: int) -> Channel | None:
    channel_id = await repo.get_setting(session, tenant_id=tenant_id, key=QUESTIONS_CHANNEL)
    if channel_id is None:
        return None
    return await expertise_repo.find_channel(
        session, tenant_id=tenant_id, channel_id=channel_id, name=None
    )


# A guest, or someone from another organisation in a shared channel, would otherwise choose
# where the workspace's members put their questions (and might point them at a channel of theirs).
GUESTS_DONT_CHOOSE = (
    "The open-questions channel is chosen by the workspace's members, and your account is a "
    "guest or from another organisation here, so I can't change it for you. Nothing was changed."
)
# Said instead of an offer when the open-questions channel is private and the asker isn't in
# it: a question posted there would get its answers where the asker can't read them.
NOT_YOURS = (
    "The open-questions channel is private and you're not in it, so answers there wouldn't "
    "reach you. Ask its members to add you, or ask around in a channel you share."
)


async def _name_for(turn: Turn, session: Session, channel: Channel) -> str:
    named = await named_to(session, channel, turn.event.user)
    return shown(channel.name) if named else "a private channel"


def _shared_now(channel: Channel) -> str:
    """Said instead of an offer, or a post, when the open-questions channel was shared with
    another organisation after it was chosen: questions name their askers, and the channel is
    read outside the workspace now."""
    return (
        f"The open-questions channel {shown(channel.name)} is now shared with another "
        "organisation, so I won't post questions there. Ask an admin to choose another with "
        "/narrate questions-channel #channel."
    )


def _unreachable(channel: Channel, *, named: bool) -> str | None:
    """Why nothing can be posted in the open-questions channel, as the platform last said
    (archived, or the bot removed from it); ``None`` while it can. A private channel the bot
    left is named only when ``named``: the bot no longer knows who reads it."""
    if channel.bot_left:
        private = channel.kind == ChannelKind.PRIVATE.value
        where = shown(channel.name) if named or not private else "the open-questions channel"
        return (
            f"I'm no longer in {where}, so I can't post questions there. Someone in it can add "
            "me back, or an admin can choose another open-questions channel with "
            "/narrate questions-channel #channel."
        )
    if channel.archived:
        return (
            f"The open-questions channel {shown(channel.name)} is archived, so I can't post "
            "questions there. An admin can unarchive it, or choose another with "
            "/narrate questions-channel #channel."
        )
    return None


def _handed_back(question: str) -> str:
    """The question as the asker wrote it, to send again: a slash command's box is emptied once
    sent, so a refusal that doesn't quote it loses it."""
    return f"Here it is, to ask again with {ASK_CHANNEL_COMMAND} <question>:\n{quoted(question)}"


def _too_long(question: str, *, where: str) -> str:
    """The refusal for a question over ``MAX_QUESTION``, with the question handed back: a
    slash command's box is emptied once sent, and a button must never post a cut question."""
    return (
        f"That question is too long to post: questions in {where} can be up to {MAX_QUESTION} "
        f"characters, and it has {len(question):,}. Nothing was posted. Here it is, to shorten "
        f"and ask again with {ASK_CHANNEL_COMMAND} <question>:\n{quoted(question)}"
    )


async def offer(session: Session, *, tenant_id: int, question: str, asker: str) -> Offer:
    """The offer to post ``question`` in the open-questions channel, or why it isn't made. One
    not made because of the channel's stored flags is ``unsure``: pass it to ``confirmed``
    once the session is over."""
    channel = await _configured(session, tenant_id=tenant_id)
    if channel is None:
        return Offer(_how_to_set())
    if channel.bot_left and (why := _unreachable(channel, named=False)) is not None:
        # Before the readers: the bot gone, it no longer knows them.
        return Offer(why, unsure=True)
    if not await repo.reads_channel(session, channel=channel, user_id=asker):
        return Offer(NOT_YOURS)
    if (why := _unreachable(channel, named=True)) is not None:
        return Offer(why, unsure=True)
    if channel.shared:
        return Offer(_shared_now(channel), unsure=True)
    return _offer_in(channel, question)


async def confirmed(turn: Turn, made: Offer, *, tenant_id: int, question: str) -> Offer:
    """``made``, or, when it refused only because of the channel's stored flags, the offer
    made again once the platform was asked about the channel and its answer kept: a channel
    migration 0022 took for shared, or one whose unarchiving or the bot's return was never
    heard of, is offered again. Call it outside any transaction. Asked once; when the
    platform can't say, the stored flags stand."""
    if not made.unsure:
        return made
    async with turn.db.snapshot() as session:
        channel = await _configured(session, tenant_id=tenant_id)
    if channel is None:
        return replace(made, unsure=False)
    await _ask_platform(turn, _AskFirst(tenant_id=tenant_id, channel_id=channel.channel_id))
    async with turn.db.snapshot() as session:
        again = await offer(
            session, tenant_id=tenant_id, question=question, asker=turn.event.user.user_id
        )
    return replace(again, unsure=False)


def _stale(channel: Channel) -> bool:
    """Whether the channel's row refuses it for what only the platform's events correct."""
    return channel.shared or channel.archived or channel.bot_left


async def _ask_platform(turn: Turn, ask: _AskFirst) -> None:
    """Ask the platform whether the channel is shared, archived, and has the bot, and keep
    what it says on the channel's row. Only a channel whose row refuses it is asked (never
    on every question), outside any transaction. A platform that can't be asked, or doesn't
    say, leaves the row as it is: a refusal stands."""
    gateway = turn.gateways.get(turn.event.tenant.platform)
    if not isinstance(gateway, ChannelLookup):
        return
    async with turn.db.snapshot() as session:
        channel = await expertise_repo.find_channel(
            session, tenant_id=ask.tenant_id, channel_id=ask.channel_id, name=None
        )
    if channel is None or channel.id is None or not _stale(channel):
        return
    try:
        now = await gateway.channel_now(turn.event.tenant, channel.channel_id)
    except Exception as problem:  # a look-up that fails leaves the careful refusal standing
        log.warning("asking about the questions channel failed: %s", type(problem).__name__)
        return
    if now is None:
        return
    said = {
        "shared": now.shared,
        "archived": now.archived,
        "bot_left": None if now.member is None else not now.member,
    }
    changed = {k: v for k, v in said.items() if v is not None and v != getattr(channel, k)}
    if not changed:
        return
    async with turn.db.transaction() as session:
        await channel_sharing.keep_now(session, channel_pk=channel.id, **changed)
        if changed.get("bot_left") is False and now.members is not None:
            # Found back in: its readers as the platform lists them now, not as learned while
            # the bot was out (``keep_now`` forgot those; unlisted, nobody reads it for now).
            await repo.set_members(session, channel_pk=channel.id, user_ids=now.members)
    if changed.get("archived"):
        await _archived_seen(turn, channel.channel_id)


async def _archived_seen(turn: Turn, channel_id: str) -> None:
    """The platform says the channel is archived: its open questions close, as on its archive
    event (``lost_questions.archived_seen``). Best effort: the asker's turn goes on."""
    from . import lost_questions  # it imports this module's wording

    event = turn.event
    try:
        await lost_questions.archived_seen(
            turn.db, turn.gateways, event.tenant, channel_id, turn.now
        )
    except Exception as problem:
        log.warning("closing an archived channel's questions failed: %s", type(problem).__name__)


def _offer_in(channel: Channel, question: str, *, lead: str = "") -> Offer:
    """The offer to post ``question`` in ``channel``, whose button names that channel, so a
    click after the setting moved can't post anywhere the asker wasn't shown."""
    where = shown(channel.name)
    cleaned = clean_question(question)
    if len(cleaned) > MAX_QUESTION:
        return Offer(lead + _too_long(cleaned, where=where))
    # The question as it would be posted: as typed, a long link could outgrow what a button
    # may carry, and the platform would cut the command mid-link.
    command = f"{ASK_CHANNEL_COMMAND} <#{channel.channel_id}> {cleaned}"
    return Offer(
        f"{lead}Want me to post your question in {where}, so someone there can pick it up?",
        (Button(label=f"Ask in {where}", command=command),),
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def clean_question(text: str) -> str:
    """The question as the asker wrote it, minus markup that would ping or link others: a
    posted ``<https://…|click here>`` would put the asker's link, under words of their
    choosing, in front of a whole channel in the bot's name."""
    text = without_links(without_mentions(text, keep_broadcast_words=True))
    return _one_line(text).strip(" ?\"'`“”‘’")


def _split_target(text: str) -> tuple[str | None, str | None, str]:
    """(channel id, channel name, the rest) when ``text`` starts with a channel (the button's
    ``<#C123>``, or a typed ``#name``); otherwise ``(None, None, text)``."""
    if match := _LEADING_MENTION.match(text):
        return match.group("id"), None, text[match.end() :]
    if match := _LEADING_NAME.match(text):
        return None, match.group("name"), text[match.end() :]
    return None, None, text


def _checked(turn: Turn, question: str) -> tuple[str, Reply | None]:
    """The question as it would be posted, or the reply refusing it."""
    # "who knows cobol?" typed by hand asks about cobol, like the button's topic does.
    topic = parse_question(question)
    cleaned = clean_question(topic if topic is not None else question)
    if not cleaned:
        return cleaned, turn.reply("What should I ask? /narrate ask-channel <your question>")
    if (unclear := unsearchable(topic if topic is not None else question)) is not None:
        # Nobody there could answer what nobody here could search for.
        return cleaned, turn.reply(unclear)
    if len(cleaned) > MAX_QUESTION:
        return cleaned, turn.reply(_too_long(cleaned, where="the open-questions channel"))
    return cleaned, None


async def ask_channel(turn: Turn, text: str) -> list[Reply]:
    done = await _ask_channel(turn, text, asked=False)
    if isinstance(done, _AskFirst):
        # Refused only for the channel's stored flags: the platform is asked once, then the
        # question is asked again on what it said.
        await _ask_platform(turn, done)
        done = await _ask_channel(turn, text, asked=True)
    assert not isinstance(done, _AskFirst)
    return done


async def _ask_channel(turn: Turn, text: str, *, asked: bool) -> list[Reply] | _AskFirst:
    """Post the question; ``_AskFirst`` (never once ``asked``) when the channel's stored flags
    would refuse it."""
    target_id, target_name, question = _split_target(text)
    cleaned, refusal = _checked(turn, question)
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        if target_name is not None and not await named_channel(
            session, tenant_id=tenant.id, user=turn.event.user, channel_id=None, name=target_name
        ):
            # "#5 on the list?": no channel of that name (that they may know of), so it's part
            # of the question.
            target_name, question = None, text
            cleaned, refusal = _checked(turn, question)
        if refusal is not None:
            return [refusal]
        channel = await _configured(session, tenant_id=tenant.id)
        if channel is None:
            return [turn.reply(_how_to_set())]
        if channel.bot_left:
            # Before the readers: the bot gone, it no longer knows them.
            if not asked:
                return _AskFirst(tenant_id=tenant.id, channel_id=channel.channel_id)
            named = await named_to(session, channel, turn.event.user)
            why = _unreachable(channel, named=named)
            return [turn.reply(f"{why} Nothing was posted. {_handed_back(cleaned)}")]
        if not await repo.reads_channel(session, channel=channel, user_id=turn.event.user.user_id):
            return [turn.reply(NOT_YOURS)]
        if not asked and _stale(channel):
            return _AskFirst(tenant_id=tenant.id, channel_id=channel.channel_id)
        if (why := _unreachable(channel, named=True)) is not None:
            return [turn.reply(f"{why} Nothing was posted. {_handed_back(cleaned)}")]
        if channel.shared:
            return [
                turn.reply(f"{_shared_now(channel)} Nothing was posted. {_handed_back(cleaned)}")
            ]
        if not _chosen(channel, target_id, target_name):
            # No channel (typed, or a button from before buttons named one), or one that is no
            # longer where questions go: show where they go now and let the asker choose.
            lead = (
                ""
                if target_id is None and target_name is None
                else f"Open questions go to {shown(channel.name)} now, so I posted nothing. "
            )
            again = _offer_in(channel, question, lead=lead)
            return [turn.reply(again.text, buttons=again.buttons)]
        person = await turn.author(session, tenant)
        assert person.id is not None and channel.id is not None
        if await _posted_lately(session, person.id, channel, cleaned, turn):
            if (kept := await _posting(session, person.id, channel, cleaned, turn)) is not None:
                return [turn.reply(_still_posting(channel, kept, turn))]
            return [
                turn.reply(f"Already posted in {shown(channel.name)}; replies will come there.")
            ]
        # Kept (for the weekly digests that may read the channel) before posting, under the
        # asker's held row: a second click waits for this one and finds it. A question whose
        # post fails is dropped again below. One kept earlier whose post never went out (its
        # process died first) is taken over, rather than listed as open beside this one.
        if not await question_repo.reclaim_unposted(
            session, person_id=person.id, channel_pk=channel.id, text=cleaned, now=turn.now
        ):
            await expertise_repo.record_open_question(
                session,
                tenant_id=tenant.id,
                person_id=person.id,
                channel_pk=channel.id,
                text=cleaned,
                now=turn.now,
            )
        claim = (person.id, channel.id, cleaned)
    where = shown(channel.name)
    gateway = turn.gateways.get(turn.event.tenant.platform)
    if gateway is None:
        await _drop(turn, *claim)
        return [
            turn.reply(
                f"I can't post to {where} from here right now, sorry. {_handed_back(cleaned)}"
            )
        ]
    user = turn.event.user
    post = Post(
        channel_id=channel.channel_id,
        text=(
            f"<@{user.user_id}> is looking for someone who knows about “{cleaned}”. "
            "Can you help? Reply in this thread."
        ),
        names={user.user_id: user.display_name or user.user_id},
    )
    try:
        message_id = await gateway.post(turn.event.tenant, post)
    except CannotPostThere as refused:
        await _drop(turn, *claim)
        if refused.reason == CannotPostThere.ARCHIVED:
            await _archived_seen(turn, channel.channel_id)
        why = "it's archived" if refused.reason == CannotPostThere.ARCHIVED else "I'm not in it"
        if refused.reason == CannotPostThere.REFUSED:
            why = "posting there isn't allowed for me (a workspace setting, or my permissions)"
        elif refused.reason != CannotPostThere.ARCHIVED and refused.how_to_add:
            why = f"{why}. {refused.how_to_add.rstrip('.')}"
        return [
            turn.reply(
                f"I can't post in {where}: {why}. An admin can choose another open-questions "
                f"channel with /narrate questions-channel #channel. {_handed_back(cleaned)}"
            )
        ]
    except Exception as problem:  # the platform's failure must not become the asker's crash
        log.warning("posting an open question failed: %s", type(problem).__name__)
        await _drop(turn, *claim)
        return [
            turn.reply(
                f"I couldn't post to {where} just now; please try again. {_handed_back(cleaned)}"
            )
        ]
    await question_posts.keep_post(
        turn,
        *claim,
        since=turn.now - REPEAT_WINDOW,
        channel_id=channel.channel_id,
        message_id=message_id,
    )
    return [turn.reply(f"Posted your question in {where}; replies will come there.")]


def _chosen(channel: Channel, target_id: str | None, target_name: str | None) -> bool:
    """Whether the command names ``channel``, the one questions go to now."""
    if target_id is not None:
        return target_id == channel.channel_id
    return target_name is not None and target_name.lower() == channel.name.lower()


async def _posted_lately(
    session: Session, person_id: int, channel: Channel, question: str, turn: Turn
) -> bool:
    """Whether this person posted this question there within ``REPEAT_WINDOW``: a double
    click, or a platform retrying the click, rather than a new question."""
    assert channel.id is not None
    return await question_repo.asked_since(
        session,
        person_id=person_id,
        channel_pk=channel.id,
        text=question,
        since=turn.now - REPEAT_WINDOW,
    )


async def _posting(
    session: Session, person_id: int, channel: Channel, question: str, turn: Turn
) -> datetime | None:
    """When the question found by ``_posted_lately`` was kept, if its post hasn't gone out."""
    assert channel.id is not None
    kept = await question_repo.posting(
        session,
        person_id=person_id,
        channel_pk=channel.id,
        text=question,
        since=turn.now - REPEAT_WINDOW,
    )
    return kept if kept is None or kept.tzinfo is not None else kept.replace(tzinfo=UTC)


def _still_posting(channel: Channel, kept: datetime, turn: Turn) -> str:
    """A click while the question is being posted: a double click, or one after the process
    posting it died before the platform took it. Nothing tells the two apart (another replica
    may be posting it), so it posts nothing and says when asking again will: once
    ``REPEAT_WINDOW`` is over, a question whose post never went out is posted again."""
    left = kept + REPEAT_WINDOW - turn.now  # the window holds its last moment too
    minutes = max(0, math.floor(left.total_seconds() / 60)) + 1
    return (
        f"I'm still posting your question in {shown(channel.name)}, so I didn't post it again. "
        f"If it isn't there in {minutes} minute{'s' if minutes != 1 else ''}, ask again then "
        "and I'll post it."
    )


async def _drop(turn: Turn, person_id: int, channel_pk: int, question: str) -> None:
    """Forget a question kept for a post that never went out: nobody saw it, so it isn't open
    anywhere, and asking again must not be taken for a repeat."""
    try:
        async with turn.db.transaction() as session:
            await question_repo.drop_since(
                session,
                person_id=person_id,
                channel_pk=channel_pk,
                text=question,
                since=turn.now - REPEAT_WINDOW,
            )
    except Exception as problem:
        log.warning("dropping an unposted open question failed: %s", type(problem).__name__)


def _parse_channel(arg: str) -> tuple[str | None, str | None] | None:
    """(platform id, name) from ``<#C123|name>``, ``<#C123>`` or ``#name``; ``None`` if neither."""
    if match := _CHANNEL_MENTION.match(arg):
        return match.group("id"), (match.group("name") or None)
    if match := _CHANNEL_NAME.match(arg):
        return None, match.group("name")
    return None


async def questions_channel(turn: Turn, arg: str) -> list[Reply]:
    done = await _questions_channel(turn, arg, asked=False)
    if isinstance(done, _AskFirst):
        # A channel stored as shared (migration 0022 takes every private channel for shared
        # until told otherwise): the platform is asked once, then the choice is made again.
        await _ask_platform(turn, done)
        done = await _questions_channel(turn, arg, asked=True)
    assert not isinstance(done, _AskFirst)
    return done


async def _questions_channel(turn: Turn, arg: str, *, asked: bool) -> list[Reply] | _AskFirst:
    """Show, change or clear the setting; ``_AskFirst`` (never once ``asked``) when the chosen
    channel's stored ``shared`` flag would refuse it."""
    arg = arg.strip()
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        current = await _configured(session, tenant_id=tenant.id)
        if not arg:
            if current is None:
                return [turn.reply(_how_to_set())]
            return [
                turn.reply(
                    f"Open questions go to {await _name_for(turn, session, current)}. "
                    "Admins can change it with /narrate questions-channel #channel (or off)."
                )
            ]
        if turn.event.user.guest:
            return [turn.reply(GUESTS_DONT_CHOOSE)]
        if current is not None and not turn.event.user.is_admin:
            return [
                turn.reply(
                    f"Open questions go to {await _name_for(turn, session, current)}; only a "
                    "workspace admin can change that. Nothing was changed."
                )
            ]
        if arg.lower() in _CLEAR_WORDS:
            if current is None:
                return [turn.reply("There's no open-questions channel to turn off.")]
            await repo.set_setting(
                session, tenant_id=tenant.id, key=QUESTIONS_CHANNEL, value=None, now=turn.now
            )
            return [turn.reply("Done: I'll no longer offer to post unanswered questions.")]
        if arg.lower() == "here":
            target: Channel | None = await turn.channel(session, tenant)
        else:
            parsed = _parse_channel(arg)
            if parsed is None:
                return [
                    turn.reply(
                        f"“{arg}” isn't a channel I can read. Write it like "
                        "/narrate questions-channel #questions (or here)."
                    )
                ]
            target = await named_channel(
                session,
                tenant_id=tenant.id,
                user=turn.event.user,
                channel_id=parsed[0],
                name=parsed[1],
            )
            if target is None:
                return [turn.reply(not_seen(parsed[1] or parsed[0] or arg))]
        assert target is not None
        if target.kind == ChannelKind.DIRECT.value:
            return [turn.reply("Pick a channel people share, not a direct message.")]
        if target.name == GROUP_DM:
            # Stored as private, it would collect the workspace's questions among a few people
            # who never chose to field them, in a conversation nobody else can join.
            return [
                turn.reply("Pick a channel people can join, not a group DM. Nothing was changed.")
            ]
        if target.shared:
            if not asked:
                return _AskFirst(tenant_id=tenant.id, channel_id=target.channel_id)
            return [
                turn.reply(
                    f"{shown(target.name)} is shared with another organisation, so questions "
                    "posted there would be read outside this workspace. Pick a channel only "
                    "this workspace reads. Nothing was changed."
                )
            ]
        await repo.set_setting(
            session,
            tenant_id=tenant.id,
            key=QUESTIONS_CHANNEL,
            value=target.channel_id,
            now=turn.now,
        )
    note = (
        " It's private, so only its members will see the questions."
        if target.kind == ChannelKind.PRIVATE.value
        else ""
    )
    return [
        turn.reply(
            f"Open questions now go to {shown(target.name)}: when nobody is found, I'll offer to "
            f"post the question there.{note}{await _absent(turn, target)}"
        )
    ]


async def _absent(turn: Turn, channel: Channel) -> str:
    """A warning, for whoever just chose ``channel``, that the bot isn't in it (so every
    question would fail to post), with how to add it; empty when it is, or the platform can't
    tell. Asked after the setting is committed: the gateway may open a transaction of its own."""
    gateway = turn.gateways.get(turn.event.tenant.platform)
    if not isinstance(gateway, ChannelPresence):
        return ""
    try:
        how = await gateway.how_to_add(turn.event.tenant, channel.channel_id)
    except Exception as problem:  # a warning we can't give is no reason to fail the command
        log.warning(
            "checking the bot is in the questions channel failed: %s", type(problem).__name__
        )
        return ""
    if how is None:
        return ""
    if isinstance(how, PermissionsMissing):
        *most, last = how.missing or ("needed",)
        lacking = f"{', '.join(most)} and {last}" if most else last
        plural = "s" if len(how.missing) != 1 else ""
        return (
            f" But I can't post in {shown(channel.name)} yet: I'm missing the {lacking} "
            f"permission{plural} there, so questions can't go there until I have "
            f"{'them' if plural else 'it'}. {how.how_to_grant}"
        )
    return (
        f" But I'm not in {shown(channel.name)} yet, so I can't post there until someone adds "
        f"me. {how}"
    )
