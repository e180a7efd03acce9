"""Open questions whose post is gone: deleted in the channel, or the channel deleted or archived.

Nobody can answer such a question where it was asked any more, so it stops being open (digests
stop listing it, ``ask-channel answered`` no longer finds it) and its asker is told by DM, once,
with how to ask again: left open, it would be listed as waiting for an answer for ever, and its
asker would wait for replies that can't come. The platform's event says only where the post was:
a deletion that is no open question's post (the bot's own, after a withdrawal or forget-me,
or anyone's message in any channel) changes nothing and is looked up without a write.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime

from ..channel_names import shown
from ..events import ChannelDeleted, ChannelDescribed, Platform, PostDeleted, TenantRef
from ..ports import ChatGateway
from ..replies import Post, quoted
from ..storage import expertise_repo, question_repo
from ..storage.database import Database
from .channels import known_tenant_id
from .open_questions import ASK_CHANNEL_COMMAND

log = logging.getLogger(__name__)

Gateways = Mapping[Platform, ChatGateway]


async def post_deleted(db: Database, gateways: Gateways, event: PostDeleted) -> None:
    """A message was deleted: if it was an open question's post, the question is lost."""
    async with db.snapshot() as session:
        tenant_id = await known_tenant_id(session, event.tenant)
        if tenant_id is None or not await question_repo.is_post(
            session, tenant_id=tenant_id, channel_id=event.channel_id, message_id=event.message_id
        ):
            return  # not a question's post: most deletions in a busy server
    async with db.transaction() as session:
        lost = await question_repo.lose_post(
            session,
            tenant_id=tenant_id,
            channel_id=event.channel_id,
            message_id=event.message_id,
            now=event.occurred_at,
        )
    await _tell(gateways, event.tenant, lost, _post_gone)


async def channel_archived(db: Database, gateways: Gateways, event: ChannelDescribed) -> None:
    """The channel was archived: its open questions can't be answered there, and unarchiving
    doesn't reopen them (their askers were told to ask again, and may have)."""
    await _channel_closed(
        db, gateways, event.tenant, event.channel.channel_id, event.occurred_at, deleted=False
    )


async def archived_seen(
    db: Database, gateways: Gateways, tenant: TenantRef, channel_id: str, now: datetime
) -> None:
    """The platform said the channel is archived some other way than its archive event (asked
    with ``conversations.info``, or refusing a post there): its open questions close as that
    event closes them. The bot hears no archive event in a channel it was removed from, so
    otherwise they stayed open for ever. (The channel's flag is the caller's to keep: a
    refused post changes none, as before.)"""
    await _channel_closed(db, gateways, tenant, channel_id, now, deleted=False)


async def channel_deleted(db: Database, gateways: Gateways, event: ChannelDeleted) -> None:
    """The channel was deleted, and the posts of its questions with it."""
    await _channel_closed(
        db, gateways, event.tenant, event.channel_id, event.occurred_at, deleted=True
    )


async def _channel_closed(
    db: Database,
    gateways: Gateways,
    tenant_ref: TenantRef,
    channel_id: str,
    now: datetime,
    *,
    deleted: bool,
) -> None:
    async with db.snapshot() as session:
        tenant_id = await known_tenant_id(session, tenant_ref)
        if tenant_id is None:
            return
        channel = await expertise_repo.find_channel(
            session, tenant_id=tenant_id, channel_id=channel_id, name=None
        )
        if channel is None or channel.id is None:
            return
        channel_pk = channel.id
        # Deleted, even a closed question's post went: forget-me must not look for it.
        if not await question_repo.any_posted_in(
            session, channel_pk=channel_pk, still_open=not deleted
        ):
            return  # most channels never held a question: nothing is written
    async with db.transaction() as session:
        lost = await question_repo.lose_channel(
            session, channel_pk=channel_pk, now=now, deleted=deleted
        )
    await _tell(gateways, tenant_ref, lost, _channel_gone if deleted else _archived)


async def _tell(
    gateways: Gateways,
    tenant: TenantRef,
    lost: list[question_repo.Lost],
    why: Callable[[str, str, bool], str],
) -> None:
    """DM each asker once about their questions that were lost, best effort: the question is
    closed either way, and a DM that fails must not undo that or stop the others."""
    gateway = gateways.get(tenant.platform)
    if gateway is None:
        return
    by_asker: dict[tuple[str, str], list[str]] = defaultdict(list)
    for question in lost:
        if question.tell:
            by_asker[(question.user_id, question.channel_name)].append(question.text)
    for (user_id, channel_name), texts in by_asker.items():
        one = len(texts) == 1
        listed = ", ".join(f"“{text}”" for text in texts)
        again = (
            f"If you still need an answer, ask again with {ASK_CHANNEL_COMMAND} <question>"
            f"{':' if one else '.'}"
        )
        text = f"{why(shown(channel_name), listed, one)} {again}"
        if one:
            text += f"\n{quoted(texts[0])}"
        try:
            await gateway.post(tenant, Post(text=text, to_users=(user_id,)))
        except Exception as problem:  # the question is closed either way
            log.warning(
                "telling an asker their question was lost failed: %s", type(problem).__name__
            )


def _post_gone(where: str, texts: str, one: bool) -> str:
    return (
        f"My post of your {'question' if one else 'questions'} {texts} in {where} was deleted "
        f"there, so nobody can answer {'it' if one else 'them'} there and I no longer list "
        f"{'it' if one else 'them'} as open."
    )


def _archived(where: str, texts: str, one: bool) -> str:
    return (
        f"{where} was archived, so your open {'question' if one else 'questions'} {texts} "
        f"there can't be answered there any more; I no longer list {'it' if one else 'them'} "
        "as open."
    )


def _channel_gone(where: str, texts: str, one: bool) -> str:
    return (
        f"{where} was deleted, with my post of your {'question' if one else 'questions'} "
        f"{texts}, so I no longer list {'it' if one else 'them'} as open."
    )
