"""The bot: takes a normalized event, returns what to say. Adapters hold one and feed it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from .config import Settings
from .events import (
    ActorEvent,
    ChannelDeleted,
    ChannelDescribed,
    CommandInvoked,
    Event,
    FormSubmitted,
    MembershipChanged,
    MessageReceived,
    Platform,
    PostDeleted,
    ProfileChanged,
    TenantRef,
)
from .features import (
    answer_copies,
    channels,
    consent,
    departed_questions,
    expertise_prefs,
    follows,
    help,
    intros,
    lost_questions,
    members_only,
    narrate,
    narration_copies,
    open_questions,
    privacy,
    profile,
    profile_view,
    question_posts,
    topic_map,
    who_knows,
)
from .features.introductions import WeeklyIntroductions
from .features.prompt_replies import (
    REPLY_FORM,
    answers_reminder,
    open_reply_form,
    record_form,
    thread_reply,
)
from .features.reminders import remind
from .features.schedule_commands import schedule
from .features.schedule_jobs import TickReport, run_due
from .features.schedule_settings import intros_schedule, workspace_timezone
from .features.turn import FORGOTTEN_MEANWHILE, Turn
from .ports import ChatGateway, Clock, Introductions, ReturnHeard, readers_kept
from .replies import Post, Reply
from .routing import (
    NARRATE,
    parse_command,
    parse_help_request,
    parse_named,
    parse_question,
    strip_bot_address,
)
from .storage import pending_actions
from .storage.database import Database
from .storage.question_tables import ANSWERED, WITHDRAWN
from .storage.repositories import PersonErased

log = logging.getLogger(__name__)

# What shows other people's narrations (or puts a guest's in front of strangers, as posting to
# the open-questions channel would, naming it even when private): members only.
MEMBERS_ONLY_ACTIONS = frozenset({"who", "topics", "intros_join", "ask_channel", "follow"})


class Bot:
    """Routes each event to the feature that handles it; holds storage, settings and the clock."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        settings: Settings | None = None,
        gateways: dict[Platform, ChatGateway] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings or Settings()
        # Adapters register here so scheduled work can speak first on their platform.
        self.gateways: dict[Platform, ChatGateway] = dict(gateways or {})
        # Told when someone forgotten comes back, per platform (``ReturnHeard``; Slack's).
        self.returns: dict[Platform, ReturnHeard] = {}
        # Called, per platform, in the task handling an event and before its next await, each
        # time the command's change commits (``Turn.committed_as``): from then on the adapter
        # must not have the event done again, even if ``handle`` is cancelled (a shutdown)
        # before it returns, as steps after the commit still run (a who-knows lookup, a post
        # taken back). Slack's marks the event's claim (its dedupe).
        self.on_committed: dict[Platform, Callable[[], None]] = {}
        # The connections feature, called by the weekly scheduled job when present.
        self.introductions: Introductions | None = WeeklyIntroductions(db, self.settings)

    async def handle(self, event: Event) -> list[Reply]:
        if isinstance(event, ChannelDescribed):
            kept = readers_kept(self.gateways.get(event.tenant.platform))
            await channels.describe_channel(self.db, event, readers_kept=kept)
            if event.archived:
                await lost_questions.channel_archived(self.db, self.gateways, event)
            return []
        if isinstance(event, PostDeleted):
            await lost_questions.post_deleted(self.db, self.gateways, event)
            return []
        if isinstance(event, ChannelDeleted):
            await channels.channel_deleted(self.db, event)
            await lost_questions.channel_deleted(self.db, self.gateways, event)
            return []
        if isinstance(event, MembershipChanged):
            await channels.change_membership(self.db, event)
            return []
        if isinstance(event, ProfileChanged):
            await profile.apply_profile(self.db, event)
            if event.departed:
                await departed_questions.askers_departed(
                    self.db, self.gateways, event.tenant, [event.user.user_id], event.occurred_at
                )
            return []
        turn = Turn(
            event=event,
            db=self.db,
            settings=self.settings,
            now=self.clock.now(),
            gateways=self.gateways,
            on_committed=self.on_committed.get(event.tenant.platform),
        )
        log.debug("handling %s from %s", type(event).__name__, event.user.user_id)
        try:
            return await self._dispatch(turn, event)
        except PersonErased:
            # Raised by ``Turn.author`` when a forget-me on another replica went first; the
            # transaction rolled back, so every command can say plainly that nothing was kept
            # instead of failing (features with a more specific reply catch it themselves).
            return [turn.reply(FORGOTTEN_MEANWHILE)]
        except Exception as problem:
            if turn.committed is None:
                raise  # nothing was kept: the adapter may try it again, or hand the text back
            # The change has committed (``Turn.committed_as``): raised, this would reach the
            # adapter's retry, which runs it again. Answered with what was kept instead. The
            # type only: an error's text may quote what the person wrote.
            log.warning(
                "a step after %s's change committed failed (%s); answering with what was kept",
                type(event).__name__,
                type(problem).__name__,
            )
            log.debug("failure after a committed change", exc_info=True)
            return list(turn.committed)
        finally:
            if turn.returned:
                self._came_back(turn)

    def _came_back(self, turn: Turn) -> None:
        """The actor is back after a forget-me: their platform re-learns, in the background,
        the private channels whose joins were dropped while they were forgotten. Told also when
        the command then failed: with their mark back in place (rolled back), it stores
        nothing (``channels.relearned``)."""
        event = turn.event
        heard = self.returns.get(event.tenant.platform)
        if heard is None:
            return
        try:
            heard.came_back(event.tenant, event.user.user_id)
        except Exception as problem:  # noqa: BLE001 - the answer stands either way
            log.warning(
                "re-learning a returning person's channels didn't start (%s)",
                type(problem).__name__,
            )

    async def reply_posted(
        self, tenant: TenantRef, reply: Reply, post: Post, message_id: str
    ) -> None:
        """An adapter posted ``reply`` (one that quotes narrations: ``Reply.quotes``) as the
        editable message ``message_id``, where ``post`` says (its ``channel_id`` and
        ``thread_of``, or the DM's ``to_users``): from now on the message follows those
        narrations' edits and deletes (``answer_copies``). An adapter that split the reply in
        several messages names them all in ``message_id``, in a form its ``ChatGateway.update``
        reads (Discord: their ids, space-separated), so every part is edited. Never raises."""
        if not reply.quotes:
            return
        now = self.clock.now()
        due = await answer_copies.keep(
            self.db, tenant=tenant, reply=reply, post=post, message_id=message_id, now=now
        )
        if due is not None:  # a quote changed while it went out
            await narration_copies.sync(self.db, self.gateways, now=now, copy_ids=[due])

    async def reply_still_holds(
        self, tenant: TenantRef, reply: Reply, *, reader_user_id: str | None, channel_id: str | None
    ) -> bool:
        """Whether what a reply kept for later (``queued_replies``) quotes still holds for whom
        it goes to now: the asker (``reader_user_id``) or the channel's readers
        (``answer_copies.still_holds``). Asked by the adapter just before it sends one."""
        return await answer_copies.still_holds(
            self.db,
            tenant=tenant,
            reply=reply,
            reader_user_id=reader_user_id,
            channel_id=channel_id,
            now=self.clock.now(),
        )

    async def run_due(self, until: datetime | None = None) -> TickReport:
        """Run the scheduled work due up to ``until`` (default: now), each at its due time;
        clear the forget-me requests that lapsed meanwhile (``privacy.lapse_requests``), and
        the button commands kept longer than a week (``pending_actions.sweep``)."""
        when = until or self.clock.now()
        report = await run_due(self, when)
        await privacy.lapse_requests(self.db, when)
        await pending_actions.sweep(self.db, now=when)
        return report

    async def _dispatch(self, turn: Turn, event: ActorEvent) -> list[Reply]:
        if isinstance(event, CommandInvoked):
            name, _, sub = event.command.lower().lstrip("/").partition(" ")
            if name != NARRATE:
                return help.unknown_command(turn, event.command.lstrip("/"))
            return await self._command(turn, event.text, sub.strip())
        if isinstance(event, FormSubmitted):
            # "who knows about kafka?" typed into the form is asked, not kept: kept, it was
            # published as the asker's update and made them the "expert" in later answers.
            if (topic := parse_question(event.fields.get("text", ""))) is not None:
                if members_only.is_guest(turn):
                    return members_only.refuse(turn, "who")
                return await who_knows.answer(turn, topic)
            if event.form == narrate.NARRATION_FORM:
                return await narrate.record(turn, event.fields.get("text", ""))
            if event.form.startswith(REPLY_FORM):
                return await record_form(turn, event)
            return [turn.reply("That form has expired; please start again.")]
        return await self._message(turn, event)

    async def _command(self, turn: Turn, text: str, sub: str = "") -> list[Reply]:
        # A sub-command the platform's interface named is never guessed into a narration.
        command = parse_named(sub, text) if sub else parse_command(text)
        if command.action in MEMBERS_ONLY_ACTIONS and members_only.is_guest(turn):
            return members_only.refuse(turn, command.action)
        match command.action:
            case "ask_text":
                return narrate.ask_for_text(turn)
            case "narrate":
                return await narrate.record(turn, command.arg, hint=command.hint)
            case "unparsed":
                return narrate.offer_to_keep(turn, command)
            case "help":
                return help.show_help(turn, command.arg)
            case "help_with":
                return await help.help_or_who_knows(turn, command.arg)
            case "help_what":
                return help.ask_what(turn)
            case "mine":
                return await narrate.list_mine(turn, command.arg)
            case "edit" if isinstance(turn.event, MessageReceived):
                # Written to the bot, "edit 2 docs pages for the launch" may be work: asked first.
                return await narrate.offer_edit(turn, command)
            case "edit":
                return await narrate.edit(turn, command)
            case "delete":
                return await narrate.delete(turn, command)
            case "share" | "unshare":
                return await narrate.share(turn, command, shared=command.action == "share")
            case "join":
                return await consent.join(turn)
            case "pause":
                return await consent.pause(turn, command.arg)
            case "resume":
                return await consent.resume(turn)
            case "leave":
                return await consent.leave(turn)
            case "export":
                return await privacy.export(turn)
            case "forget":
                return await privacy.request_erasure(turn)
            case "forget_confirm":
                return await privacy.confirm_erasure(turn)
            case "team":
                return await profile.set_team(turn, command.arg)
            case "timezone":
                return await profile.set_timezone(turn, command.arg)
            case "who":
                return await who_knows.answer(turn, command.arg)
            case "intros_join":
                return await intros.join(turn)
            case "intros_leave":
                return await intros.leave(turn)
            case "intros_skip":
                return await intros.skip(turn, command.arg)
            case "intros_every":
                return await intros.every(turn, command.arg)
            case "intros_cadence":
                return await intros.set_cadence(turn, command.arg)
            case "intros_channel":
                return await intros.set_channel(turn, command)
            case "intros_delivery":
                return await intros.set_delivery(turn, command)
            case "intros_same_team":
                return await intros.set_same_team(turn, command)
            case "intros_met":
                return await intros.outcome(turn, command, result="met")
            case "intros_not_useful":
                return await intros.outcome(turn, command, result="not_useful")
            case "intros_mine":
                return await intros.mine(turn)
            case "intros_help":
                return await intros.intros_help(turn, command.arg)
            case "never_pair":
                return await intros.never_pair(turn, command)
            case "stats":
                return await intros.stats(turn)
            case "schedule":
                return await schedule(turn, command.arg, fields=bool(sub))
            case "remind":
                return await remind(turn, command.arg)
            case "intros_schedule":
                return await intros_schedule(turn, command.arg)
            case "workspace_timezone":
                return await workspace_timezone(turn, command.arg)
            case "reply":
                return await open_reply_form(turn, command.arg)
            case "ask_me_about":
                return await expertise_prefs.ask_me_about(turn, command.arg)
            case "hide_me":
                return await expertise_prefs.hide_me(turn, command.arg)
            case "unhide_me":
                return await expertise_prefs.unhide_me(turn, command.arg)
            case "topics":
                return await topic_map.show(turn)
            case "follow":
                return await follows.follow(turn, command.arg)
            case "unfollow":
                return await follows.unfollow(turn, command.arg)
            case "profile":
                return await profile_view.show_profile(turn, command.arg)
            case "ask_channel":
                return await open_questions.ask_channel(turn, command.arg)
            case "questions_channel":
                return await open_questions.questions_channel(turn, command.arg)
            case "question_answered":
                return await question_posts.close_question(
                    turn, ANSWERED, credit=command.arg, question_id=command.ordinal
                )
            case "question_withdrawn":
                return await question_posts.close_question(
                    turn, WITHDRAWN, question_id=command.ordinal
                )
            case "question_still_open":
                return await question_posts.still_open(turn, command.ordinal)
            case "question_unclear":
                return [turn.reply(question_posts.UNCLEAR)]
            case "who_knows_helped":
                return await who_knows.helped(turn, command.arg)
        raise AssertionError(f"unrouted command {command.action}")  # pragma: no cover

    async def _message(self, turn: Turn, event: MessageReceived) -> list[Reply]:
        topic = parse_question(event.text)
        if topic is not None and (event.addressed_to_bot or turn.in_dm):
            if members_only.is_guest(turn):
                return members_only.refuse(turn)
            return await who_knows.answer(turn, topic)
        if event.thread_id is not None and not event.addressed_to_bot:
            # A reply in a scheduled prompt's thread is a narration; other threads are chatter.
            recorded = await thread_reply(turn, event)
            if recorded is not None:
                return recorded
        if (
            (event.addressed_to_bot or turn.in_dm)
            and (asked := parse_help_request(event.text)) is not None
            and not (turn.in_dm and await answers_reminder(turn))
        ):
            # "help me with kafka acls" as a mention, "need help with kafka acls" in a DM: who
            # knows, as the question would answer it; nothing is kept, but a DM's answer offers
            # to keep it. A DM answering the person's reminder is their update, read below.
            if asked.action == "help_what":
                return help.ask_what(turn)  # "need help", with nothing named: with what?
            return await help.help_or_who_knows(turn, asked.arg)
        if turn.in_dm:
            # Writing to the bot directly is narrating (kept private unless shared), read as
            # ``/narrate`` text: "help", "pause", "mine kafka" or "forget-me" said to the bot is
            # that command, and "follow kafka" gets the same hint and "Keep as a narration"
            # offer, instead of being kept as a note.
            return await self._command(turn, strip_bot_address(event.text))
        if event.addressed_to_bot:
            return [
                turn.reply(
                    "Ask me “who knows about <topic>?”, or narrate with /narrate <text>. "
                    "/narrate help lists everything."
                )
            ]
        return []
