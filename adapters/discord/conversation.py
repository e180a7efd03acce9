"""Messages the bot may act on: mentions ("@narrate-bot who knows about kafka?") and, when the
server enabled Message Content, replies in prompt threads.

A message can't get an ephemeral answer, so what the core meant for the person alone goes to
them as a DM (they addressed the bot, so a reply is expected), or, if Discord refuses the DM,
a short pointer to the private slash commands; the "This helped" ask under a channel answer is
then left out (it would say, in the channel, that DMs failed). Channel answers go in a thread on
the message; where Discord refuses the bot's post (its permissions there), by DM, and the
channel is told nothing. Each reply is delivered on its own: one refused doesn't lose the rest.
A 5xx or a dropped connection, after which an answer may exist, is sent again with the same
nonce (``once.py``), so the asker gets it once; it is never sent by DM as well.
"""

from __future__ import annotations

import logging

import discord

from narrate_bot.config import DiscordSettings
from narrate_bot.events import MessageReceived
from narrate_bot.features.who_knows import HELPED_ASK
from narrate_bot.replies import Button, Post, Reply, Visibility

from . import translate
from .access import AccessTracker
from .gateway import DiscordGateway, post_id
from .interactions import TRIED_AGAIN, Core
from .once import nonce, send_once
from .render import messages, thread_name

log = logging.getLogger(__name__)

NO_DM = (
    "I couldn't send you that privately (your DMs from this server are closed). "
    "Slash commands answer privately: try /narrate or /whoknows."
)
DMS_BUSY = (
    "I couldn't send you that privately just now: Discord is limiting how fast I open DMs. "
    "Try again in a few minutes, or use a slash command, which answers privately: /narrate or "
    "/whoknows."
)


class Conversation:
    def __init__(
        self,
        core: Core,
        gateway: DiscordGateway,
        access: AccessTracker,
        settings: DiscordSettings,
    ) -> None:
        self.core = core
        self.gateway = gateway
        self.access = access
        self.settings = settings

    async def on_message(self, message: discord.Message, bot_user: discord.abc.User) -> None:
        event = translate.message_event(
            message, bot_user=bot_user, message_content=self.settings.message_content
        )
        if event is None:
            return
        guild, author = message.guild, message.author
        if guild is not None and isinstance(author, discord.Member):
            # A thread reply not addressed to the bot is no use of it: nobody comes back by it.
            await self.access.refresh(
                guild, author, event.occurred_at, by_actor=event.addressed_to_bot
            )
            self.gateway.seen(guild.id, author.id, message.channel.id)
        try:
            replies = await self.core.handle(event)
        except Exception as problem:  # the type only: a message may quote what people wrote
            log.error("handling a Discord message failed: %s", type(problem).__name__)
            log.debug("Discord message failure", exc_info=True)
            replies = [Reply(text=TRIED_AGAIN, visibility=Visibility.CHANNEL)]
        else:
            if guild is not None and event.addressed_to_bot:  # kept past a restart
                await self.gateway.keep_seen(guild.id, author.id, message.channel.id)
        for reply in replies:
            try:
                await self._deliver(message, reply, event)
            except discord.HTTPException as problem:  # the next reply may still get through
                log.warning(
                    "a reply to message %s wasn't delivered (%s %s)",
                    message.id,
                    problem.status,
                    problem.code,
                )

    async def _deliver(
        self, message: discord.Message, reply: Reply, event: MessageReceived
    ) -> None:
        if reply.form is not None:
            # A message can't open a modal; a button can (the click is an interaction).
            button = Button(label=reply.form.title, command="/narrate")
            reply = reply.model_copy(update={"buttons": (*reply.buttons, button)})
        if reply.visibility == Visibility.CHANNEL:
            try:
                await self._in_channel(message, reply, event)
            except discord.HTTPException as problem:  # 403 Missing Permissions, mostly
                if problem.status >= 500:
                    raise  # it may be in the channel after all: never a second copy by DM
                log.info(
                    "channel %s refused an answer (%s %s); sending it by DM",
                    message.channel.id,
                    problem.status,
                    problem.code,
                )
                # Nothing more to the channel: it refuses us. What it took before is kept.
                await self._answer_by_dm(message, reply, event)
            return
        sent = await self._answer_by_dm(message, reply, event)
        if sent is None and reply.text != HELPED_ASK:
            # Their DMs aren't closed when Discord throttles the bot (40003): say which it is.
            said = DMS_BUSY if self.gateway.dms_paused() else NO_DM
            await message.reply(said, mention_author=False)

    async def _answer_by_dm(
        self, message: discord.Message, reply: Reply, event: MessageReceived
    ) -> discord.Message | None:
        """The answer by DM, its first message (``None``: no DM reaches them now). Every part
        sent is reported, even when a later one fails: those already out keep their quotes."""
        sent: list[discord.Message] = []
        try:
            return await self._by_dm(message, reply, sent)
        finally:
            await self._report_dm(message, reply, event, sent)

    async def _by_dm(
        self, message: discord.Message, reply: Reply, sent: list[discord.Message]
    ) -> discord.Message | None:
        assert message.guild is not None
        return await self.gateway.send_dm(
            message.guild.id,
            message.author.id,
            reply.text,
            reply.buttons,
            reply.attachment,
            once=_once(message, reply),
            sent=sent,
        )

    async def _in_channel(
        self, message: discord.Message, reply: Reply, event: MessageReceived
    ) -> None:
        target: discord.abc.Messageable = message.channel
        if reply.in_thread and not isinstance(message.channel, discord.Thread):
            try:
                target = await message.create_thread(name=thread_name(reply.text))
            except discord.HTTPException as problem:
                log.info("no thread on message %s (%s); answering in place", message.id, problem)
        assert message.guild is not None
        sent: list[discord.Message] = []
        try:
            for index, part in enumerate(messages(reply.text, reply.buttons, reply.attachment)):
                # The answer's buttons are the mention's author's, as a command's are its user's.
                part = await self.gateway.kept.prepare(
                    part, guild_id=message.guild.id, owner=message.author.id, in_dm=False
                )
                once = nonce(_once(message, reply), index)
                sent.append(await send_once(target, once, part.kwargs))
        finally:
            # A later part refused (403) or lost (5xx) leaves the earlier ones in the channel,
            # quotes and all: they are reported too, so a delete or forget-me reaches them.
            await self._report_channel(reply, event, target, sent)

    async def _report_channel(
        self,
        reply: Reply,
        event: MessageReceived,
        target: discord.abc.Messageable,
        sent: list[discord.Message],
    ) -> None:
        """A channel answer quoting narrations: in the mention's thread, or in place."""
        if reply.quotes and sent:
            thread = target if isinstance(target, discord.Thread) else None
            where = Post(
                text=reply.text,
                channel_id=event.channel.channel_id,
                thread_of=str(thread.id) if thread is not None else None,
                names=reply.names,
                buttons=reply.buttons,
                quiet=True,  # an answer pings nobody (``QUIET``), and neither does its edit
            )
            await self._report(reply, event, where, sent)

    async def _report_dm(
        self,
        message: discord.Message,
        reply: Reply,
        event: MessageReceived,
        sent: list[discord.Message],
    ) -> None:
        """A DM answer quoting narrations is a message the bot can edit, like a digest."""
        if reply.quotes and sent:
            where = Post(
                text=reply.text,
                to_users=(str(message.author.id),),
                names=reply.names,
                buttons=reply.buttons,
                quiet=True,
            )
            await self._report(reply, event, where, sent)

    async def _report(
        self, reply: Reply, event: MessageReceived, where: Post, sent: list[discord.Message]
    ) -> None:
        """Tell the core where a reply quoting narrations (a who-knows answer) went, so their
        edits and deletes reach it: every message it went out as (over 4,096 characters it is
        split in several), under one id (``post_id``), so an edit reaches all of them."""
        await self.core.reply_posted(event.tenant, reply, where, post_id(sent))


def _once(message: discord.Message, reply: Reply) -> str:
    """What an answer delivers, for its nonces: this reply to this message. Sent again after a
    failure, it is the same; another reply, or the same question asked again, is not."""
    return nonce("answer", message.id, reply.model_dump_json())
