"""Keeping the core's idea of who can read which channel current, without privileged intents.

Channel create/update/delete and role changes arrive with the default intents; member joins,
leaves and role changes don't (they need the privileged members intent, which we don't ask
for), and the member cache keeps whatever roles a person had when last seen. So: channels are
described on sight and on every change, cached members' access is recomputed then, and each
person's access to every private channel is re-checked from their own roles whenever they talk
to the bot (an interaction or a mention), before the core answers them. The weekly
introductions speak first, to people who may not have talked to the bot for weeks, and their
reasons may name topics from private channels: before they are computed, each participant's
member record is fetched again over REST (no intent needed; ``recheck``), and someone no longer
in the server loses every private channel and counts as gone (never suggested or introduced
until they use the bot again). Only a stale membership nothing reads before it is corrected can
remain.

What the core has stored is compared with the fresh view, not a memory of what we last told it:
the core changes memberships on its own (a forget-me erases them, a command in a private channel
adds its author, another replica writes too), and a remembered "already told" then hid a change
that was needed, such as someone who erased themselves and still reads a channel.

The bot's own access is followed too, for what Discord refused while it was out (a delete, an
edit): a channel it may see and post in again is told to the core as one it is back in, as
Slack's ``member_joined_channel`` for the app is. A channel's overwrites come with the channel
(CHANNEL_UPDATE); a role's permissions (GUILD_ROLE_UPDATE, the guilds intent) and a role given
to the bot (GUILD_MEMBER_UPDATE, which Discord sends for the bot's own member without the
members intent) name no channel, so the channels the bot reached are kept per guild and
compared after each (``_access_changes``); so is a guild available again after a fresh
connection, when a change made while the bot was disconnected is never sent. A channel it can
no longer see or post in is told as one it is out of, which the core keeps (``bot_left``, as
Slack's ``channel_left``): that record outlives the process, so at a guild's first look after a
start each channel stored so and reached now is told as one it is back in, and each stored as
one it is in and not reached now as one it is out of (access given back or taken away while the
process was down sends nothing either). Its readers stand throughout: they are read
off roles and overwrites, which Discord sends whether the bot is in the channel or not.

A private thread is a private place of its own, read by the people in it who can see its parent.
The bot can't list a thread's members (that needs the members intent either) and hears nothing
when someone is taken out of one, so its readers are the people the core recorded there
(whoever used the bot inside), and each is checked again whenever their access is: the parent's
permissions, then their thread membership over REST (``GET /channels/{thread}/thread-members/
{user}``, no intent needed). A thread the bot can't look up counts as unreadable until they use
the bot inside again; a deleted one is read by no one. An archived thread isn't cached, so it is
fetched too: those look-ups run side by side, and a thread fetched lately is kept for
``THREAD_LOOKUP_SECONDS`` (its parent and type, all that is read from it, don't go stale; its
parent's permissions are read from the cache each time). The membership is always asked anew.

What a look-up of a stored place answered is kept in the database: gone (404) for good, refused
(403: the bot may not see it; such a place is private, its stored readers standing) until the
bot's access in the guild may have changed or ``REFUSED_RECHECK`` has passed. A first look asks
only about the others, so restarts don't repeat a guild's look-ups (each a REST call), and about
a refused place someone is stored as reading: found deleted, it loses them at once. A refusal
answered while the bot's access changed (the look-up on its way as the event came) is not kept
past that change: it answered for the access before it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Protocol

import discord

from narrate_bot.events import ChannelDescribed, ChannelKind, ChannelRef, Event, Platform
from narrate_bot.replies import Reply
from narrate_bot.storage import channel_sharing, place_lookups
from narrate_bot.storage import repositories as repo
from narrate_bot.storage.database import Database

from . import translate
from .visibility import (
    cached_readers,
    can_view,
    channel_kind,
    describable,
    private_channel_access,
)

log = logging.getLogger(__name__)

# How long a private thread fetched over REST (archived ones aren't cached) is kept.
THREAD_LOOKUP_SECONDS = 300.0
# How long a stored place Discord refused to describe isn't asked about at a first look, unless
# the bot's access in its server changed meanwhile (``AccessTracker.access_changed``).
REFUSED_RECHECK = timedelta(days=1)
Place = discord.abc.GuildChannel | discord.Thread
# What ``Guild.fetch_channel`` says of a place that is no channel of the guild (a DM, another
# guild's). Its other InvalidData, a channel type discord.py doesn't know (one Discord added
# since), says nothing of who reads the place: that is asked again, as a timeout is.
NOT_THE_GUILDS = ("resolved to a private channel", "resolved to a different guild")


def _refusal(problem: Exception) -> bool:
    """Whether Discord's answer means the bot may not describe the place: it can't see it
    (403), or the place is no channel of this guild."""
    if isinstance(problem, discord.Forbidden):
        return True
    return isinstance(problem, discord.InvalidData) and any(
        words in str(problem) for words in NOT_THE_GUILDS
    )


class Handles(Protocol):
    async def handle(self, event: Event) -> list[Reply]: ...


class AccessTracker:
    def __init__(
        self,
        core: Handles,
        db: Database | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``db`` is where the core keeps memberships; ``None`` for a stand-in core that keeps
        none (then every readable private channel is told each time)."""
        self.core = core
        self.db = db
        self.clock = clock
        # Private threads fetched over REST lately: place id -> (when, the thread).
        self._fetched: dict[str, tuple[float, Place]] = {}
        # The channels the bot could see and post in at the last look, per guild (see
        # ``_access_changes``).
        self._reach: dict[int, set[int]] = {}
        # How many times the bot's access in each guild may have changed (``access_changed``):
        # a look-up that began before a change answers for the access it had then.
        self._changes: dict[int, int] = {}

    async def describe_guild(
        self, guild: discord.Guild, now: datetime, *, joined: bool = False
    ) -> None:
        """``joined``: the bot was added to the guild (again): every channel it reaches is
        told as one it is back in. Otherwise (a role created, changed or deleted; the guild
        available again after a fresh connection) so is each channel it reaches now and
        didn't at the last look, and each it reached then and doesn't now is told as one it
        is out of."""
        if joined or guild.id in self._reach:  # not the first look: access may have changed
            await self.access_changed(guild)
        stored = await self._stored(guild, joined=joined)
        changed = self._access_changes(guild, joined=joined, stored=stored)
        for channel in describable(guild):
            await self.describe_channel(channel, now, bot_in=self._still(guild, changed, channel))
        await self._deleted_while_down(guild, stored, now)

    async def _deleted_while_down(
        self, guild: discord.Guild, stored: dict[int, bool], now: datetime
    ) -> None:
        """At a guild's first look, each stored place it no longer lists is looked up: one
        deleted while the process was down (no CHANNEL_DELETE reached us) is told gone, as a
        live delete is, so its stored readers don't keep its narrations. A private thread isn't
        listed either (an archived one isn't cached): ``_find`` fetches it, and only Discord's
        NotFound counts as deleted (a refusal or a timeout leaves the place as stored). Only the
        missing ones are asked, one at a time (discord.py waits out each 429), and only those
        that may answer something new (``_worth_asking``): what Discord said is kept
        (``place_lookups``), so a restart doesn't ask again about every channel deleted since
        the guild was added, nor, for a while, about places the bot may not see."""
        listed = {c.id for c in describable(guild)}
        if not set(stored) - listed:
            return
        places = await self._places(guild)
        for place_id in sorted(set(places) - listed):
            if self._worth_asking(places[place_id], now):
                await self._find(guild, str(place_id), now)  # NotFound: told gone there

    async def _places(self, guild: discord.Guild) -> dict[int, place_lookups.StoredPlace]:
        """The guild's stored places with what their last look-up said."""
        assert self.db is not None  # ``stored`` came from it
        async with self.db.snapshot() as session:
            stored = await place_lookups.stored_places(
                session, platform=Platform.DISCORD.value, external_id=str(guild.id)
            )
        return {int(c): p for c, p in stored.items() if c.isdigit()}

    @staticmethod
    def _worth_asking(place: place_lookups.StoredPlace, now: datetime) -> bool:
        """Whether a stored place the guild doesn't list may answer something new: not a DM
        kept under the server (no channel of it: Discord answers with the DM), not one Discord
        said is gone (it reuses no id), not one it refused lately (``REFUSED_RECHECK``; the
        refusals are forgotten when the bot's access changes) that no one is stored as reading.
        One with readers is asked at every first look, refused or not: deleted while the
        process was down, it must lose them then, not a day later. Not asking leaves the place
        as stored, as a refusal does: nothing is ever shown to more people for it."""
        if place.kind == ChannelKind.DIRECT.value or place.outcome == place_lookups.GONE:
            return False
        if (
            place.outcome == place_lookups.REFUSED
            and place.looked_at is not None
            and not place.read
        ):
            return now - place.looked_at >= REFUSED_RECHECK
        return True

    async def access_changed(self, guild: discord.Guild) -> None:
        """The bot's access in ``guild`` may have changed (a channel created or updated, a role,
        the bot's own roles, a thread it was added to, a fresh connection): the places it was
        refused are asked about again at the next first look. Only written when some are kept
        so, as read from the database, not from memory: a refusal noted by another replica, or
        by this process's first look while the event was on its way, is forgotten too."""
        # Counted before anything is read: a look-up on its way now, refused for the access
        # the bot had before this change, keeps no refusal for after it (``_find``).
        self._changes[guild.id] = self._changes.get(guild.id, 0) + 1
        await self._forget_refusals(guild)

    async def _forget_refusals(self, guild: discord.Guild) -> None:
        if self.db is None:
            return
        platform, external_id = Platform.DISCORD.value, str(guild.id)
        async with self.db.snapshot() as session:
            if not await place_lookups.any_refused(
                session, platform=platform, external_id=external_id
            ):
                return
        async with self.db.transaction() as session:
            await place_lookups.forget_refusals(session, platform=platform, external_id=external_id)

    async def _note(self, guild: discord.Guild, place_id: str, outcome: str, now: datetime) -> None:
        """Keep what Discord said of a stored place, so a restart doesn't ask again."""
        if self.db is None:
            return
        async with self.db.transaction() as session:
            await place_lookups.note(
                session,
                platform=Platform.DISCORD.value,
                external_id=str(guild.id),
                channel_id=place_id,
                outcome=outcome,
                at=now,
            )

    async def bot_roles_changed(self, guild: discord.Guild, now: datetime) -> None:
        """The bot's own member changed (GUILD_MEMBER_UPDATE, which Discord sends for the bot
        itself without the members intent): a role given or taken may open or close channels.
        Only those are told; nobody else's access or any channel's kind depends on the bot's
        roles."""
        await self.access_changed(guild)
        changed = self._access_changes(guild, stored=await self._stored(guild))
        for channel in describable(guild):
            if channel.id in changed:
                await self.describe_channel(
                    channel, now, bot_in=self._still(guild, changed, channel)
                )

    async def _stored(self, guild: discord.Guild, *, joined: bool = False) -> dict[int, bool]:
        """The guild's channels the core has down as ones the bot is out of (``False``) or in
        (``True``), read only at the first look of this process (else empty): the record of
        what the bot reached is in memory, and access given back or taken away while the
        process was down sends no event, so without this what was refused there waited its
        weekly retry, and a channel lost then was never stored as left."""
        if joined or guild.id in self._reach or self.db is None:
            return {}
        async with self.db.snapshot() as session:
            stored = await channel_sharing.bot_in_by_channel(
                session, platform=Platform.DISCORD.value, external_id=str(guild.id)
            )
        return {int(c): bot_in for c, bot_in in stored.items() if c.isdigit()}

    def _access_changes(
        self, guild: discord.Guild, *, joined: bool = False, stored: dict[int, bool] | None = None
    ) -> dict[int, bool]:
        """The channels whose access by the bot (see and post) changed since the last look, as
        ``bot_in``: ``True`` reached now and not then, ``False`` reached then and not now; and
        that look is now this one.

        A role change doesn't say what it opened or closed: GUILD_ROLE_UPDATE changes the role
        in the cache before any handler runs, and a role given to the bot names no channel. So
        the channels it reached are kept per guild and compared with ``permissions_for`` (from
        the cache, no privileged intent). Read and written with no await between them:
        discord.py runs each event's handler as its own task, and each change is then told
        once, by whichever handler sees it first. At a guild's first look in this process
        what the core has ``stored`` stands for the last look: a channel stored as one the bot
        is out of and reached now is told as one it is back in, one stored as in and not
        reached now as one it is out of (``joined`` tells every reached one)."""
        reached = {c.id for c in describable(guild) if translate.bot_reaches(c)}
        present = {c.id for c in describable(guild)}
        known = self._reach.get(guild.id)
        self._reach[guild.id] = reached
        if joined:
            return dict.fromkeys(reached, True)
        if known is None:
            stored = stored or {}
            out = {c for c, bot_in in stored.items() if not bot_in}
            lost = {c for c, bot_in in stored.items() if bot_in} & present
            return dict.fromkeys(reached & out, True) | dict.fromkeys(lost - reached, False)
        changed = dict.fromkeys(reached - known, True)
        changed.update(dict.fromkeys((known - reached) & present, False))
        return changed

    def _still(
        self, guild: discord.Guild, changed: dict[int, bool], channel: discord.abc.GuildChannel
    ) -> bool | None:
        """``changed``'s word on ``channel``, unless the bot's reach of it changed since that was
        computed: each channel is told in the guild's turn, and a live event (CHANNEL_UPDATE,
        another role change) may have been handled meanwhile, which told the channel's new
        state itself; telling the older word after it would store it wrong until the next
        restart."""
        bot_in = changed.get(channel.id)
        if bot_in is None or (channel.id in self._reach.get(guild.id, set())) != bot_in:
            return None
        return bot_in

    def channel_reached(
        self, channel: discord.abc.GuildChannel, before: discord.abc.GuildChannel | None = None
    ) -> bool | None:
        """Whether the bot may now see and post in ``channel`` (``True``) where it couldn't at
        the last look (kept as ``_access_changes`` keeps it), or no longer may (``False``);
        ``None``: unchanged. ``before``, the channel before this change, decides when the guild
        was never looked at."""
        reaches = translate.bot_reaches(channel)
        known = self._reach.get(channel.guild.id)
        if known is None:
            if before is None or translate.bot_reaches(before) == reaches:
                return None
            return reaches
        was = channel.id in known
        if reaches:
            known.add(channel.id)
        else:
            known.discard(channel.id)
        return None if was == reaches else reaches

    def forget(self, guild_id: int, channel_id: int | None = None) -> None:
        """The channel (``None``: the whole guild) is gone, or the bot from it."""
        if channel_id is None:
            self._reach.pop(guild_id, None)
        else:
            self._reach.get(guild_id, set()).discard(channel_id)

    async def describe_channel(
        self, channel: discord.abc.GuildChannel, now: datetime, *, bot_in: bool | None = None
    ) -> None:
        """``bot_in``: the bot can see and post in the channel again (it couldn't before), or
        no longer can (``False``); ``None``: unchanged."""
        await self.core.handle(translate.channel_described(channel, now=now, bot_in=bot_in))
        if channel_kind(channel) != ChannelKind.PRIVATE:
            return
        ref = translate.where(channel)
        for user_id, visible in cached_readers(channel).items():
            await self.core.handle(
                translate.membership(channel.guild, ref, user_id, joined=visible, now=now)
            )

    async def channel_deleted(self, channel: discord.abc.GuildChannel, now: datetime) -> None:
        """Its narrations' readers go with it in the core (``channels.channel_deleted``)."""
        self.forget(channel.guild.id, channel.id)
        await self.core.handle(translate.channel_deleted(channel, now=now))

    async def thread_deleted(
        self, guild: discord.Guild, thread_id: int, kind: discord.ChannelType, now: datetime
    ) -> None:
        """A deleted private thread can be read by no one, like a deleted channel. (A public
        thread's narrations live under its parent, which is still there.)"""
        self._fetched.pop(str(thread_id), None)
        if kind == discord.ChannelType.private_thread:
            await self._gone(guild, str(thread_id), now)

    async def _hidden(self, guild: discord.Guild, place_id: str, now: datetime) -> None:
        """A place Discord won't describe: who reads it can't be told, so it is private
        (stored as private already, nothing is written); those stored as its readers stand
        until each is checked again."""
        ref = ChannelRef(channel_id=place_id, name="", kind=ChannelKind.PRIVATE)
        hidden = ChannelDescribed(tenant=translate.tenant(guild), channel=ref, occurred_at=now)
        await self.core.handle(hidden)

    async def _gone(self, guild: discord.Guild, place_id: str, now: datetime) -> None:
        ref = ChannelRef(channel_id=place_id, name="", kind=ChannelKind.PRIVATE)
        gone = ChannelDescribed(
            tenant=translate.tenant(guild), channel=ref, members=(), occurred_at=now
        )
        await self.core.handle(gone)

    async def refresh(
        self, guild: discord.Guild, member: discord.Member, now: datetime, *, by_actor: bool = False
    ) -> None:
        """Tell the core which private places ``member`` can read now, where that differs from
        what it has stored. ``by_actor``: ``member`` is using the bot now (their interaction or
        mention), so they are back after a forget-me and their places are stored; otherwise (a
        re-check the bot started) nothing is stored of someone forgotten.

        Private threads are not guild channels: their readers are the people the core recorded
        there (whoever used the bot inside), and each of them is checked again here, since
        nothing tells the bot when someone loses the parent channel or is removed from the
        thread (thread member events about others need the members intent). They are checked
        side by side: one after another, a few archived threads (REST look-ups each) held every
        answer past the deferral, and the narration form with it.
        """
        recorded = await self._recorded(guild.id, member.id)
        channels = {str(c.id): c for c in describable(guild)}
        access = private_channel_access(member, channels.values())
        refs = {channel_id: translate.where(channels[channel_id]) for channel_id in access}
        others = sorted(recorded - channels.keys())
        checked = await asyncio.gather(*(self._check(guild, p, member, now) for p in others))
        for place_id, (name, visible) in zip(others, checked, strict=True):
            refs[place_id] = ChannelRef(channel_id=place_id, name=name, kind=ChannelKind.PRIVATE)
            access[place_id] = visible
        await self._tell(guild, refs, member.id, access, recorded, now, by_actor=by_actor)

    async def _check(
        self, guild: discord.Guild, place_id: str, member: discord.Member, now: datetime
    ) -> tuple[str, bool]:
        """A recorded place that isn't a guild channel: its name, and whether ``member``
        reads it now."""
        place = await self._find(guild, place_id, now)
        if place is None:
            return "", False
        return place.name, await self._reads(place, member)

    async def _find(self, guild: discord.Guild, place_id: str, now: datetime) -> Place | None:
        """The recorded place, from the cache or else from Discord (an archived thread isn't
        cached, nor one from before a restart); ``None`` when it can't be had, which counts as
        unreadable: better to hide a narration until its reader uses the bot there again than
        to show it to someone who may have lost it."""
        cached = guild.get_channel_or_thread(int(place_id))
        if cached is not None:
            return cached
        fetched_at, fetched = self._fetched.get(place_id, (None, None))
        if (
            fetched is not None
            and fetched_at is not None
            and fetched.guild.id == guild.id
            and self.clock() - fetched_at < THREAD_LOOKUP_SECONDS
        ):
            return fetched
        changes = self._changes.get(guild.id, 0)
        try:
            place = await guild.fetch_channel(int(place_id))
        except discord.NotFound:  # deleted (a channel's threads go with it, unannounced)
            await self._gone(guild, place_id, now)
            await self._note(guild, place_id, place_lookups.GONE, now)
        except Exception as problem:  # refused (kept), or a timeout, a 5xx, a new type: asked again
            log.info("can't look up place %s in guild %s (%s)", place_id, guild.id, problem)
            if _refusal(problem):
                await self._hidden(guild, place_id, now)
                await self._note(guild, place_id, place_lookups.REFUSED, now)
                if self._changes.get(guild.id, 0) != changes:
                    # The bot's access changed while it was asked (or the refusal noted): that
                    # change's forgetting may have read the refusals before this one was kept.
                    await self._forget_refusals(guild)
        else:
            if isinstance(place, discord.Thread):  # a channel's overwrites would go stale
                self._remember(place_id, place)
            return place
        return None

    def _remember(self, place_id: str, place: Place) -> None:
        """Keep a fetched place for a while, forgetting those kept too long."""
        now = self.clock()
        for stale in [
            k for k, (at, _) in self._fetched.items() if now - at >= THREAD_LOOKUP_SECONDS
        ]:
            del self._fetched[stale]
        self._fetched[place_id] = (now, place)

    async def _reads(self, place: Place, member: discord.Member) -> bool:
        """A private thread is read by those who see its parent and are in it, or who manage
        threads there (Discord shows them every private thread)."""
        if not isinstance(place, discord.Thread):
            return can_view(place, member)
        if place.parent is None or not place.permissions_for(member).view_channel:
            return False
        if place.type != discord.ChannelType.private_thread:
            return False  # never a place of its own (a public thread counts as its parent)
        if place.permissions_for(member).manage_threads:
            return True
        try:
            await place.fetch_member(member.id)
        except discord.NotFound:  # not in it (or the thread is gone: looked up again next time)
            self._fetched.pop(str(place.id), None)
            return False
        except Exception as problem:  # refused (the bot isn't in the thread), a timeout
            log.info("can't tell who is in thread %s (%s); taken as not", place.id, problem)
            return False
        return True

    async def _tell(
        self,
        guild: discord.Guild,
        refs: dict[str, ChannelRef],
        user_id: int,
        access: dict[str, bool],
        recorded: set[str],
        now: datetime,
        *,
        by_actor: bool = False,
    ) -> None:
        """Send the core each private place whose access differs from its stored one."""
        for place_id, visible in access.items():
            if (place_id in recorded) == visible:
                continue
            told = translate.membership(
                guild, refs[place_id], str(user_id), joined=visible, now=now, by_actor=by_actor
            )
            await self.core.handle(told)

    async def _recorded(self, guild_id: int, user_id: int) -> set[str]:
        """The private places of this guild the core has ``user_id`` down as reading.

        Read each time, outside the per-guild queue: a read racing a write of the same person
        at worst tells the core again what it already has (adding or removing is idempotent).
        Read in a snapshot: on SQLite a transaction takes the write lock, and every command,
        click and mention reads this first, so each waited behind any other writer (a
        forget-me's scrub, the weekly job, another replica) and failed with "database is
        locked" past the busy timeout, though it writes nothing. What differs is then written
        by the core, in its own transaction, before the answer that depends on it.
        """
        if self.db is None:
            return set()
        async with self.db.snapshot() as session:
            return await repo.private_places_of(
                session,
                platform=Platform.DISCORD.value,
                external_id=str(guild_id),
                user_id=str(user_id),
            )

    async def recheck(self, guild: discord.Guild, user_ids: Iterable[int], now: datetime) -> None:
        """Fetch each person's roles anew and tell the core what they may view now.

        One request at a time: discord.py waits out each 429 (the members route has its own
        bucket), and a batch of participants shouldn't burst. The cached member is not used: no
        member update reaches us, so its roles are the ones it had when it was cached.
        """
        for user_id in user_ids:
            try:
                member = await guild.fetch_member(user_id)
            except discord.NotFound:  # left the server (or the account is gone)
                await self.revoke(guild, user_id, now)
                await self.core.handle(translate.departed(guild, str(user_id), now=now))
                continue
            except Exception as problem:  # refused, timed out, or rate limited past our wait
                # Fail closed: they read nothing private until their next interaction, which
                # re-checks them before any answer; a reason must not rely on a stale row.
                log.warning(
                    "couldn't re-read a member of guild %s (%s); no private channels for them",
                    guild.id,
                    type(problem).__name__,
                )
                await self.revoke(guild, user_id, now)
                continue
            await self.refresh(guild, member, now)

    async def revoke(self, guild: discord.Guild, user_id: int, now: datetime) -> None:
        """No private place of ``guild`` is open to ``user_id`` any more, as far as we know."""
        recorded = await self._recorded(guild.id, user_id)
        refs = {
            place_id: ChannelRef(channel_id=place_id, name="", kind=ChannelKind.PRIVATE)
            for place_id in recorded
        }
        closed = dict.fromkeys(recorded, False)
        await self._tell(guild, refs, user_id, closed, recorded, now)
