"""The small interfaces the core calls and adapters (or tests) implement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .events import ChannelKind, TenantRef
from .replies import Post

if TYPE_CHECKING:
    from .storage.database import Session


class Clock(Protocol):
    """Where "now" comes from; the console and the tests drive a manual one."""

    def now(self) -> datetime: ...


class CannotPostThere(Exception):  # noqa: N818 - a refusal, not a fault of ours
    """The platform refuses ``ChatGateway.post`` there until someone changes something: the
    channel was archived or deleted, or the bot isn't in it (or may not post there); the DM's
    person can't be sent one; or the workspace, the app's token or the message is refused
    (``reason``). It took nothing, but trying again won't help, so a feature tells the person
    what is wrong instead of "try again", and a retry loop gives up at once."""

    ARCHIVED = "archived"
    NOT_IN_IT = "not_in_it"
    # A post for a thread (``Post.thread_of``) whose message has no thread, and the bot may
    # not open one on it (or the message is gone): the bot is in the channel all the same.
    NO_THREAD = "no_thread"
    # A DM (``Post.to_users``) the person can't be sent: their account is deactivated or
    # unknown, it is a bot's, or the app takes no DMs (Slack's Messages tab turned off).
    NO_DM = "no_dm"
    # Refused for a reason that isn't the channel's or the person's and stays until someone
    # changes it: a workspace setting (posting restricted there), the app's token or scopes
    # (revoked, missing), or the message itself (too long, malformed).
    REFUSED = "refused"

    def __init__(self, reason: str, *, how_to_add: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        # For ``NOT_IN_IT``: who can let the bot post there, and how, as a sentence in the
        # platform's terms ("Anyone in it can add me with /invite @narrate there."); empty when
        # the platform has no one answer. For ``NO_THREAD``: who can let it open the thread.
        self.how_to_add = how_to_add


class RetryLater(Exception):  # noqa: N818 - an outcome, not a fault of ours
    """Raised by ``ChatGateway.post`` when the platform asked it to wait (a rate limit, or the
    adapter's own pause of what the platform throttles) after part of the post may have gone
    out already: unlike ``NotPosted``, not known to have taken nothing, so only a caller that
    sends the rest (the scheduler, ``PartlyPosted``) tries it again.

    ``retry_after``: the seconds the platform asked to wait (a rate limit's ``Retry-After``), if
    it said: a later try waits at least that long, however short its own back-off."""

    def __init__(self, *args: object, retry_after: float | None = None) -> None:
        super().__init__(*args)
        self.retry_after = retry_after


class NotPosted(RetryLater):
    """Raised by ``ChatGateway.post`` when the platform answered and took nothing, for a reason
    that may pass (an outage, a limit, an error on its side): trying again later cannot post
    twice. Any other exception leaves it unknown whether the post went out, so a feature that
    must never post twice doesn't try again then. ``retry_after`` as ``RetryLater``'s."""


class PartlyPosted(Exception):  # noqa: N818 - a partial outcome, not a fault of ours
    """Raised by ``ChatGateway.post`` for a post to several people that goes out as one message
    each (``Post.to_users`` on Discord) when it didn't reach them all. ``have``: the user ids
    sent it (a DM or a channel pointer), not to send it to again; ``unreachable``: those
    nothing can reach (DMs closed and no channel takes a pointer), not to try again either, but
    who don't have it; ``message_id``: the first message sent, as ``post`` returns it (``None``:
    nobody was sent one).

    With a ``__cause__``, the rest (everyone in neither) failed as that would have: retried, or
    given up for a refusal (``CannotPostThere``, which doesn't stop the others being tried). A
    retry goes to the rest only; the scheduler keeps that with the send, so it holds after a
    restart and on another replica too. Without one, the post is done (nothing is left to try:
    ``message_id`` is what ``post`` would return) but ``unreachable`` didn't get it; with
    ``message_id`` ``None`` too, nothing reached anyone it was still for (all ``unreachable``):
    trying again can't either, so it ends at once."""

    def __init__(
        self, have: Sequence[str], message_id: str | None, unreachable: Sequence[str] = ()
    ) -> None:
        super().__init__(f"sent to {len(have)} of its people, {len(unreachable)} unreachable")
        self.have = tuple(have)
        self.unreachable = tuple(unreachable)
        self.message_id = message_id


class ThreadStayed(Exception):  # noqa: N818 - a partial outcome, reported to the person
    """Raised by ``ChatGateway.delete`` when the post itself is deleted but the thread the
    platform opened on it stays, titled with the post's words (on Discord, a thread the bot may
    neither delete nor rename). The person is told that thread stayed, not that the post did."""


class RefusedForGood(Exception):  # noqa: N818 - a refusal, not a fault of ours
    """The platform refuses a change to a post until someone changes something (``CannotDelete``,
    ``CannotEdit``): a repair logs it once and tries weekly. ``reason``: the platform's error
    code, never the post's words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CannotDelete(RefusedForGood):
    """Raised by ``ChatGateway.delete`` when the platform refuses for good to delete the post:
    the app may not delete it (Slack's ``cant_delete_message``), or may no longer reach its
    channel (the app removed from it; Discord's Missing Access). Trying again gives the same
    answer until someone changes something, so a repair tries weekly; any other exception from
    ``delete`` may pass."""


class CannotEdit(RefusedForGood):
    """Raised by ``ChatGateway.update`` when the platform refuses for good to edit the post: the
    app may not edit it (Slack's ``cant_update_message``, ``edit_window_closed``, an archived
    channel), or may no longer reach its channel (the app removed from it; Discord's Missing
    Access). As with ``CannotDelete``, trying again gives the same answer until someone changes
    something, so a repair tries weekly instead of every few hours; any other exception from
    ``update`` may pass."""


class ChatGateway(Protocol):
    """How the core speaks first (scheduled prompts, digests, introductions): one per platform."""

    async def post(self, tenant: TenantRef, post: Post) -> str:
        """Deliver ``post`` in ``tenant``; return the platform's message id (a thread anchor).

        Raises ``CannotPostThere`` when the platform refuses the channel for good."""
        ...

    async def update(self, tenant: TenantRef, message_id: str, post: Post) -> None:
        """Replace the text of the bot's own post ``message_id``, made with ``post``'s
        ``channel_id`` and ``thread_of``, with ``post``'s (an edited update in a prompt's
        thread). Returns also when the post is gone (nothing shows the old text any more).
        Raises when it can't, ``CannotEdit`` when the platform refuses for good; the caller
        tells the person the post is unchanged."""
        ...

    async def delete(
        self, tenant: TenantRef, channel_id: str, message_id: str, *, thread_of: str | None = None
    ) -> None:
        """Remove the bot's own post ``message_id`` from ``channel_id`` (and whatever the
        platform made of it that repeats its words, like a Discord thread titled with it).
        ``thread_of`` is the thread it was posted in (``Post.thread_of``), if any: a post
        there opened no thread of its own, and on some platforms lives in the thread.

        Returns once it is gone, also when it was gone already (deleted by someone, or its
        channel deleted); raises when it stays, so the caller can tell the person it named:
        ``ThreadStayed`` when only the thread titled with its words stays, ``CannotDelete`` when
        the platform refuses for good, anything else (which may pass) when the post stays.
        Used by forget-me and ``ask-channel withdraw`` (an open question names its asker), and
        when a form update posted in a prompt's thread is deleted."""
        ...


@runtime_checkable
class AccessRefresher(Protocol):
    """A gateway that can re-read who may open which private channel, when asked.

    Optional: a platform whose events already keep channel membership current (Slack, the
    console) doesn't implement it. Discord without privileged intents hears of no role change or
    departure, so before the weekly introductions draw reasons from private channels the
    scheduler asks it to correct the participants' access first (docs/adr/0010).
    """

    async def refresh_access(self, tenant: TenantRef, user_ids: Sequence[str]) -> None: ...


@runtime_checkable
class ReturnHeard(Protocol):
    """An adapter told when someone forgotten comes back (their own command, click or mention
    cleared their mark: ``Turn.returned``), so it re-learns which private channels they read.

    Optional. While someone is forgotten, joins the platform tells about them are dropped
    (ADR 0004, "forgotten stays forgotten"); once they are back, those channels would count
    for them only after someone next ran a command there. Slack lists the private channels the
    bot shares with them (``users.conversations``) and the core stores each it knows as private
    (``channels.relearned``). Called after the command's answer is ready: it starts the work in
    the background and returns at once, so nobody's answer waits for it, and never raises.
    Discord needs none: its access re-check before their own command stores every private
    channel they read, as theirs, before the answer.
    """

    def came_back(self, tenant: TenantRef, user_id: str) -> None: ...


@runtime_checkable
class OneMessage(Protocol):
    """A gateway that delivers a long post as several messages (Discord: over 4,096
    characters), and can say whether a post stays one.

    Optional. A post that is tried again when it fails (the weekly followed-topics DM) is
    built to fit one message: a failure then leaves nothing of it delivered, and the retry
    repeats no part. A gateway without it (Slack, the console) sends any post within
    ``replies.MESSAGE_BUDGET`` as one message.
    """

    def fits_one_message(self, tenant: TenantRef, post: Post) -> bool: ...


@runtime_checkable
class PostFinder(Protocol):
    """A gateway that can find the bot's own post in a thread again, when its id was never
    saved (the process stopped between the platform's answer and the save).

    Optional. Discord lets the bot read its own messages in a thread; Slack would need a
    ``*:history`` scope the app doesn't ask for, so it isn't one. Without it, such a post is
    told to its author as unknown (``update_posts.UNSURE_EDIT``).
    """

    async def find_post(self, tenant: TenantRef, post: Post, *, known: Sequence[str]) -> str | None:
        """The id of the bot's oldest message in ``post.thread_of`` that begins with
        ``post``'s first line (who wrote the update) and isn't in ``known`` (the posts noted
        already); ``None`` when there is none. Raises when the platform can't be asked."""
        ...


@runtime_checkable
class DepartureCheck(Protocol):
    """A gateway that can say which of a workspace's people the platform has deactivated.

    Optional. Slack tells of a deactivation as it happens (``user_change``), but not of one that
    happened before: an account deactivated while an older narrate-bot ignored that event (or
    before migration 0012 began keeping departures) stayed present, and could be introduced,
    suggested and reminded. Before the weekly introductions the scheduler asks, and marks the
    deactivated ones departed. Discord re-reads its members in ``refresh_access`` instead.
    """

    async def deactivated(self, tenant: TenantRef, user_ids: Sequence[str]) -> set[str]: ...


@runtime_checkable
class ReadersKeptWhileOut(Protocol):
    """A gateway whose platform goes on telling who reads a private channel while the bot is
    out of it (Discord reads access off roles and overwrites, sent in or out).

    Optional. When the bot is found back in a channel it was stored as out of (a post the
    platform took there, ``ChannelDescribed.bot_in``), the readers learned meanwhile are
    forgotten (``channel_sharing.back_in``): on Slack nobody leaving is told then. Such a
    gateway's are kept, or its readers would lose the channel's narrations until their next
    command there. The one place this is said: the core asks ``readers_kept`` wherever it
    needs to know.
    """

    def readers_kept_while_out(self) -> bool: ...


def readers_kept(gateway: object) -> bool:
    """Whether ``gateway``'s platform kept telling a channel's readers while the bot was out
    of it (``ReadersKeptWhileOut``); ``False`` for any other gateway, or none."""
    return isinstance(gateway, ReadersKeptWhileOut) and gateway.readers_kept_while_out()


@runtime_checkable
class ChannelSharing(Protocol):
    """A gateway that can say, when asked, whether people outside the workspace read a channel.

    Optional. A digest or an introductions post is built from the stored ``shared`` flag, which
    only an event from the channel updates: one stored before the flag existed (migration 0010),
    by an older version during a rolling deploy, or shared while the app wasn't subscribed to
    ``channel_shared`` may be wrong. The scheduler asks right before building either.

    ``None`` (or a raise) when the platform couldn't say: an outage, a channel it won't
    describe, a rate limit in force. That is no answer about the channel: the post is built
    as for a shared one (the careful reading), and the guess is never stored over what was
    known, or an internal channel would stay stored as shared after it.
    """

    async def shared_now(self, tenant: TenantRef, channel_id: str) -> bool | None: ...


@dataclass(frozen=True)
class PermissionsMissing:
    """Why the bot can't post in a channel where access follows permissions, not membership
    (Discord): the ones it lacks there, named as the platform's settings name them ("View
    Channel", "Send Messages"), and who can grant them, as a sentence. "I'm not in it" sent
    admins looking for an invitation that doesn't exist there."""

    missing: tuple[str, ...]
    how_to_grant: str


@runtime_checkable
class ChannelPresence(Protocol):
    """A gateway that can tell whether the bot is in a channel, and so may post there.

    Asked when someone chooses the channel the bot will post in on its own (the open-questions
    channel), so they hear at once that it must be added, not from each asker's failed post.
    Call it outside any transaction: a gateway may open one of its own. A gateway without it
    (the console) is not asked. On Discord, where access follows roles, "in it" means it may
    view the channel and send messages there (``PermissionsMissing`` says which it can't).
    """

    async def how_to_add(
        self, tenant: TenantRef, channel_id: str
    ) -> str | PermissionsMissing | None:
        """``None`` when the bot is in ``channel_id`` (or the platform won't say); otherwise
        how someone adds it, as a sentence (``CannotPostThere.how_to_add``), or the
        permissions it lacks there."""
        ...


@dataclass(frozen=True)
class ChannelNow:
    """What the platform says of a channel when asked; ``None`` where it didn't say."""

    shared: bool | None = None  # read by people outside the workspace (Slack Connect, Grid)
    archived: bool | None = None
    member: bool | None = None  # the bot is in it
    # Who reads it, for a private channel the bot is in (``None``: not asked, or not said):
    # what is kept from while the bot was out is stale (``channel_sharing.back_in``).
    members: tuple[str, ...] | None = None


@runtime_checkable
class ChannelLookup(Protocol):
    """A gateway that can say, when asked, whether a channel is shared, archived, and whether
    the bot is in it, in one look-up.

    Optional. The open-questions channel is refused (and not offered) while its stored row says
    it is shared, archived or the bot left; only an event from the channel corrects those
    flags, so one stored by migration 0022 or left by a missed event would refuse for ever. The
    core asks only when the stored flags would refuse, keeps the answer, and refuses only on
    what the platform said (or, when it can't say, on what was stored). Call it outside any
    transaction. A gateway without it (Discord, which has neither archiving nor sharing and
    stores only ``bot_left`` from its own access tracking, and the console) is not asked.
    """

    async def channel_now(self, tenant: TenantRef, channel_id: str) -> ChannelNow | None:
        """``None`` when the platform couldn't be asked or wouldn't answer."""
        ...


@runtime_checkable
class QueuedReplies(Protocol):
    """A platform that queues a reply to someone's event it was refused for a while (a rate
    limit in force) and is handed it back when it is due (``features.queued_replies``). The
    payload is the platform's own, a JSON object: the core keeps it, in order, and claims it
    once, and reads two of its keys for the person's export, ``user`` (whom it answers) and
    ``channel`` (where); a forget-me of someone a reply names turns one whose ``reply`` (a
    ``Reply``) has an ``if_kept`` note into that note (``schedules.drop_replies_naming``)."""

    async def send_queued(
        self, tenant: TenantRef, payload: str, *, instead: str | None = None
    ) -> str | None:
        """Send a queued reply now; the message id ("" when the platform gives none), or
        ``None`` when it was not sent because nobody it was meant for may read it there any
        more (they left the private channel, its readers widened). Raises ``NotPosted`` for
        later, ``CannotPostThere`` when refused for good. ``instead``: a line said in its
        place, to its person alone (privately where it was asked, or their DM), never to a
        channel's readers: the reply was given up (``queued_replies.keep_dropped_note``)."""
        ...


@runtime_checkable
class ReplyHearing(Protocol):
    """A gateway that may not be told of plain replies, and knows whether it is.

    A prompt says "reply in this thread" and a personal reminder "reply here" only where the
    platform passes those replies to us: a default Slack install holds no ``*:history`` scope,
    and Discord sends thread text only with the Message Content intent and DMs never. Anywhere
    else the reply would be silently lost, so the post points to its button instead. ``kind`` is
    the channel's (``DIRECT`` for the person's DM with the bot). A gateway without this method
    (the console) hears everything.
    """

    async def hears_replies(self, tenant: TenantRef, kind: ChannelKind) -> bool: ...


class Introductions(Protocol):
    """The weekly connections feature as the scheduler sees it.

    The scheduler decides *when* (the tenant's weekday and time, claimed exactly once per slot);
    this decides *what*: the suggestions to deliver, each its own ``Post``, and the mid-week
    follow-up asking whether people met. Implementations record what they suggested before
    returning, so a second call for the same week returns nothing new.
    """

    async def weekly(self, *, tenant: TenantRef, now: datetime) -> list[Post]: ...

    async def follow_up(self, *, tenant: TenantRef, now: datetime) -> list[Post]: ...


@runtime_checkable
class SessionIntroductions(Protocol):
    """An ``Introductions`` port that works inside the scheduler's transaction, so a week's
    round, its introductions and the posts queued for them commit together: a failure in
    between leaves the week unclaimed for the retry, never claimed with nothing sent. The round
    is the week of ``slot``, the local date the run was scheduled for."""

    async def weekly_in(
        self, session: Session, *, tenant: TenantRef, slot: date, now: datetime
    ) -> list[Post]: ...

    async def follow_up_in(
        self, session: Session, *, tenant: TenantRef, now: datetime
    ) -> list[Post]: ...
