"""What a prompt or a personal reminder asks people to do, told truthfully per platform.

"Reply in this thread" is only an invitation where the platform tells the bot of the reply: a
default Slack install holds no history scope and Discord sends thread text only with the
Message Content intent, so a reply there would be silently lost. The gateway says whether it
hears replies (``ports.ReplyHearing``); where it doesn't, the post points to its button, which
works on every platform, and to ``/narrate <text>``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..events import ChannelKind, Platform, TenantRef
from ..ports import ChatGateway, ReplyHearing


async def hears_replies(
    gateways: Mapping[Platform, ChatGateway], tenant: TenantRef, kind: ChannelKind
) -> bool:
    gateway = gateways.get(tenant.platform)
    if isinstance(gateway, ReplyHearing):
        return await gateway.hears_replies(tenant, kind)
    return True  # a gateway that can't tell (the console) hears everything


def prompt_text(channel_name: str, *, replies_heard: bool) -> str:
    ask = "Time to work out loud: what are you working on, learning or stuck on?"
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


def nudge_text(*, replies_heard: bool) -> str:
    if replies_heard:
        return "A gentle nudge: there's still time to add a line in this thread, if you like."
    return (
        "A gentle nudge: there's still time to add your update with the button above, if you like."
    )
