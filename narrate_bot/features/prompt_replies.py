"""Answers to a channel prompt: replies in its thread, or the "Write my update" form.

Both are recorded as narrations of their authors in the prompt's channel, with that channel's
visibility. Replies anywhere else in the channel stay ordinary chatter the bot never reads. A reply
in the thread is kept only from someone taking part: it may be chatter, and nobody is enrolled,
or brought back after leaving, by a message they didn't send to the bot (the form and /narrate
are explicit, and enrol as always).
"""

from __future__ import annotations

import re
from datetime import timedelta

from ..channel_names import shown
from ..events import Audience, FormSubmitted, MessageReceived, Source
from ..knowledge.clean_text import clean_text
from ..knowledge.topics import extract_topics
from ..replies import FORM_PROMPT, Button, FormRequest, Reply, quoted
from ..routing import Command
from ..storage import repositories as repo
from ..storage import schedules as store
from ..storage import update_posts as update_post_repo
from ..storage.database import Session
from ..storage.schedule_tables import PROMPT
from ..storage.tables import Channel, Tenant
from . import update_posts
from .blocker_help import with_help
from .channels import known_tenant_id
from .consent import JOINED, LEFT, enroll
from .narrate import (
    ERASED_MEANWHILE,
    _too_long,
    form_audience,
    offer_to_keep,
    record,
    share_button,
)
from .prompt_wording import DEFAULT_QUESTION
from .turn import Turn

REPLY_FORM = "prompt-reply:"
_PROMPT_ID = re.compile(r"^#?(\d{1,9})$")
# A DM this soon after one's own reminder ("what are you working on, learning or stuck on?"),
# before anything else was narrated, answers it: kept, whatever it says (``answers_reminder``).
REMINDER_REPLY_WINDOW = timedelta(hours=24)


async def answers_reminder(turn: Turn) -> bool:
    """Whether a DM to the bot answers the reminder it sent them: one of their own reminders
    went out within ``REMINDER_REPLY_WINDOW`` and they have narrated nothing since. Such a DM
    is an update to keep, even one that reads like a request ("need help with kafka acls"
    answering "what are you stuck on?"): taken as a question, nothing of it was kept."""
    ref = turn.event.tenant
    async with turn.db.snapshot() as session:
        tenant_id = await known_tenant_id(session, ref)
        if tenant_id is None:
            return False
        person = await repo.find_person(
            session, tenant_id=tenant_id, user_id=turn.event.user.user_id
        )
        if person is None or person.id is None:
            return False
        return await store.unanswered_reminder(
            session, person_id=person.id, since=turn.now - REMINDER_REPLY_WINDOW
        )


async def thread_reply(turn: Turn, event: MessageReceived) -> list[Reply] | None:
    """Record a reply in a prompt's thread; ``None`` when the thread isn't a prompt's."""
    if event.thread_id is None or turn.in_dm:
        return None
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        found = await store.channels_named(
            session, tenant_id=tenant.id, key=event.channel.channel_id
        )
        channel = next((c for c in found if c.channel_id == event.channel.channel_id), None)
        if channel is None or channel.id is None:
            return None
        prompt = await store.prompt_for_message(
            session, tenant_id=tenant.id, channel_pk=channel.id, message_id=event.thread_id
        )
        if prompt is None:
            return None
        person = await repo.find_person(session, tenant_id=tenant.id, user_id=event.user.user_id)
    if person is None or person.consent != JOINED:
        # A reply in the thread may be chatter ("thanks, nice work"): keeping it would enrol
        # someone who never chose to take part, or bring back someone who left.
        return [_not_taking_part(turn, left=person is not None and person.consent == LEFT)]
    return await record(turn, event.text)


def _not_taking_part(turn: Turn, *, left: bool) -> Reply:
    why, how = (
        ("You left narrate-bot", "/narrate join brings you back")
        if left
        else ("You're not taking part in narrate-bot", "/narrate join to take part")
    )
    return turn.reply(
        f"{why}, so I didn't keep that reply. {how}: after that, your replies to prompts are "
        "kept as your narrations.",
        buttons=(Button(label="Take part", command="/narrate join"),),
    )


def _prompt_id(text: str) -> int | None:
    """A prompt's id as written (``3``, ``#3``): nine decimal digits at most, like short ids, so
    a forged form or button can't ask the database for a number it can't hold."""
    match = _PROMPT_ID.match(text.strip())
    return int(match.group(1)) if match else None


_WHICH = (
    "Which prompt? Use the “Write my update” button under it, or reply in its thread; "
    "/narrate schedule list shows the prompts you can answer, each with its number "
    "(/narrate reply 3 answers prompt #3)."
)


_NOT_A_NUMBER = (
    "I didn't record that: /narrate reply <number> takes just a prompt's number (for example "
    "/narrate reply 3) and opens a form for your update to it. /narrate schedule list shows "
    "the prompts you can answer, each with its number; /narrate <text> records an update "
    "anywhere."
)


async def open_reply_form(turn: Turn, arg: str) -> list[Reply]:
    """``/narrate reply <prompt>`` (the prompt's button): the short form, once the prompt is
    known to exist and be answerable by this person, so nobody writes an update for nothing.
    Something else after ``reply`` is said to be no number: stored, it would be a narration
    reading "reply x" that its author never meant to write."""
    ref = _prompt_id(arg)
    if ref is None and arg.strip():
        # "reply 1 customer about the outage": nothing is kept, and the words can be, as written.
        return offer_to_keep(turn, Command("unparsed", arg=f"reply {arg}", hint=_NOT_A_NUMBER))
    if ref is None:
        return [turn.reply(_WHICH)]
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        found = await _prompt_channel(turn, session, tenant, ref)
        question = await _question_of(session, tenant, ref) if isinstance(found, Channel) else None
    if found is None or isinstance(found, str):
        # A private channel's prompt is answered like a missing one by anyone outside it: its
        # name would tell them the channel exists, and ids can be tried one by one.
        return [
            turn.reply(
                f"There's no prompt #{ref}; it may have been removed. /narrate schedule list "
                "shows the prompts you can answer, each with its number, and /narrate <text> "
                "records an update anywhere."
            )
        ]
    shared = found.name if found.shared else None
    return ask_to_reply(turn, arg, question=question, shared=shared)


def kept_not_posted(channel_name: str) -> str:
    """The form's note in a channel shared with another organisation: its text is never posted
    there (``update_posts``), so the author knows before writing, not from the confirmation."""
    return (
        f"{shown(channel_name)} is shared with another organisation, so this update is kept "
        "as your narration and not posted in the prompt's thread."
    )


def ask_to_reply(
    turn: Turn, arg: str, *, question: str | None = None, shared: str | None = None
) -> list[Reply]:
    """The form itself, unchecked; ``open_reply_form`` checks the prompt first (and the form's
    answer is checked again, as the prompt may go while the form is open). It asks the
    prompt's own ``question`` when it has one: the form answers what the prompt asked.
    ``shared``: the prompt's channel, when stored as shared with another organisation."""
    ref = _prompt_id(arg)
    if ref is None:
        return [turn.reply(_WHICH)]
    note = kept_not_posted(shared) if shared is not None else ""
    return [
        turn.reply(
            f"{question or DEFAULT_QUESTION}{f' ({note})' if note else ''}",
            form=FormRequest(
                form=f"{REPLY_FORM}{ref}",
                title="Write my update",
                prompt=question or FORM_PROMPT,
                note=note,
            ),
        )
    ]


async def _question_of(session: Session, tenant: Tenant, ref: int | None) -> str | None:
    """Prompt ``ref``'s own question, as it asks it now (``None``: the default one)."""
    assert tenant.id is not None
    if ref is None:
        return None
    found = await store.get_schedule(session, tenant_id=tenant.id, number=ref, removed_too=True)
    return found[0].question if found is not None else None


async def _prompt_channel(
    turn: Turn, session: Session, tenant: Tenant, ref: int | None
) -> Channel | str | None:
    """The channel of prompt ``ref`` when this person may answer it; ``None`` when there is no
    such prompt; the channel's name when it is private and they aren't a member.

    A removed schedule's prompt is still answered if it was posted: its button stays under it
    in the channel. ``ref`` is the schedule's number in this workspace (never the global id),
    and a number is never given to another schedule of the workspace, so the button always
    means the prompt it was posted with, in that prompt's channel, read by that channel's
    readers."""
    assert tenant.id is not None
    found = (
        await store.get_schedule(session, tenant_id=tenant.id, number=ref, removed_too=True)
        if ref is not None
        else None
    )
    channel: Channel | None = found[1] if found is not None else None
    if found is None or found[0].kind != PROMPT or channel is None or channel.id is None:
        return None
    schedule = found[0]
    if schedule.removed_at is not None and not await store.was_posted(
        session, schedule_id=schedule.id or 0
    ):
        return None
    if not await repo.reads_channel(session, channel=channel, user_id=turn.event.user.user_id):
        return channel.name
    return channel


def _members_only(name: str) -> str:
    return f"Only members of {shown(name)} can answer its prompt"


def _given_back(why: str, text: str) -> str:
    """A refusal that hands back what was typed in the form, which the platform no longer shows
    them: nothing written is lost."""
    return (
        f"{why}, so I didn't save your update. Here is what you wrote, to keep or to send with "
        f"/narrate <text>:\n{quoted(text)}"
    )


async def record_form(turn: Turn, event: FormSubmitted) -> list[Reply]:
    """The form's text becomes a narration in the prompt's channel, as if replied there."""
    ref = _prompt_id(event.form.removeprefix(REPLY_FORM))
    text = clean_text(event.fields.get("text", ""))
    if not text:
        return [turn.reply("Nothing was written, so nothing was saved.")]
    if problem := _too_long(turn, text):
        return [turn.reply(problem)]
    try:
        return await _record_form(turn, ref, text, form_audience(event))
    except repo.PersonErased:
        return [turn.reply(ERASED_MEANWHILE)]


async def _record_form(turn: Turn, ref: int | None, text: str, audience: Audience) -> list[Reply]:
    async with turn.db.transaction() as session:
        tenant = await turn.tenant(session)
        assert tenant.id is not None
        channel = await _prompt_channel(turn, session, tenant, ref)
        if channel is None or isinstance(channel, str):
            why = "That prompt no longer exists" if channel is None else _members_only(channel)
            return [turn.reply(_given_back(why, text))]
        assert channel.id is not None
        prompt = await store.get_schedule(
            session, tenant_id=tenant.id, number=ref, removed_too=True
        )
        assert prompt is not None and prompt[0].id is not None
        schedule_id = prompt[0].id
        # Held before anything is written for them, like every narration (Turn.author).
        person = await turn.author(session, tenant)
        welcome = enroll(person, turn.now)
        session.add(person)
        assert person.id is not None
        # Under their held row: a second send of the same form waits for the first, finds it,
        # and neither keeps nor posts it again.
        if (
            repeat := await update_post_repo.repeat_of(
                session,
                person_id=person.id,
                channel_pk=channel.id,
                schedule_id=schedule_id,
                text=text,
                source=Source.PROMPT_REPLY.value,
                since=turn.now - update_posts.REPEAT_WINDOW,
            )
        ) is not None:
            return [
                turn.reply(
                    f"Already noted as #{repeat}: that was the same update again, so I kept and "
                    "posted nothing new."
                )
            ]
        topics = extract_topics(text)
        narration = await repo.add_narration(
            session,
            tenant_id=tenant.id,
            person_id=person.id,
            channel_pk=channel.id,
            text=text,
            source=Source.PROMPT_REPLY.value,
            audience=audience.value,
            topics=topics,
            now=turn.now,
            link=turn.event.link,
        )
        narration.prompt_schedule_id = schedule_id  # the prompt it answers: see repeat_of
        session.add(narration)
    buttons: tuple[Button, ...] = ()
    if audience == Audience.ONLY_ME:
        line = (
            f"Noted as #{narration.ordinal}, only for you. To let colleagues find you through "
            f"it: /narrate share {narration.ordinal}"
        )
        buttons = (share_button(narration.ordinal, narration.created_at),)
    elif audience == Audience.TENANT:
        line = f"Noted as #{narration.ordinal}, readable by everyone in this workspace."
    else:
        line = f"Noted as #{narration.ordinal}, readable by whoever reads {shown(channel.name)}."
    welcomed = f"\n{welcome}" if welcome else ""
    # Kept: a step that fails from here must not reach a retry, which would find the update a
    # repeat ("Already noted … posted nothing new") whether or not it was posted.
    unposted = "" if audience == Audience.ONLY_ME else update_posts.unposted_in(shown(channel.name))
    turn.committed_as(turn.reply(line + unposted + welcomed, buttons=buttons))
    posted = ""
    if audience != Audience.ONLY_ME:
        assert narration.id is not None
        posted = await update_posts.post_update(
            turn,
            narration_id=narration.id,
            ordinal=narration.ordinal,
            text=text,
            channel=channel,
            schedule_id=schedule_id,
        )
    reply = turn.reply(line + posted + welcomed, buttons=buttons)
    turn.committed_as(reply)
    return [await with_help(turn, reply, text, tenant_id=tenant.id, person_id=person.id)]
