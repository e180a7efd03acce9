"""Outbound values: what the core wants said, with no platform syntax in them.

Mentions are written ``<@USER_ID>`` in the text (the form Slack and Discord both use); each
adapter renders them, and the console turns them into ``@Name`` using ``Reply.names``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The most text one message the core composes should carry, whatever the platform: a Slack
# message's blocks hold about 10,000 characters with their markup and escaping, and Discord
# splits a post into messages of 2,000. Long composed posts (the weekly followed-topics DM) are
# built to fit instead of being cut by the adapter, which would drop what comes last.
MESSAGE_BUDGET = 9_000
# The longest command a button can carry on every platform: Slack holds 2,000 characters in a
# button's value and cuts the rest (Discord keeps long ones by key, adapters/discord/kept.py). A
# button whose command is longer would store or apply cut text, so it is left out and the reply
# says what to send instead.
BUTTON_COMMAND_CHARS = 2_000


class Visibility(StrEnum):
    """Where a reply goes relative to the event that caused it."""

    CHANNEL = "channel"  # everyone in the channel (a thread when ``in_thread``)
    PRIVATE = "private"  # only the actor, in the same channel (ephemeral)
    DIRECT = "direct"  # a direct message to the actor


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Button(_Frozen):
    """A button that acts as if the person had typed ``command`` (``/narrate share 3``)."""

    label: str
    command: str
    danger: bool = False


class Attachment(_Frozen):
    filename: str
    content: bytes
    media_type: str = "application/json"


class FormRequest(_Frozen):
    """Ask the person to fill a form; platforms with modals open one, the console asks inline."""

    form: str
    title: str
    # The input's label: within 45 characters it fits every platform (Discord's text input
    # label is the shortest); a prompt's own question may be longer (up to 200), and is cut
    # there at a word's end.
    prompt: str
    # Said above the input, before anything is written (a platform without room for it has the
    # reply's text say it): what becomes of this form's text that its author wouldn't expect.
    note: str = ""


# What the narration forms ask (a form's label: see ``FormRequest.prompt``).
FORM_PROMPT = "Working on, learning or stuck on?"


class Quote(_Frozen):
    """A line of a reply that quotes a narration (a who-knows answer's evidence), exactly as
    the reply's text holds it: once the adapter reports where the reply was posted
    (``Bot.reply_posted``), the line follows the narration's edits and deletes."""

    narration_id: int
    line: str


class Shown(_Frozen):
    """A narration a reply shows without quoting it (``Reply.shown``), as it was when shown:
    ``edited_at`` tells an edit made since; ``channel_pk``: the private channel it was written
    in, when the reply names it (a profile names one to its members alone). ``created_at`` and
    ``author_id`` tell it from a later narration given its id once it was deleted (SQLite
    gives the highest freed id again); ``None`` in replies kept before they were recorded."""

    narration_id: int
    edited_at: datetime | None = None
    channel_pk: int | None = None
    created_at: datetime | None = None
    author_id: int | None = None


class Named(_Frozen):
    """Someone a reply shows (a profile) or names from the narrations it shows (who could
    help), with what the live rules made of them when it was made (``Reply.people``): kept
    past a rate limit, it goes as it was only while the same rules make the same of them."""

    person_id: int
    # Named as someone who could help with this question: still suggested (enrolled, not
    # paused, not gone: ``repositories.suggestable``) and not hidden from it (hide-me).
    question: str | None = None
    # Listed on a topics map for this topic (as labelled there): still suggested, and not
    # hidden from it by the map's own rule (``topic_match.narration_topic_stems``: a stored
    # "net" is .NET too, so whoever hid ".NET" is off it), which a question's keying misses.
    topic: str | None = None
    # Their profile's lines that follow their standing and choices rather than the narrations
    # it shows (``profile_view.standing``), as read by them (``own``) or by someone else.
    profile: str | None = None
    own: bool = False


class Reply(_Frozen):
    text: str
    visibility: Visibility = Visibility.PRIVATE
    in_thread: bool = False
    buttons: tuple[Button, ...] = ()
    attachment: Attachment | None = None
    form: FormRequest | None = None
    names: dict[str, str] = Field(default_factory=dict)
    # The narrations the text quotes. An adapter that posts the reply as a message the bot can
    # edit later (in the channel, or a DM) reports its id with ``Bot.reply_posted``; an
    # ephemeral one (private to the asker, gone on reload, not editable later) is not reported.
    quotes: tuple[Quote, ...] = ()
    # With ``quotes``: the workspace's erasure mark as the question was read (``storage.privacy.
    # erasure_mark``). Kept for a DM's reader by user id, the answer is checked against it: a
    # forget-me since (perhaps the asker's own) leaves nothing kept under that id...
    erasure_mark: str | None = None
    # ...unless the answer's own record (its "This helped" token, ``who_knows_repo.record``),
    # kept under the asker's user id while the mark was unchanged, is still there: every
    # forget-me of that id deletes it, so the one that moved the mark was someone else's.
    recorded_as: str | None = None
    # What is said instead when the platform kept the reply for later (a rate limit refused
    # it: sent an hour on, say) and, by the time it goes, a narration of ``shown`` was deleted,
    # edited, or may no longer be read where it goes (a profile's recent ones, "mine", who could
    # help, ``/narrate edit``'s offer): a note asking again, naming nobody. While every one
    # still holds, the reply goes as it was. ``None``: kept as it is, unchecked.
    if_kept: str | None = None
    # With ``if_kept``: the narrations the text shows or was made from, checked at send time.
    shown: tuple[Shown, ...] = ()
    # With ``if_kept``: the people it shows or names, checked at send time as ``shown`` is.
    people: tuple[Named, ...] = ()
    # An offer about the reply just before it (who-knows's "Did this answer help?"): kept for
    # later with it, it goes only when that reply goes as it was, never after a note asking
    # again.
    after_answer: bool = False


# ``Reply.if_kept`` for a reply that is nothing but what it shows.
HELD_BACK = (
    "I held back a reply showing narrations while I was asked to slow down, and some of them "
    "changed since. Ask me again for an up-to-date one."
)


class Post(_Frozen):
    """A message the bot sends on its own initiative: a prompt, a digest, an introduction.

    Exactly one of ``channel_id`` (post in a channel, or in the thread of ``thread_of`` there) and
    ``to_users`` (a DM, or a group DM when several) is set. Adapters deliver it through their
    ``ChatGateway`` and return the platform's message id, so replies in its thread can be matched.
    """

    text: str
    channel_id: str | None = None
    thread_of: str | None = None
    to_users: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = ()
    names: dict[str, str] = Field(default_factory=dict)
    # What an adapter may say in a channel, after a mention, when a DM can't be delivered
    # (Discord refuses DMs some people closed). Never the DM's own text: that may cite work
    # narrated where the channel's readers can't read it. Adapters have a generic default.
    pointer: str | None = None
    # Name the people of ``names`` without notifying them (an update posted for its author):
    # adapters show each as a mention that pings nobody, or as their name where a mention
    # always pings (Slack).
    quiet: bool = False
    # Which delivery this is, where the core has one that outlives the process (a scheduled
    # send's id, a follower's digest week): a platform that makes a retried message once by a
    # key (Discord's nonce) keys it by this, so a retry after a restart, or of a post composed
    # again, is still the same message. ``None``: each ``ChatGateway.post`` call is its own
    # delivery, never merged with another of the same words.
    delivery: str | None = None

    @model_validator(mode="after")
    def _one_destination(self) -> Post:
        if (self.channel_id is None) == (not self.to_users):
            raise ValueError("a post goes to a channel or to people, not both or neither")
        return self


def quoted(text: str) -> str:
    """Text handed back as a quote, line by line: a refusal never loses what was typed."""
    return "\n".join(f"> {line}" for line in text.splitlines())
