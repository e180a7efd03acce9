"""When nobody is found: offer to post the question to the workspace's open-questions channel.

The channel is a workspace setting. Anyone may choose it while none is set (so a small team gets
going without hunting for an admin); once set, only workspace admins (``UserRef.is_admin``) may
change or clear it, so one person can't quietly redirect everyone's questions.

Posting reveals only what the asker wrote (their question, and that they asked): never the
evidence, the people considered, or anything from the channel the question was asked in.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from ..events import ChannelKind
from ..knowledge.clean_text import without_mentions
from ..knowledge.words import without_links
from ..questions import parse_question, unsearchable
from ..replies import Button, Post, Reply
from ..storage import expertise_repo
from ..storage import repositories as repo
from ..storage.database import Session
from ..storage.tables import Channel
from .channels import named_channel, named_to, not_seen
from .turn import Turn

log = logging.getLogger(__name__)

QUESTIONS_CHANNEL = "who_knows.questions_channel"
ASK_CHANNEL_COMMAND = "/narrate ask-channel"
MAX_QUESTION = 300
_CLEAR_WORDS = {"off", "none", "clear", "unset"}
_CHANNEL_MENTION = re.compile(r"^<#(?P<id>[A-Za-z0-9_\-]+)(?:\|(?P<name>[^>]*))?>$")
_CHANNEL_NAME = re.compile(r"^#?(?P<name>[\w\-.]{1,80})$")


@dataclass(frozen=True)
class Offer:
    text: str
    buttons: tuple[Button, ...] = ()


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


# Said instead of an offer when the open-questions channel is private and the asker isn't in
# it: a question posted there would get its answers where the asker can't read them.
NOT_YOURS = (
    "The open-questions channel is private and you're not in it, so answers there wouldn't "
    "reach you. Ask its members to add you, or ask around in a channel you share."
)


async def _name_for(turn: Turn, session: Session, channel: Channel) -> str:
    named = await named_to(session, channel, turn.event.user)
    return f"#{channel.name}" if named else "a private channel"


async def offer(session: Session, *, tenant_id: int, question: str, asker: str) -> Offer:
    channel = await _configured(session, tenant_id=tenant_id)
    if channel is None:
        return Offer(_how_to_set())
    if not await repo.reads_channel(session, channel=channel, user_id=asker):
        return Offer(NOT_YOURS)
    command = f"{ASK_CHANNEL_COMMAND} {_one_line(question)[:MAX_QUESTION]}"
    return Offer(
        f"Want me to post your question in #{channel.name}, so someone there can pick it up?",
        (Button(label=f"Ask in #{channel.name}", command=command),),
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def clean_question(text: str) -> str:
    """The question as the asker wrote it, minus markup that would ping or link others: a
    posted ``<https://…|click here>`` would put the asker's link, under words of their
    choosing, in front of a whole channel in the bot's name."""
    text = without_links(without_mentions(text, keep_broadcast_words=True))
    return _one_line(text).strip(" ?\"'`“”‘’")


async def ask_channel(turn: Turn, question: str) -> list[Reply]:
    # "who knows cobol?" typed by hand asks about cobol, like the button's topic does.
    topic = parse_question(question)
    question = clean_question(topic if topic is not None else question)
    if not question:
        return [turn.reply("What should I ask? /narrate ask-channel <your question>")]
    if (unclear := unsearchable(topic if topic is not None else question)) is not None:
        # Nobody there could answer what nobody here could search for.
        return [turn.reply(unclear)]
    if len(question) > MAX_QUESTION:
        return [turn.reply(f"Questions can be up to {MAX_QUESTION} characters; try a shorter one.")]
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        channel = await _configured(session, tenant_id=tenant.id)
        reachable = channel is not None and await repo.reads_channel(
            session, channel=channel, user_id=turn.event.user.user_id
        )
    if channel is None:
        return [turn.reply(_how_to_set())]
    if not reachable:
        return [turn.reply(NOT_YOURS)]
    gateway = turn.gateways.get(turn.event.tenant.platform)
    if gateway is None:
        return [turn.reply(f"I can't post to #{channel.name} from here right now, sorry.")]
    user = turn.event.user
    post = Post(
        channel_id=channel.channel_id,
        text=(
            f"<@{user.user_id}> is looking for someone who knows about “{question}”. "
            "Can you help? Reply in this thread."
        ),
        names={user.user_id: user.display_name or user.user_id},
    )
    try:
        await gateway.post(turn.event.tenant, post)
    except Exception as problem:  # the platform's failure must not become the asker's crash
        log.warning("posting an open question failed: %s", type(problem).__name__)
        return [turn.reply(f"I couldn't post to #{channel.name} just now; please try again.")]
    await _remember(turn, channel, question)
    return [turn.reply(f"Posted your question in #{channel.name}; replies will come there.")]


async def _remember(turn: Turn, channel: Channel, question: str) -> None:
    """Keep the posted question for the weekly digests that may read ``channel``.

    Only after the post went out: a question nobody saw isn't open anywhere. The question is
    already posted, so failing to keep it costs its digest line, never the asker's reply.
    """
    assert channel.id is not None
    try:
        async with turn.db.transaction() as session:
            tenant = await turn.tenant(session)
            assert tenant.id is not None
            person = await turn.author(session, tenant)
            assert person.id is not None
            await expertise_repo.record_open_question(
                session,
                tenant_id=tenant.id,
                person_id=person.id,
                channel_pk=channel.id,
                text=question,
                now=turn.now,
            )
    except repo.PersonErased:
        return  # forgotten meanwhile (another replica): nothing of theirs is kept
    except Exception as problem:
        log.warning("keeping an open question for the digest failed: %s", type(problem).__name__)


def _parse_channel(arg: str) -> tuple[str | None, str | None] | None:
    """(platform id, name) from ``<#C123|name>``, ``<#C123>`` or ``#name``; ``None`` if neither."""
    if match := _CHANNEL_MENTION.match(arg):
        return match.group("id"), (match.group("name") or None)
    if match := _CHANNEL_NAME.match(arg):
        return None, match.group("name")
    return None


async def questions_channel(turn: Turn, arg: str) -> list[Reply]:
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
            f"Open questions now go to #{target.name}: when nobody is found, I'll offer to post "
            f"the question there.{note}"
        )
    ]
