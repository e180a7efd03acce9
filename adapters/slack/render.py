"""The core's replies, posts, forms and home page → Block Kit, inside Slack's limits.

Limits (docs.slack.dev "Blocks"): 50 blocks per message, 100 per modal or Home tab, 3000
characters per section text, 25 elements per actions block, 2000 characters per button value.
A message's blocks together may hold about 12,000 characters (undocumented: Slack answers
``msg_blocks_too_long`` past ~13,200, slackapi/bolt-js#2509), so a message keeps to
``MESSAGE_CHARS``. Long answers are cut at a line boundary with a note, never mid-mention.

People's text reaches Slack inside the core's answers (a quoted narration, a question). Only the
people the core itself cites (``Reply.names``, ``Post.names``) are real mentions; any other
``<@U…>`` or ``<#C…|label>`` in the text is shown as plain "@U…" / "#label", and broadcasts
and links are escaped, so a narration can't ping anyone or disguise a person or channel link.
Section text is ``verbatim``, so Slack doesn't turn a plain "@here" or "#name" into one either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from typing import Any

from narrate_bot.events import Audience, ChannelKind
from narrate_bot.features.home import HomeSummary
from narrate_bot.features.prompt_replies import REPLY_FORM
from narrate_bot.replies import Button, FormRequest

from .translate import (
    AUDIENCE_BLOCK,
    AUDIENCE_INPUT,
    FORM_CALLBACK,
    TEXT_BLOCK,
    TEXT_INPUT,
    Where,
    form_metadata,
)

Block = dict[str, Any]
MESSAGE_BLOCKS, VIEW_BLOCKS = 50, 100
# All of a message's blocks as JSON (text, buttons and their structure): well under the ~12,000
# characters of text Slack accepts in one message's blocks, whatever it counts exactly.
MESSAGE_CHARS = 10_000
SECTION_CHARS = 3000
TEXT_CHARS = 3000  # a plain_text_input's max_length can't be more
FALLBACK_CHARS = 3000
BUTTONS_PER_BLOCK = 5
ACTION_PREFIX = "narrate_cmd"
CUT_NOTE = "_…the rest is cut to fit in Slack._"
# Slack markup is whatever sits in angle brackets: ``<@U1>``, ``<#C1|name>``, ``<!here>``, links.
_MARKUP = re.compile(r"<([^<>]*)>")
_USER = re.compile(r"^@(?P<id>[UW][A-Z0-9]+)(?:\|(?P<label>.*))?$", re.S)
_CHANNEL = re.compile(r"^#(?P<id>[CGD][A-Z0-9]+)(?:\|(?P<label>.*))?$", re.S)


def escape(text: str, mentions: Collection[str] = ()) -> str:
    """``text`` as mrkdwn in which only ``<@id>`` of the ``mentions`` ids is live markup."""
    out, last = [], 0
    for match in _MARKUP.finditer(text):
        out.append(_escape_plain(text[last : match.start()]))
        out.append(_markup(match.group(1), mentions))
        last = match.end()
    out.append(_escape_plain(text[last:]))
    return "".join(out)


def _markup(inner: str, mentions: Collection[str]) -> str:
    """One ``<…>``: a mention the core made stays; a labelled one never is the core's (it
    writes ``<@id>``), so like any other person or channel reference it becomes plain text."""
    if (user := _USER.match(inner)) is not None:
        if user["label"] is None and user["id"] in mentions:
            return f"<@{user['id']}>"
        return _escape_plain("@" + (user["label"] or user["id"]))
    if (channel := _CHANNEL.match(inner)) is not None:
        return _escape_plain("#" + (channel["label"] or channel["id"]))
    return _escape_plain(f"<{inner}>")


def _escape_plain(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _chunks(text: str, limit: int) -> list[str]:
    """Split at line ends (then spaces) so no chunk exceeds ``limit`` and no mention is split."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:cut])
            line = line[cut:].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [c for c in chunks if c.strip()] or [" "]


def mrkdwn(text: str) -> Block:
    """A text object Slack shows as given: no plain "@here" or "#name" is linked (``verbatim``)."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def sections(text: str, mentions: Collection[str] = ()) -> list[Block]:
    return [
        {"type": "section", "text": mrkdwn(chunk)}
        for chunk in _chunks(escape(text, mentions), SECTION_CHARS)
    ]


def verbatim(text: str) -> list[Block]:
    """``text`` exactly as a person typed it: plain-text sections, so nothing in it is markup."""
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "plain_text", "text": chunk, "emoji": False}}
        for chunk in _chunks(text, SECTION_CHARS)
    ]
    return blocks[: MESSAGE_BLOCKS - 1]


def _button(index: int, button: Button) -> Block:
    element: Block = {
        "type": "button",
        "action_id": f"{ACTION_PREFIX}_{index}",
        "text": {"type": "plain_text", "text": button.label[:75], "emoji": True},
        "value": button.command[:2000],
    }
    if button.danger:
        element["style"] = "danger"
        element["confirm"] = {
            "title": {"type": "plain_text", "text": "Are you sure?"},
            "text": {"type": "plain_text", "text": f"{button.label}?"[:300]},
            "confirm": {"type": "plain_text", "text": "Yes"},
            "deny": {"type": "plain_text", "text": "Cancel"},
        }
    return element


def actions(buttons: Sequence[Button]) -> list[Block]:
    blocks = []
    for start in range(0, len(buttons), BUTTONS_PER_BLOCK):
        row = buttons[start : start + BUTTONS_PER_BLOCK]
        blocks.append(
            {
                "type": "actions",
                "elements": [_button(start + i, b) for i, b in enumerate(row)],
            }
        )
    return blocks


def size(blocks: Sequence[Block]) -> int:
    """What blocks weigh against Slack's per-message total: their JSON, in characters."""
    return len(json.dumps(list(blocks), ensure_ascii=False))


def fit(body: list[Block], tail: list[Block], limit: int, chars: int | None = None) -> list[Block]:
    """Keep ``tail`` (the buttons) and as much of ``body`` as fits in ``limit`` blocks and
    ``chars`` characters, with a note when cut."""
    room = limit - len(tail)
    budget = None if chars is None else chars - size(tail)
    if len(body) <= room and (budget is None or size(body) <= budget):
        return body + tail
    note = {"type": "context", "elements": [mrkdwn(CUT_NOTE)]}
    kept: list[Block] = []
    used = size([note])
    for block in body[: room - 1]:
        used += size([block]) + 1  # and its comma
        if budget is not None and used > budget:
            break
        kept.append(block)
    return kept + [note] + tail


def fallback(text: str, mentions: Collection[str] = ()) -> str:
    """The notification text: plain, short, the cited mentions kept (Slack still renders them)."""
    flat = escape(text, mentions)
    return flat if len(flat) <= FALLBACK_CHARS else flat[: FALLBACK_CHARS - 1] + "…"


def message(
    text: str, buttons: Sequence[Button] = (), *, mentions: Collection[str] = ()
) -> dict[str, Any]:
    """A message whose only live mentions are ``mentions`` (the people the core cites), cut
    with a note to what Slack accepts in one message."""
    blocks = fit(sections(text, mentions), actions(buttons), MESSAGE_BLOCKS, MESSAGE_CHARS)
    return {"text": fallback(text, mentions), "blocks": blocks}


def audiences(form: FormRequest, where: Where) -> list[tuple[Audience, str]]:
    """Who may read what the modal saves, as offered to pick from (the first is the default).

    In a DM (or the App Home) the channel's readers are the author alone, the same as a
    private log: one "Only me" is offered, not two. A prompt's form saves in the prompt's
    channel wherever it was opened, so there its readers are offered by that name."""
    if form.form.startswith(REPLY_FORM):
        return [
            (Audience.CHANNEL, "People who can read the prompt's channel"),
            (Audience.TENANT, "Everyone in the workspace"),
            (Audience.ONLY_ME, "Only me (a private log)"),
        ]
    if where.kind == ChannelKind.DIRECT:
        return [
            (Audience.ONLY_ME, "Only me (a private log)"),
            (Audience.TENANT, "Everyone in the workspace"),
        ]
    return [
        (Audience.CHANNEL, "People who can read this channel"),
        (Audience.TENANT, "Everyone in the workspace"),
        (Audience.ONLY_ME, "Only me (a private log)"),
    ]


def modal(
    form: FormRequest,
    where: Where,
    *,
    initial_text: str = "",
    max_chars: int = TEXT_CHARS,
    home: bool = False,
) -> dict[str, Any]:
    """The narration modal: the core's prompt, a text box and who may read it.

    The text box takes no more than a narration may hold (``max_chars``, the configured limit,
    within Slack's 3000), so nothing longer can be typed and then refused with the modal gone.
    ``home``: opened from the App Home, which is published again once it is saved."""
    rendered = [
        {"text": {"type": "plain_text", "text": label}, "value": audience.value}
        for audience, label in audiences(form, where)
    ]
    limit = max(1, min(TEXT_CHARS, max_chars))
    text_input: Block = {
        "type": "plain_text_input",
        "action_id": TEXT_INPUT,
        "multiline": True,
        "max_length": limit,
    }
    if initial_text:
        text_input["initial_value"] = initial_text[:limit]
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "private_metadata": form_metadata(form=form.form, where=where, home=home),
        "title": {"type": "plain_text", "text": form.title[:24]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": TEXT_BLOCK,
                "label": {"type": "plain_text", "text": form.prompt[:2000]},
                "element": text_input,
                # Right under the box, read before anything is written.
                **({"hint": {"type": "plain_text", "text": form.note[:2000]}} if form.note else {}),
            },
            {
                "type": "input",
                "block_id": AUDIENCE_BLOCK,
                "label": {"type": "plain_text", "text": "Who may read it"},
                "element": {
                    "type": "radio_buttons",
                    "action_id": AUDIENCE_INPUT,
                    "options": rendered,
                    "initial_option": rendered[0],
                },
            },
        ],
    }


def home(page: HomeSummary) -> dict[str, Any]:
    """The App Home tab: settings first (they are short), then topics, then recent narrations."""
    head: list[Block] = [{"type": "header", "text": {"type": "plain_text", "text": "narrate"}}]
    if not page.enrolled:
        head += sections(
            "Work out loud: tell me what you're working on, learning or stuck on, and I'll help "
            "people find who knows what. Nothing is collected until you write your first update."
        )
    else:
        paused = f"paused until {page.paused_until:%Y-%m-%d}" if page.paused_until else ""
        state = {"joined": "taking part", "left": "left"}.get(page.consent, "not joined")
        settings = [
            f"*Status:* {state}{f', {paused}' if paused else ''}",
            f"*Time zone:* {page.timezone or 'from your Slack profile (not known yet)'}",
            f"*Team:* {page.team or 'not set'} (set with `/narrate team <name>`)",
        ]
        head += sections("\n".join(settings))
    tail = actions(page.actions)
    body: list[Block] = []
    if page.topics:
        body.append({"type": "divider"})
        body += sections("*Your topics:* " + ", ".join(page.topics))
    if page.recent:
        body.append({"type": "divider"})
        body += sections("*Your recent narrations*")
        for item in page.recent:
            link = f" <{item.link}|open>" if item.link and item.link.startswith("https://") else ""
            body.append(
                {
                    "type": "section",
                    "text": mrkdwn(
                        f"*#{item.ordinal}* · {item.created_at:%Y-%m-%d} · "
                        f"{escape(item.text)}{link}"[:SECTION_CHARS]
                    ),
                }
            )
    return {"type": "home", "blocks": fit(head + tail + body, [], VIEW_BLOCKS)}
