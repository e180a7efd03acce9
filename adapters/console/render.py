"""Printing replies the way the README promises: one message per block, destination first."""

from __future__ import annotations

import re
from pathlib import Path

from narrate_bot.replies import Reply

_MENTION = re.compile(r"<@([^>\s]+)>")


def mentions_as_names(text: str, names: dict[str, str]) -> str:
    return _MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)


def block(destination: str, reply: Reply, *, saved_to: Path | None = None) -> str:
    lines = mentions_as_names(reply.text, reply.names).splitlines() or [""]
    out = [f"[{destination}] {lines[0]}"] + [f"  {line}" for line in lines[1:]]
    for button in reply.buttons:
        out.append(f"  (button) {button.label}: {button.command}")
    if reply.form is not None:
        out.append("  (your next line here fills the form; a /command cancels it)")
    if saved_to is not None:
        out.append(f"  saved to {saved_to}")
    return "\n".join(out)
