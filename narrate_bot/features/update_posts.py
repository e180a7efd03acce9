"""Updates written through a prompt's "Write my update" form, posted in the prompt's thread.

A reply typed in a prompt's thread is seen there already; an update sent through the form (or
``/narrate reply``) was kept where only a search found it. Once it is recorded for the channel's
readers (or the whole workspace), it is posted in the thread of the newest prompt of its
schedule, naming its author without notifying anyone. One kept "only for me" is never posted,
and sharing it later doesn't post it either: ``share`` widens who can find a note, it never
publishes one its author wrote for themselves. One made "only for me" again by ``unshare`` is
deleted from the thread (``withdrawn``), and sharing it once more doesn't post it again.

The post is claimed before it goes out (``storage.update_posts``), so a second try posts
nothing. Nothing is posted in a channel shared with another organisation, whichever audience
was chosen: the form is private, and its text never reaches another organisation through the
bot otherwise (the platform is asked right before posting where it can say, as for digests).
A platform that refuses it (the channel archived, the bot removed) never costs the
narration: the author is told the post didn't go out, and why. Editing the narration edits the
post; deleting it, or forget-me, deletes it, after the change has committed and best effort:
the person is told which post stayed. A channel turns posting off with
``/narrate schedule updates #channel off``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from ..channel_names import shown
from ..events import TenantRef
from ..ports import (
    CannotPostThere,
    ChannelLookup,
    ChannelSharing,
    ChatGateway,
    NotPosted,
    ThreadStayed,
)
from ..replies import Post
from ..storage import channel_sharing
from ..storage import orphan_posts as orphans
from ..storage import repositories as repo
from ..storage import update_post_resync as resync
from ..storage import update_posts as store
from ..storage.database import Database
from ..storage.tables import Channel
from .turn import Turn

log = logging.getLogger(__name__)

# A post repeats the update, cut to fit one message on every platform (Discord's is 2,000).
POST_CHARS = 1500
ON, OFF = "thread", "off"
# The same form sent again within this (a double submit, a platform's retry) is that update.
REPEAT_WINDOW = timedelta(minutes=2)
# A post that failed for a passing reason (``NotPosted``, the database, the sharing check) is
# tried again by the scheduler's tick this long after, then twice as long each time
# (``update_post_retries``).
RETRY_FIRST = timedelta(minutes=2)
# A post claimed this long ago, with no id noted and no retry waiting, may be out with its id
# never saved: the process stopped between the platform's answer and the save. Nothing can
# find it on Slack (the app holds no *:history scope to read the thread), so it is told as
# unknown, never as "still going out" or "removed".
UNSURE_AFTER = timedelta(minutes=10)
UNSURE_EDIT = (
    " I couldn't change its post in the prompt's thread: it may have gone out without my noting "
    "where. If it's there, it shows the old text; please delete it there, or ask an admin to."
)
# Told after a narration's edit or delete committed when what became of its post in a prompt's
# thread couldn't be found out (``edited``, or ``Bot.handle`` after a later step failed).
UNCHECKED_EDIT = (
    " I couldn't check for its post in a prompt's thread just now; if it has one, the post may "
    "still show the old text, and sending the same edit again changes it."
)
# How long an edit's own change of its post keeps the scheduler's repair away (migration 0044):
# longer than a platform's slowest answer; a post still behind after it is edited by the repair.
RESYNC_LEASE = timedelta(minutes=5)
RETRY_EDIT = (
    " I couldn't change its post in the prompt's thread just now, which still shows the old "
    "text; I'll try again in a few minutes."
)
UNCHECKED_DELETE = (
    " I couldn't make sure its post in the prompt's thread is removed; if it's still there, "
    "please delete it there, or ask an admin to."
)


def updates_key(channel_pk: int) -> str:
    """The workspace setting that stops a channel's form updates being posted (on unless set)."""
    return f"schedule.updates:{channel_pk}"


def post_for(turn: Turn, *, channel_id: str, thread_of: str, text: str) -> Post:
    """The post of an update by the turn's actor (its author)."""
    user = turn.event.user
    return post_of(
        user.user_id, user.display_name, channel_id=channel_id, thread_of=thread_of, text=text
    )


def post_of(user_id: str, name: str, *, channel_id: str, thread_of: str, text: str) -> Post:
    """The post of an update by ``user_id`` (shown as ``name``), also made by the tick's retry,
    where no turn is."""
    if len(text) > POST_CHARS:
        text = text[: POST_CHARS - 1].rstrip() + "… (shortened)"
    return Post(
        text=f"<@{user_id}> wrote an update:\n{text}",
        channel_id=channel_id,
        thread_of=thread_of,
        names={user_id: name or user_id},
        quiet=True,
    )


def no_prompt_yet(where: str) -> str:
    """Told of a form update sent before its schedule's first prompt went out: there is no
    thread to post it in, and posting it later under a prompt asked after it was written would
    read as an answer to a question it never saw."""
    return (
        f"\nIt won't appear in a thread in {where}: no prompt has gone out there yet. Your "
        "update is kept all the same."
    )


def will_retry(where: str, why: str = "just now") -> str:
    """Told of a form update whose post is left for the tick to try again."""
    return (
        f"\nI couldn't post it in the prompt's thread in {where} {why}; I'll try again in a few "
        "minutes. Your update is kept all the same."
    )


def _how_to_change(ordinal: int) -> str:
    return (
        f"Change it with /narrate edit {ordinal} <text>, or remove it with "
        f"/narrate delete {ordinal}."
    )


async def post_update(
    turn: Turn, *, narration_id: int, ordinal: int, text: str, channel: Channel, schedule_id: int
) -> str:
    """Post a just-recorded form update in its prompt's thread; what to tell its author, as
    sentences to follow the confirmation ("" when nothing was to be posted)."""
    where = shown(channel.name)
    unposted = unposted_in(where)
    # The narration has committed: from here a failure is told, never raised. Raised, it would
    # reach the adapter's retry, which finds the narration a repeat ("Already noted … posted
    # nothing new") though nothing was posted.
    try:
        async with turn.db.transaction() as session:
            assert channel.id is not None
            off = await repo.get_setting(
                session, tenant_id=channel.tenant_id, key=updates_key(channel.id)
            )
            thread = await store.latest_prompt(session, schedule_id=schedule_id)
            if off:
                return ""
            if thread is None:
                return no_prompt_yet(where)
            stored = await session.get(Channel, channel.id)
            shared_stored = channel.shared if stored is None else stored.shared
    except Exception as problem:
        log.warning("reading where to post a form update failed: %s", type(problem).__name__)
        return await _later(turn, narration_id, channel, thread="", told=will_retry(where))
    gateway = turn.gateways.get(turn.event.tenant.platform)
    shared = await shared_now(turn.db, gateway, turn.event.tenant, channel, stored=shared_stored)
    if shared:
        return (
            f"\nNot posted in {where}'s thread: it's shared with another organisation. Your "
            "update is kept."
        )
    if shared is None:
        why = "just now: I couldn't check whether it's shared with another organisation"
        return await _later(turn, narration_id, channel, thread=thread, told=will_retry(where, why))
    try:
        async with turn.db.transaction() as session:
            if not await store.claim(
                session,
                narration_id=narration_id,
                channel_id=channel.channel_id,
                thread_of=thread,
                now=turn.now,
            ):
                return ""  # posted already, or being posted by another try
    except Exception as problem:
        log.warning("claiming a form update's post failed: %s", type(problem).__name__)
        return await _later(turn, narration_id, channel, thread=thread, told=will_retry(where))
    post = post_for(turn, channel_id=channel.channel_id, thread_of=thread, text=text)
    try:
        if gateway is None:
            raise LookupError("no gateway for this platform")
        message_id = await gateway.post(turn.event.tenant, post)
    except CannotPostThere as refused:
        await _drop(turn, narration_id)
        return (
            f"\nI couldn't post it in the prompt's thread in {where}: {refused_why(refused)} "
            "Your update is kept all the same."
        )
    except NotPosted as problem:  # the platform took nothing: trying again can't post twice
        log.warning("posting a form update was refused for now: %s", type(problem).__name__)
        return await _later(turn, narration_id, channel, thread=thread, told=will_retry(where))
    except Exception as problem:  # the platform's failure must not become the author's crash
        # Whether it went out is unknown (a timeout after the platform took it): trying again
        # could post it twice, so it isn't.
        log.warning("posting a form update failed: %s", type(problem).__name__)
        await _drop(turn, narration_id)
        return unposted
    ref = store.PostRef(channel.channel_id, thread, message_id, ordinal)
    return await _keep(turn, narration_id, ref, text=text, where=where)


def refused_why(refused: CannotPostThere) -> str:
    """Why a post in a prompt's thread was refused for good, as a sentence for its author:
    told on the first try and, by DM, on a retry (``update_post_retries``)."""
    if refused.reason == CannotPostThere.ARCHIVED:
        return "it's archived."
    if refused.reason == CannotPostThere.REFUSED:
        return "posting there isn't allowed for me (a workspace setting, or my permissions)."
    if refused.reason == CannotPostThere.NO_THREAD:
        # The bot is in the channel: the prompt has no thread it may open (or is gone).
        return f"the prompt has no thread, and I couldn't open one. {refused.how_to_add}".strip()
    why = f"I'm not in it. {refused.how_to_add}".strip()
    return why if why.endswith(".") else f"{why}."


def unposted_in(where: str) -> str:
    """What to tell of a form update kept for the channel shown as ``where`` whose post in
    the prompt's thread didn't go out."""
    return (
        f"\nI couldn't post it in the prompt's thread in {where} just now. Your update is "
        "kept all the same."
    )


async def shared_now(
    db: Database, gateway: ChatGateway | None, tenant: TenantRef, channel: Channel, *, stored: bool
) -> bool | None:
    """Whether people of another organisation read ``channel``, asked of the platform right
    before posting (and kept on its row) where it can say, as digests and introductions are
    (``ports.ChannelLookup``, ``ports.ChannelSharing``): the stored flag may be wrong (set
    before migration 0010, or shared while the event didn't reach us). ``None`` when the
    platform couldn't be asked: no post then, and the tick asks again later (a look-up that
    fails is no answer: read as "shared" it would tell the author so, wrongly). A platform that
    can't say (the console, Discord) goes by the stored flag, as does a channel the platform
    won't describe because the bot isn't in it (the post then says so)."""
    if channel.id is None:
        return stored
    try:
        if isinstance(gateway, ChannelLookup):
            now = await gateway.channel_now(tenant, channel.channel_id)
            if now is not None and now.shared is None and now.member is False:
                return stored
            shared = None if now is None else now.shared
        elif isinstance(gateway, ChannelSharing):
            shared = await gateway.shared_now(tenant, channel.channel_id)
        else:
            return stored
    except Exception as problem:
        log.warning("asking whether a channel is shared failed: %s", type(problem).__name__)
        return None
    if shared is None:
        return None
    if shared != stored:
        try:
            async with db.transaction() as session:
                await channel_sharing.keep_shared(session, channel_pk=channel.id, shared=shared)
        except Exception as problem:  # the answer stands; the flag is kept by the next ask
            log.warning("keeping a channel's shared flag failed: %s", type(problem).__name__)
    return shared


async def _later(turn: Turn, narration_id: int, channel: Channel, *, thread: str, told: str) -> str:
    """Leave the post for the tick to try again (``update_post_retries``); ``told`` when it is
    left, what ``unposted_in`` says when even that fails, "" when it went out meanwhile."""
    try:
        async with turn.db.transaction() as session:
            left = await store.later(
                session,
                narration_id=narration_id,
                channel_id=channel.channel_id,
                thread_of=thread,
                retry_at=turn.now + RETRY_FIRST,
                now=turn.now,
            )
    except Exception as problem:
        log.warning("leaving a form update's post for later failed: %s", type(problem).__name__)
        await _drop(turn, narration_id)
        return unposted_in(shown(channel.name))
    return told if left else ""


async def _drop(turn: Turn, narration_id: int) -> None:
    try:
        async with turn.db.transaction() as session:
            await store.drop(session, narration_id=narration_id)
    except Exception as problem:  # a claim left behind only stops a second post of it
        log.warning("dropping an update post's claim failed: %s", type(problem).__name__)


async def _keep(turn: Turn, narration_id: int, ref: store.PostRef, *, text: str, where: str) -> str:
    """Note the post's id; what to tell its author. When its claim is gone (the narration
    deleted, or its author forgotten, while it was posted), the post goes at once: nothing
    would find it later. When the narration was edited while it was posted (the edit found no
    post to change yet), the post is changed to the text it has now."""
    try:
        async with turn.db.transaction() as session:
            now = await store.keep(session, narration_id=narration_id, message_id=ref.message_id)
    except Exception as problem:
        log.warning("keeping an update post's id failed: %s", type(problem).__name__)
        return f"\nPosted in the prompt's thread in {where}."
    if now is None:
        await remove(turn, [ref])
        return ""
    done = f"\nPosted in the prompt's thread in {where}. {_how_to_change(ref.ordinal)}"
    if now == text:
        return done
    return done + (await _changed(turn, ref, now) or " It shows your edit.")


async def _changed(turn: Turn, ref: store.PostRef, text: str) -> str:
    """Change a post to the narration's text; "" when done, else what to tell."""
    gateway = turn.gateways.get(turn.event.tenant.platform)
    post = post_for(turn, channel_id=ref.channel_id, thread_of=ref.thread_of, text=text)
    try:
        if gateway is None:
            raise LookupError("no gateway for this platform")
        await gateway.update(turn.event.tenant, ref.message_id, post)
    except Exception as problem:  # told, never raised: the narration is edited either way
        log.warning("editing a form update's post failed: %s", type(problem).__name__)
        return (
            " I couldn't change its post in the prompt's thread, which still shows the old "
            "text; delete the narration (/narrate delete) to remove the post."
        )
    return ""


async def edited(
    turn: Turn, *, narration_id: int, text: str, leased: datetime | None = None
) -> str:
    """After an edit of a narration committed: edit its post, if it has one; what to tell. A
    post still going out is changed by its poster, which reads the text once it is out. A
    look-up that fails is told, never raised: the edit has committed. ``leased``: the lease the
    edit's transaction put on the post (``storage.update_post_resync.lease``), cleared once the
    platform has the edit; left, the scheduler's repair edits the post when it runs out."""
    try:
        async with turn.db.transaction() as session:
            row = await store.find(session, narration_id=narration_id)
    except Exception as problem:
        log.warning("looking up an edited narration's post failed: %s", type(problem).__name__)
        return UNCHECKED_EDIT
    if row is None:
        return ""
    if not row.message_id:
        if unsure(store.ref(row), turn.now):
            return UNSURE_EDIT
        return " Its post in the prompt's thread is still going out; it will show the new text."
    told = await _changed(turn, store.ref(row), text)
    if told and leased is not None:
        return RETRY_EDIT
    if leased is not None:
        try:
            async with turn.db.transaction() as session:
                await resync.settled(session, narration_id=narration_id, leased=leased)
        except Exception as problem:  # the lease runs out and the repair edits it once more
            log.warning("settling an edited update post failed: %s", type(problem).__name__)
    return told or " Its post in the prompt's thread is changed too."


async def remove(turn: Turn, posts: list[store.PostRef]) -> list[store.PostRef]:
    """Delete these update posts, best effort; returns the ones that stay. Run after the change
    that made them go (a delete, an erasure) has committed, never undoing it. Their narrations'
    delete left their places to the orphaned posts' repair (``orphan_posts``): the places of
    those deleted here are forgotten, and one that stayed is tried again by that repair."""
    if not posts:
        return []
    gateway = turn.gateways.get(turn.event.tenant.platform)
    stayed: list[store.PostRef] = []
    gone: list[tuple[str, str]] = []
    for ref in posts:
        if not ref.message_id:
            if unsure(ref, turn.now):
                stayed.append(ref)  # maybe out, its id never saved: told as staying
            continue  # still going out: its poster finds its claim gone and deletes it
        if gateway is None:
            stayed.append(ref)
            continue
        try:
            await gateway.delete(
                turn.event.tenant, ref.channel_id, ref.message_id, thread_of=ref.thread_of
            )
        except ThreadStayed:
            pass  # the thread is the prompt's, not the post's: the post is gone
        except Exception as problem:  # the platform's failure is reported, never raised
            log.warning("deleting a form update's post failed: %s", type(problem).__name__)
            stayed.append(ref)
            continue
        gone.append((ref.channel_id, ref.message_id))
    await _settle(turn, gone)
    return stayed


async def _settle(turn: Turn, gone: list[tuple[str, str]]) -> None:
    """Forget the places of posts just deleted; left behind, the repair deletes them again (a
    post gone counts as deleted) and forgets them then."""
    if not gone:
        return
    try:
        async with turn.db.transaction() as session:
            await orphans.settle(
                session,
                platform=turn.event.tenant.platform.value,
                external_id=turn.event.tenant.tenant_id,
                posts=gone,
            )
    except Exception as problem:
        log.warning("forgetting deleted update posts' places failed: %s", type(problem).__name__)


def unsure(ref: store.PostRef, now: datetime) -> bool:
    """Whether a post with no id may be out all the same (``UNSURE_AFTER``)."""
    return (
        not ref.message_id
        and not ref.waiting
        and ref.claimed_at is not None
        and now - ref.claimed_at > UNSURE_AFTER
    )


async def removed_with(turn: Turn, ref: store.PostRef | None) -> str:
    """After a narration's delete committed: delete its post too; what to tell."""
    if ref is None:
        return ""
    if await remove(turn, [ref]):
        return (
            " I couldn't remove its post in the prompt's thread; please delete it there, or ask "
            "an admin to."
        )
    return " Its post in the prompt's thread is removed too."


def withdrawing(where: str) -> str:
    """Told of an unshare to "only me" once it committed, while its post is being taken out:
    the place was left to the orphaned posts' repair in the same transaction, so it goes even
    when what follows fails."""
    return f" I'm taking it out of the prompt's thread in {where}."


async def withdrawn(turn: Turn, ref: store.PostRef | None, *, where: str) -> str:
    """After a narration became "only me" again (``unshare``) and that committed: delete its
    post from the prompt's thread (``store.withdraw`` took its row); what to tell. A delete that
    fails is tried again by the orphaned posts' repair, with its back-off."""
    if ref is None:
        return ""
    if not ref.message_id and not unsure(ref, turn.now):
        # Waiting for a retry, or being posted: the one finds nothing to post, the other finds
        # its claim gone and deletes the post once it is out.
        return f" It won't be posted in the prompt's thread in {where}."
    if not await remove(turn, [ref]):
        return (
            f" I took it out of the prompt's thread in {where}; sharing it again won't post it "
            "there."
        )
    if not ref.message_id:
        return (
            f" Its post in the prompt's thread in {where} may have gone out without my noting "
            "where; if it's there, please delete it there, or ask an admin to."
        )
    return (
        f" I couldn't take it out of the prompt's thread in {where} just now; I'll keep trying. "
        "If it stays, please delete it there, or ask an admin to."
    )


def unremoved(stayed: list[store.PostRef]) -> str:
    """What forget-me tells of update posts that stay in their prompts' threads."""
    if not stayed:
        return ""
    one = len(stayed) == 1
    numbers = ", ".join(f"#{ref.ordinal}" for ref in stayed)
    return (
        f" I couldn't remove my {'post' if one else 'posts'} of your "
        f"{'update' if one else 'updates'} {numbers} in the prompt's thread; please delete "
        f"{'it' if one else 'them'} there, or ask an admin to."
    )
