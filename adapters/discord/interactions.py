"""Answering slash commands, button clicks and modal submissions within Discord's deadlines.

Discord invalidates an interaction that gets no initial response within 3 s. The core gets
``DEFER_AFTER`` seconds; if it hasn't answered by then the interaction is deferred ("thinking…",
only the person sees it) and the answer follows as a follow-up, which the token allows for
15 minutes. A form can only be opened as the *initial* response, so a form that arrives after
a deferral becomes a button that opens it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import discord

from narrate_bot.config import Settings
from narrate_bot.events import ActorEvent, CommandInvoked, Event, Platform, TenantRef
from narrate_bot.features.narrate import NARRATION_FORM
from narrate_bot.features.privacy import brings_back
from narrate_bot.features.prompt_replies import REPLY_FORM
from narrate_bot.knowledge.durations import in_about
from narrate_bot.ports import ChatGateway
from narrate_bot.replies import Button, Post, Reply, Visibility, quoted
from narrate_bot.routing import KEEP
from narrate_bot.storage import pending_actions
from narrate_bot.storage.pending_actions import ANYONE

from . import translate
from .access import AccessTracker
from .gateway import DiscordGateway
from .kept import ALREADY_USED, EXPIRED, NOT_YOURS
from .render import FormModal, Outgoing, messages

log = logging.getLogger(__name__)

DEFER_AFTER = 1.0
# The pause before the one more try a failed interaction gets: long enough for a lock another
# connection held, or a dropped database connection, to be gone.
RETRY_AFTER = 0.5
TRIED_AGAIN = "Sorry, that didn't work on my side. Please try again in a minute."
# Instead of ``TRIED_AGAIN`` when Discord keeps a rate limit in force past discord.py's wait
# (``discord.RateLimited``, raised past ``max_ratelimit_timeout``: a DM click's member check):
# "in a minute" would be refused as often as they tried. ``{when}``: ``in_about``.
SLOWED = (
    "Sorry, Discord has asked me to slow down for a while, so that wasn't done. "
    "Please try again {when}."
)
OTHER_SERVER = "I can't act in that server: I'm no longer in it, or you aren't."
UNREACHABLE = (
    "I can't reach that server just now: Discord isn't telling me about it, or couldn't say "
    "whether you're in it. Please try again in a few minutes."
)
NOT_KNOWN_HERE = (
    "I can't work in this server just now: I'm no longer in it, or Discord hasn't told me about "
    "it yet (after an outage or a restart). Please try again in a few minutes."
)
NOT_HERE = "I work inside a server: use /narrate in one of its channels."
# Commands whose text is prose someone wrote (an update, an edit, a question for the channel):
# handed back when it couldn't be acted on, since Discord empties the command's box once sent.
PROSE = frozenset({"narrate", "narrate edit", "narrate ask-channel"})


class Core(Protocol):
    """The part of ``narrate_bot.app.Bot`` the adapter uses."""

    gateways: dict[Platform, ChatGateway]
    settings: Settings

    async def handle(self, event: Event) -> list[Reply]: ...

    async def reply_posted(
        self, tenant: TenantRef, reply: Reply, post: Post, message_id: str
    ) -> None: ...


class Interactions:
    def __init__(
        self,
        core: Core,
        gateway: DiscordGateway,
        access: AccessTracker,
        *,
        defer_after: float = DEFER_AFTER,
        retry_after: float = RETRY_AFTER,
    ) -> None:
        self.core = core
        self.gateway = gateway
        self.access = access
        self.defer_after = defer_after
        self.retry_after = retry_after

    # ----------------------------------------------------------------------------- inbound

    async def command(self, interaction: discord.Interaction[Any], command: str, text: str) -> None:
        """A slash command from the tree. It is guild-only, yet one can come from a guild the
        cache doesn't hold (the bot was removed, or the guild isn't available yet): discord.py
        then gives a placeholder guild, which ``_command`` turns away with the text quoted."""
        if interaction.guild is None:
            await interaction.response.send_message(NOT_HERE, ephemeral=True)
            return
        reopen = f"/{command} {text}".strip()
        await self._answer(
            interaction,
            lambda: self._command(interaction, command, text),
            reopen=lambda: reopen,
            written=[text] if command in PROSE else [],
        )

    async def _command(
        self, interaction: discord.Interaction[Any], command: str, text: str
    ) -> list[Reply]:
        guild = self._usable(interaction.guild)
        if guild is None:
            return [_refusal(NOT_KNOWN_HERE, [text])]
        event = translate.command_event(interaction, guild, command=command, text=text)
        return await self._handle(interaction, event, guild, interaction.user)

    async def component_or_modal(self, interaction: discord.Interaction[Any]) -> None:
        """Clicks on our buttons and submissions of our modals, recognised by custom_id."""
        if interaction.type not in (
            discord.InteractionType.component,
            discord.InteractionType.modal_submit,
        ):
            return
        parsed = translate.component(translate.custom_id_of(interaction))
        if parsed is None:
            return
        submitted = interaction.type == discord.InteractionType.modal_submit and parsed.form
        click = _Click(command=None if submitted or parsed.kept else parsed.payload)

        def work() -> Coroutine[Any, Any, list[Reply]]:
            return self._click(interaction, parsed, submitted=submitted, click=click)

        def reopen() -> str:
            return _reopening(parsed.payload) if submitted else click.command or ""

        def once() -> bool | None:
            if click.command is None:
                return None if parsed.kept and not submitted else False  # not read yet
            return not submitted and _keeps(click.command)

        written = list(translate.submitted(interaction).values()) if submitted else []
        replaced = await self._answer(
            interaction, work, reopen=reopen, written=written, replace=once
        )
        if replaced and parsed.kept and click.guild_id is not None and click.claimed is None:
            await self.gateway.kept.used(click.guild_id, parsed.payload)

    async def _click(
        self,
        interaction: discord.Interaction[Any],
        parsed: translate.Component,
        *,
        submitted: bool,
        click: _Click,
    ) -> list[Reply]:
        """The answer to a click or a submission. It runs inside ``_answer``'s timer: a click in
        a DM fetches the member over REST first, which can wait out a rate limit for up to a
        minute, and Discord drops the interaction if nothing answers it within 3 s. A kept
        command is read here too (``kept.py``), once the guild it was kept in is known."""
        acting = await self._acting(interaction, parsed.guild_id)
        if isinstance(acting, str):
            written = translate.submitted(interaction).values() if submitted else ()
            return [_refusal(acting, written)]
        guild, member = acting
        if submitted:
            form = translate.form_event(interaction, guild, parsed.payload)
            return await self._handle(interaction, form, guild, member)
        if parsed.kept and click.command is None:  # not read by an earlier try
            kept = await self.gateway.kept.find(guild.id, parsed.payload)
            if kept is None:
                return [Reply(text=EXPIRED)]  # nothing is deleted: whatever is kept stays
            if not kept.usable_by(str(interaction.user.id)):
                return [Reply(text=NOT_YOURS)]
            if kept.used:
                return [Reply(text=ALREADY_USED)]
            if kept.user_id != ANYONE and _one_shot(kept.command):
                if not await self.gateway.kept.claim(guild.id, parsed.payload, kept.user_id):
                    return [Reply(text=ALREADY_USED)]
                click.claimed = kept
            click.command, click.guild_id = kept.command, guild.id
        command = click.command
        if command is None:
            return [Reply(text=EXPIRED)]
        event = translate.button_event(interaction, guild, command)
        if event is None:
            return []
        try:
            return await self._handle(interaction, event, guild, member)
        except Exception:
            if click.claimed is not None:
                # Raised before anything was kept (``Turn.committed_as``: once a change has
                # committed, the core answers with it): the command is kept again before the
                # answer, so the offer left on screen works, and a retry claims it afresh.
                await self.gateway.kept.put_back(guild.id, parsed.payload, click.claimed)
                click.claimed, click.command = None, None
            raise

    async def _acting(
        self, interaction: discord.Interaction[Any], guild_id: int | None
    ) -> tuple[discord.Guild, discord.Member | discord.User] | str:
        """The guild a click or a form acts in, and the person as its member now; or why it
        can't be acted in.

        In a server the interaction carries the person's current roles. A DM carries none, and
        names its guild in the custom id: only a member of that guild may act in it, and what
        they may read there is their roles' now, so the member is fetched over REST every time.
        The cached one won't do: without the members intent no role change reaches the cache,
        and a question asked in a DM form would be answered from channels they no longer read.
        """
        if interaction.guild is not None:
            guild = self._usable(interaction.guild)
            return NOT_KNOWN_HERE if guild is None else (guild, interaction.user)
        if guild_id is None:
            return OTHER_SERVER
        guild = self.gateway.client.get_guild(guild_id)
        if guild is None:
            return OTHER_SERVER
        if not translate.usable(guild):
            return UNREACHABLE
        try:
            member = await guild.fetch_member(interaction.user.id)
        except (discord.NotFound, discord.Forbidden):  # they left; or the bot is out already
            return OTHER_SERVER
        except discord.HTTPException:
            return UNREACHABLE
        return guild, member

    def _usable(self, guild: discord.Guild | None) -> discord.Guild | None:
        """The cached guild an interaction came from, when it can be acted in: not the
        placeholder discord.py makes for a guild it doesn't hold (``translate.usable``)."""
        cached = self.gateway.client.get_guild(guild.id) if guild is not None else None
        return cached if translate.usable(cached) else None

    # ------------------------------------------------------------------------------ answer

    async def _answer(
        self,
        interaction: discord.Interaction[Any],
        answering: Callable[[], Coroutine[Any, Any, list[Reply]]],
        *,
        reopen: Callable[[], str] = lambda: "",
        written: Iterable[str] = (),
        replace: Callable[[], bool | None] = lambda: False,
    ) -> bool:
        """Everything that may be slow goes in ``answering()``: it runs under the deferral
        timer, so no network wait can hold back the initial response past Discord's 3 s.

        When it fails (the database gave up waiting for a lock, a dropped connection), it is
        tried once more after ``retry_after``, as the Slack adapter does: nobody else will (an
        interaction is never delivered again). Failing again, the person is told to try again
        with ``written``, what they typed into a form or a
        command's box, quoted back: Discord emptied it once sent, so it exists nowhere else.

        ``replace()``: a button that acts once ("Keep as a narration") has its message replaced
        by the answer (``UPDATE_MESSAGE``), so the button goes and can't act twice. Not when
        the work fails: the message, with what it quotes, stays for another try. ``None``: not
        known yet (the work reads a kept command): a deferral then leaves the message to be
        replaced, and shows no "thinking…". ``reopen()``: the command that opens a form the
        core asks for again. Returns whether the clicked message was replaced."""
        work = asyncio.create_task(self._with_keys(interaction, answering))
        done, _ = await asyncio.wait({work}, timeout=self.defer_after)
        if not done:
            if replace() is not False:
                await interaction.response.defer()  # the clicked message is edited later
            else:
                await interaction.response.defer(ephemeral=True, thinking=True)
        keys: dict[str, str] = {}
        try:
            replies, keys = await work
        except Exception as problem:  # the type only: a message may quote what people wrote
            log.error("handling a Discord interaction failed: %s", type(problem).__name__)
            log.debug("Discord interaction failure", exc_info=True)
            replies = [_refusal(_tried_again(problem), written)]
            replacing = False
        else:
            replacing = replace() is True
        replaced = False
        if replacing and replies and _in_place(replies[0]):
            first, *rest = messages(replies[0].text, replies[0].buttons, replies[0].attachment)
            await self._replace(interaction, first, keys)
            replaced = True
            for part in rest:
                await self._send(interaction, part, public=False, keys=keys)
            replies = replies[1:]
        for reply in replies:
            await self._deliver(interaction, reply, reopen=reopen(), keys=keys)
        if not replies and not replaced:
            await self._acknowledge(interaction)
        return replaced

    async def _with_keys(
        self,
        interaction: discord.Interaction[Any],
        answering: Callable[[], Coroutine[Any, Any, list[Reply]]],
    ) -> tuple[list[Reply], dict[str, str]]:
        """The answer, and the keys of its button commands too long for a custom_id, kept
        (``kept.py``) while the deferral timer runs: a write held up by another writer's lock
        then defers the interaction, instead of making its first response late."""
        replies = await self._twice(answering)
        # Not a DM's from a server: the DM keeps its own, its ids naming the server.
        by_dm = interaction.guild is not None
        buttons = tuple(
            button
            for reply in replies
            if not (by_dm and reply.visibility == Visibility.DIRECT)
            for button in reply.buttons
        )
        kept = await self._prepared(interaction, Outgoing(buttons=buttons), {})
        return replies, dict(kept.keys)

    async def _twice(
        self, answering: Callable[[], Coroutine[Any, Any, list[Reply]]]
    ) -> list[Reply]:
        """``answering()``, and once more if it raises: the core is run again on the same
        terms as the Slack adapter's retries (``adapters/slack/recovery.py``). Once a narration
        is kept, edited or deleted, the core answers with that even when a later step fails
        (``Turn.committed_as``): what reaches this retry never kept one, so it can't keep it
        twice, and the text handed back after it was truly not saved."""
        try:
            return await answering()
        except Exception as problem:  # the type only: a message may quote what people wrote
            log.warning("a Discord interaction failed (%s); trying again", type(problem).__name__)
            log.debug("Discord interaction failure", exc_info=True)
        await asyncio.sleep(self.retry_after)
        return await answering()

    async def _replace(
        self, interaction: discord.Interaction[Any], part: Outgoing, keys: dict[str, str]
    ) -> None:
        """The clicked message becomes ``part``, its buttons with it."""
        part = await self._prepared(interaction, part, keys)
        sent = part.kwargs(guild_id=_dm_guild(interaction))
        file = sent.get("file")
        edit: dict[str, Any] = {
            "content": part.content,
            "embeds": [sent["embed"]] if "embed" in sent else [],
            "attachments": [file] if file is not None else [],
            "view": sent.get("view"),
            "allowed_mentions": sent["allowed_mentions"],
        }
        if interaction.response.is_done():
            await interaction.edit_original_response(**edit)
        else:
            await interaction.response.edit_message(**edit)

    async def _acknowledge(self, interaction: discord.Interaction[Any]) -> None:
        """Nothing to say still needs an answer, or Discord shows "This interaction failed"."""
        if interaction.response.is_done():
            await interaction.edit_original_response(content="Done.")
        elif interaction.type == discord.InteractionType.application_command:
            await interaction.response.send_message("Done.", ephemeral=True)
        else:
            await interaction.response.defer()  # a click or a form: acknowledged, nothing shown

    async def _handle(
        self,
        interaction: discord.Interaction[Any],
        event: ActorEvent,
        guild: discord.Guild,
        member: discord.Member | discord.User,
    ) -> list[Reply]:
        """The core's answer, after the person's private access is re-checked (README: before
        answering anyone who uses a command, a button or a mention), wherever they clicked: as
        theirs (``by_actor``) unless the command leaves someone forgotten as they are.

        Not to open the narration form: that answer reads nothing private (what is written in
        it is checked when it is sent), and the re-check's REST look-ups could take it past
        the deferral, after which Discord lets no form open."""
        if isinstance(member, discord.Member):
            # Asking what is kept, or to be forgotten, brings nobody back (``brings_back``).
            back = brings_back(event)
            if not _opens_the_form(event):
                await self.access.refresh(guild, member, event.occurred_at, by_actor=back)
            # A DM is no channel of the guild's to fall back to when their DMs close.
            channel = interaction.channel if interaction.guild is not None else None
            where = channel.id if channel is not None else None
            self.gateway.seen(guild.id, member.id, where)
            replies = await self.core.handle(event)
            if back:  # kept past a restart, once the core stored its workspace
                await self.gateway.keep_seen(guild.id, member.id, where)
            return replies
        return await self.core.handle(event)

    async def _deliver(
        self,
        interaction: discord.Interaction[Any],
        reply: Reply,
        *,
        reopen: str,
        keys: dict[str, str],
    ) -> None:
        guild_id = interaction.guild.id if interaction.guild else None
        if reply.form is not None:
            if (
                not interaction.response.is_done()
                and interaction.type != discord.InteractionType.modal_submit
            ):
                limit = self.core.settings.max_narration_chars
                await interaction.response.send_modal(
                    FormModal(reply.form, max_length=limit, guild_id=_dm_guild(interaction))
                )
                return
            if reopen:
                reply = reply.model_copy(
                    update={"buttons": (Button(label=reply.form.title, command=reopen),)}
                )
        if reply.visibility == Visibility.DIRECT and interaction.guild is not None:
            assert guild_id is not None
            sent = await self.gateway.send_dm(
                guild_id, interaction.user.id, reply.text, reply.buttons
            )
            if sent is not None:
                await self._send(interaction, Outgoing(content="I sent you a DM."), public=False)
                return
        public = reply.visibility == Visibility.CHANNEL
        for part in messages(reply.text, reply.buttons, reply.attachment):
            await self._send(interaction, part, public=public, keys=keys)

    async def _send(
        self,
        interaction: discord.Interaction[Any],
        part: Outgoing,
        *,
        public: bool,
        keys: dict[str, str] | None = None,
    ) -> None:
        part = await self._prepared(interaction, part, keys or {})
        kwargs = part.kwargs(guild_id=_dm_guild(interaction))
        if not interaction.response.is_done():
            await interaction.response.send_message(ephemeral=not public, **kwargs)
        elif public and interaction.channel is not None and interaction.guild is not None:
            # A deferral is ephemeral, and so would be its follow-ups: post in the channel.
            channel = self.gateway.client.get_partial_messageable(
                interaction.channel.id, guild_id=interaction.guild.id
            )
            await channel.send(**kwargs)
        else:
            await interaction.followup.send(ephemeral=not public, **kwargs)

    async def _prepared(
        self, interaction: discord.Interaction[Any], part: Outgoing, keys: dict[str, str]
    ) -> Outgoing:
        """``part`` with its long commands kept for the person who used the bot (``kept.py``),
        in the guild they used it in (a DM's: the one its custom ids name); ``keys``: those
        kept already for this answer (``_with_keys``)."""
        in_dm = interaction.guild is None
        guild_id = _dm_guild(interaction) if in_dm else interaction.guild_id
        return await self.gateway.kept.prepare(
            part, guild_id=guild_id, owner=interaction.user.id, in_dm=in_dm, known=keys
        )


@dataclass
class _Click:
    """What a click runs, once known: a kept command is read from the database by the work
    (``_click``), in the guild it was kept in (``guild_id``, to forget it once used)."""

    command: str | None = None
    guild_id: int | None = None
    # A one-shot command taken for this try of the click (``kept.KeptButtons.claim``).
    claimed: pending_actions.Kept | None = None


def _keeps(command: str) -> bool:
    """The "Keep as a narration" button's command (``/narrate note <text>``)."""
    return command.split()[:2] == ["/narrate", KEEP]


def _one_shot(command: str) -> bool:
    """A button that must act once: "Keep as a narration", and "Replace #n with this" (the
    offer's other choice). Its kept command is claimed by the click (``kept.py``)."""
    return _keeps(command) or command.split()[:2] == ["/narrate", "edit"]


def _in_place(reply: Reply) -> bool:
    """A reply that can take the place of the clicked message: the person's alone."""
    return reply.visibility == Visibility.PRIVATE and reply.form is None


def _opens_the_form(event: ActorEvent) -> bool:
    """``/narrate`` alone, typed or clicked: the core answers with the narration form."""
    return (
        isinstance(event, CommandInvoked) and event.command == "narrate" and not event.text.strip()
    )


def _reopening(form: str) -> str:
    """The command that opens ``form`` again. A form can't answer a form: when the core asks
    for it again (nothing was written in it), a button must open it, or the person is asked to
    write with nowhere to write."""
    if form == NARRATION_FORM:
        return "/narrate"
    if form.startswith(REPLY_FORM):
        return f"/narrate reply {form.removeprefix(REPLY_FORM)}"
    return ""


def _tried_again(problem: BaseException) -> str:
    """What to say when an interaction's work failed twice: ``TRIED_AGAIN``, or ``SLOWED``
    with the time it still lasts when a rate limit Discord keeps in force is behind it. What
    fails here never kept anything (``_twice``), so "try again" can't do it twice."""
    seen: set[int] = set()
    found: BaseException | None = problem
    while found is not None and id(found) not in seen:
        seen.add(id(found))
        if isinstance(found, discord.RateLimited):
            return SLOWED.format(when=in_about(found.retry_after))
        found = found.__cause__ or found.__context__
    return TRIED_AGAIN


def _refusal(why: str, written: Iterable[str]) -> Reply:
    """``why``, with what was typed quoted back: a form or a command's box is emptied once
    sent, so the text exists nowhere else."""
    texts = [text for text in written if text.strip()]
    if not texts:
        return Reply(text=why)
    quotes = "\n\n".join(quoted(text) for text in texts)
    return Reply(text=f"{why}\nNothing was saved. Here is what you wrote:\n{quotes}")


def _dm_guild(interaction: discord.Interaction[Any]) -> int | None:
    """Components sent in a DM must name their guild (see render.custom_id)."""
    if interaction.guild is not None:
        return None
    parsed = translate.component(translate.custom_id_of(interaction))
    return parsed.guild_id if parsed else None
