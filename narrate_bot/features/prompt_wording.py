"""What a prompt or a personal reminder asks people to do, told truthfully per platform.

"Reply in this thread" is only an invitation where the platform tells the bot of the reply: a
default Slack install holds no history scope and Discord sends thread text only with the
Message Content intent, so a reply there would be silently lost. The gateway says whether it
hears replies (``ports.ReplyHearing``); where it doesn't, the post points to its button, which
works on every platform, and to ``/narrate <text>``.

A channel prompt asks ``DEFAULT_QUESTION`` unless its schedule has a question of its own
(``Schedule.question``): one free-text line, kept as ``clean_question`` leaves it, so posting it
pings nobody and links no one anywhere in the bot's name.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..events import ChannelKind, Platform, TenantRef
from ..knowledge.clean_text import clean_text, without_mentions
from ..knowledge.words import without_links
from ..ports import ChatGateway, ReplyHearing

DEFAULT_QUESTION = "What are you working on, learning or stuck on?"
# Read at a glance above a thread, and short enough for a form's label on Slack; one line.
MAX_QUESTION = 200


def clean_question(text: str) -> str:
    """A prompt's own question as it is kept and posted: one line, with mentions (``<!channel>``,
    ``@here``, ``<@U1>``, ``<#C1>``) and links taken out, as an open question's post takes them
    out (``open_questions.clean_question``): the bot posts it in its own name to a whole
    channel, on every schedule, so it must never ping anyone or put a link in front of them."""
    return " ".join(
        clean_text(without_links(without_mentions(text, keep_broadcast_words=True))).split()
    )


async def hears_replies(
    gateways: Mapping[Platform, ChatGateway], tenant: TenantRef, kind: ChannelKind
) -> bool:
    gateway = gateways.get(tenant.platform)
    if isinstance(gateway, ReplyHearing):
        return await gateway.hears_replies(tenant, kind)
    return True  # a gateway that can't tell (the console) hears everything


def _lowered(question: str) -> str:
    return question[:1].lower() + question[1:]


def prompt_text(channel_name: str, *, replies_heard: bool, question: str | None = None) -> str:
    ask = f"Time to work out loud: {question or _lowered(DEFAULT_QUESTION)}"
    readers = f"readable by whoever reads #{channel_name}"
    if replies_heard:
        return f"{ask} Reply in this thread and I'll keep it as your narration, {readers}."
    return (
        f"{ask} Press “Write my update” (or use /narrate <text> here) and I'll keep it as your "
        f"narration, {readers}. Replies in this thread are for each other: I don't read them."
    )


def reminder_text(*, replies_heard: bool) -> str:
    ask = "Your reminder to narrate: what are you working on, learning or stuck on?"
    if replies_heard:
        return (
            f"{ask} Reply here (only you see it unless you /narrate share it), or use the button."
        )
    return f"{ask} Press “Write my update” (only you see it unless you /narrate share it)."


def nudge_text(*, replies_heard: bool, question: str | None = None) -> str:
    """The prompt's one reminder, in its thread; it repeats a question of the team's own, so
    the thread says what it asked even where the prompt scrolled away."""
    if question:
        how = "in this thread" if replies_heard else "with the button above"
        return f"A gentle nudge: there's still time to answer “{question}” {how}, if you like."
    if replies_heard:
        return "A gentle nudge: there's still time to add a line in this thread, if you like."
    return (
        "A gentle nudge: there's still time to add your update with the button above, if you like."
    )
