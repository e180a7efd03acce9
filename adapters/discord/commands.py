"""The slash commands, declared as a table that maps each to a core sub-command.

Discord doesn't let a command take options *and* have subcommands, so ``/narrate [text]`` stands
alone and the core's subcommands are grouped as ``/narrate-settings …``, ``/narrate-privacy …``
and so on (and ``/whoknows <topic>``). Each row becomes one subcommand; adding a core subcommand
is adding a row. Everything also stays reachable as ``/narrate text:<subcommand …>``.

A row reaches the core *named*, as command ``narrate <sub-command>`` with only the argument as
text (``routing.parse_named``): the person picked the subcommand, so what they typed into its
fields is that command's argument and is never guessed into a narration the channel can read.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from narrate_bot.events import Platform
from narrate_bot.features import help as core_help

NARRATE = "narrate"
EVERYTHING = "/narrate-settings help"

Handler = Callable[[discord.Interaction[Any], str, str], Awaitable[None]]
"""Called with (interaction, core command, core text) for every slash command."""


@dataclass(frozen=True)
class Option:
    """``required=False`` where the core answers the command alone (lists, shows, "yours"), so
    that form is reachable; ``number`` for a narration's, schedule's or introduction's number,
    which Discord then only accepts as a whole number from 1; ``quoted`` for free text after a
    field whose last word it could be read as (a prompt's question after its zone: "cet" then
    "what shipped?"), sent in quotes so the core knows where it starts; ``empty_words`` mean the
    field left empty ("default" in a new prompt's question, as in ``question``'s field);
    ``usage`` names the field in help where its name alone says too little."""

    name: str
    description: str
    required: bool = True
    number: bool = False
    quoted: bool = False
    empty_words: tuple[str, ...] = ()
    usage: str = ""


@dataclass(frozen=True)
class Sub:
    """One subcommand: ``template`` is the core's sub-command and argument, options filled in by
    name (its first word is the sub-command)."""

    name: str
    description: str
    template: str
    options: tuple[Option, ...] = ()
    # The core's words when every field is left empty, where its alone form takes a word
    # ("never-pair list") or drops one ("remind", not "remind me").
    alone: str | None = None


_ID = Option("id", "The narration's number (/narrate-privacy mine lists them)", number=True)
_INTRO = Option(
    "number", "The introduction's number (/narrate-intros mine lists them)", number=True
)

GROUPS: dict[str, tuple[str, tuple[Sub, ...]]] = {
    "narrate-settings": (
        "Your narrate-bot settings",
        (
            Sub("join", "Get prompts and be findable", "join"),
            Sub("pause", "No prompts for a while", "pause {duration}",
                (Option("duration", "How long (2w, 3d, 8h), or until a date: until 2026-12-28",
                        usage="duration or until <date>"),)),
            Sub("resume", "Prompts again after a pause", "resume"),
            Sub("leave", "No prompts, not suggested in answers", "leave"),
            Sub("team", "Set your team (empty: see it)", "team {name}",
                (Option("name", "Your team's name; leave empty to see the current one",
                        required=False),)),
            Sub("timezone", "Set your time zone", "timezone {zone}",
                (Option("zone", "An Area/City name, e.g. Europe/Berlin"),)),
            Sub("help", "What narrate-bot can do (or one command)", "help {command}",
                (Option("command", "A command to explain, e.g. pause or intros; empty: everything",
                        required=False),)),
        ),
    ),
    "narrate-privacy": (
        "Your narrations and your data",
        (
            Sub("mine", "Your recent narrations with their numbers, or a search of them all",
                "mine {search}",
                (Option("search", "Words, since <date> or <date>..<date>; empty: your latest",
                        required=False),)),
            Sub("edit", "Change one of your narrations", "edit {id} {text}",
                (_ID, Option("text", "The new text"))),
            Sub("delete", "Remove one of your narrations", "delete {id}", (_ID,)),
            Sub("share", "Let the whole server find a narration", "share {id}", (_ID,)),
            Sub("unshare", "Stop sharing a narration with the server", "unshare {id}", (_ID,)),
            Sub("export", "Everything stored about you, as a file", "export"),
            Sub("forget-me", "Erase everything about you (asks to confirm)", "forget-me"),
            Sub("forget-me-confirm", "Confirm erasing everything, within 10 minutes of forget-me",
                "forget-me confirm"),
        ),
    ),
    "narrate-topics": (
        "Who knows what, and what you want to be asked about",
        (
            Sub("map", "The topics narrated most lately, and who narrates them", "topics"),
            Sub("profile", "What someone narrates about (empty: you)", "profile {person}",
                (Option("person", "A @mention; leave empty for your own", required=False),)),
            Sub("ask-me-about", "Topics you're happy to be asked about (empty: yours)",
                "ask-me-about {topics}",
                (Option("topics", "Comma-separated, e.g. kafka, rate limiting; empty lists yours",
                        required=False),)),
            Sub("hide-me", "Keep you out of answers about a topic (empty: what you hide)",
                "hide-me {topic}",
                (Option("topic", "The topic; leave empty to list the ones you hide",
                        required=False),)),
            Sub("unhide-me", "Appear in answers about a topic again (empty: what you hide)",
                "unhide-me {topic}",
                (Option("topic", "The topic; leave empty to list the ones you hide",
                        required=False),)),
            Sub("follow", "A Monday DM of new narrations about a topic (empty: what you follow)",
                "follow {topic}",
                (Option("topic", "The topic, e.g. kafka; leave empty to list the ones you follow",
                        required=False),)),
            Sub("unfollow", "No more Monday DMs about a topic", "unfollow {topic}",
                (Option("topic", "The topic you follow, e.g. kafka"),)),
            Sub("ask-channel", "Post your question in the open-questions channel",
                "ask-channel {question}",
                (Option("question", "What you want to know; people answer in its thread"),)),
            Sub("ask-channel-answered", "Your newest open question got its answer",
                "ask-channel answered by {by}",
                (Option("by", "Who answered it (@name), to credit and thank them",
                        required=False),),
                alone="ask-channel answered"),
            Sub("ask-channel-withdraw", "Withdraw your newest open question (deletes its post)",
                "ask-channel withdraw"),
            Sub("questions-channel", "Where unanswered questions can be posted (empty: show it)",
                "questions-channel {channel}",
                (Option("channel", "A #channel, here, or off (admins, once set); empty shows it",
                        required=False),)),
        ),
    ),
    "narrate-schedules": (
        "Prompts, reminders and digests",
        (
            Sub("add", "Prompt a channel on a schedule", "schedule {channel} {when} {question}",
                (Option("channel", "The #channel"),
                 Option("when", "Days, time and zone, e.g. weekdays 16:30 Europe/Berlin"),
                 Option("question", "What it asks, e.g. What did you ship today? Empty: the "
                        "default question", required=False, quoted=True,
                        empty_words=("default",)))),
            Sub("list", "This server's schedules", "schedule list"),
            Sub("remove", "Stop a schedule", "schedule remove {id}",
                (Option("id", "The schedule's number (see list)", number=True),)),
            Sub("question", "What a prompt asks (empty: show it)",
                "schedule question {id} {question}",
                (Option("id", "The prompt's number (see list)", number=True),
                 Option("question", "The new question, or default; leave empty to see it",
                        required=False))),
            Sub("reply", "Write your update to a prompt, in a form (its button does this)",
                "reply {id}", (Option("id", "The prompt's number (see list)", number=True),)),
            Sub("skip", "No prompts on these dates", "schedule skip {dates}",
                (Option("dates", "A date or a range, e.g. 2026-12-24..2026-12-26"),)),
            Sub("skips", "Days with no prompts in a channel", "schedule skips {channel}",
                (Option("channel", "The #channel; empty: this one", required=False),)),
            Sub("unskip", "Prompts again on these dates", "schedule unskip {dates} {channel}",
                (Option("dates", "A date or a range, e.g. 2026-12-24..2026-12-26"),
                 Option("channel", "The #channel; empty: this one", required=False))),
            Sub("reminder", "One gentle reminder in a channel, or none",
                "schedule reminder {channel} {state}",
                (Option("channel", "The #channel"), Option("state", "on or off"))),
            Sub("updates", "Post form updates in the prompt's thread, or not (empty: show it)",
                "schedule updates {channel} {state}",
                (Option("channel", "The #channel"),
                 Option("state", "thread (the default) or off; leave empty to see which",
                        required=False))),
            Sub("digest", "A weekly digest thread in a channel",
                "schedule digest {channel} {state}",
                (Option("channel", "The #channel"), Option("state", "on [day time zone], or off"))),
            Sub("remind-me", "A personal prompt in your own time zone (empty: yours)",
                "remind me {when}",
                (Option("when", "Days and time, e.g. weekdays 09:30; leave empty to see yours",
                        required=False),),
                alone="remind"),
            Sub("remind-off", "No more personal prompts", "remind off"),
            Sub("managers", "Who may change schedules (admins)", "schedule managers {who}",
                (Option("who", "admins (only admins) or members (the channel's members)"),)),
            Sub("server-timezone", "The server's time zone for schedules (empty: show it)",
                "workspace-timezone {zone}",
                (Option("zone", "An Area/City name; leave empty to see the current one",
                        required=False),)),
        ),
    ),
    "narrate-intros": (
        "Introductions across teams",
        (
            Sub("mine", "Your latest introductions, and how to answer them", "intros mine"),
            Sub("join", "Be introduced to people in other teams", "intros join"),
            Sub("leave", "No more introductions", "intros leave"),
            Sub("skip", "No introductions for a while (empty: your next round)",
                "intros skip {length}",
                (Option("length", "Empty: your next round; 3w (1-12 weeks), until 2026-12-28, or "
                        "off (back in from the next round)", required=False),)),
            Sub("every", "At most how often you're introduced (empty: see it)",
                "intros every {interval}",
                (Option("interval", "week, 2w or 4w (monthly), counted from your latest "
                        "introduction", required=False),)),
            Sub("met", "You met the people of an introduction", "intros met {number}",
                (_INTRO,)),
            Sub("not-useful", "An introduction wasn't useful", "intros not-useful {number}",
                (_INTRO,)),
            Sub("never-pair", "Never be introduced to someone (private; empty: your list)",
                "never-pair {person}",
                (Option("person", "A @mention; leave empty to see your list", required=False),),
                alone="never-pair list"),
            Sub("never-pair-remove", "Undo a never-pair (private)", "never-pair remove {person}",
                (Option("person", "A @mention"),)),
            Sub("channel", "Where introductions are posted (admins)", "intros channel {channel}",
                (Option("channel", "A #channel or here"),)),
            Sub("delivery", "A post in the channel, a DM to each person, or both (admins)",
                "intros delivery {how}",
                (Option("how", "channel, dm (one DM to each person introduced) or both"),)),
            Sub("same-team", "Whether two people of one team may be introduced (admins)",
                "intros same-team {state}",
                (Option("state", "on, or off (the default: only across teams)"),)),
            Sub("cadence", "Rounds every week or every other week (admins; empty: see it)",
                "intros cadence {rhythm}",
                (Option("rhythm", "weekly (the default) or biweekly (every other week)",
                        required=False),)),
            Sub("schedule", "When introductions go out (empty: show it)",
                "intros schedule {when}",
                (Option("when", "Weekday and time, e.g. mon 10:00 Europe/Berlin; leave empty "
                        "to see it", required=False),)),
            Sub("stats", "What introductions and answers led to (no per-person figures)", "stats"),
        ),
    ),
}  # fmt: skip


def core_text(sub: Sub, values: dict[str, Any]) -> str:
    """The row as ``/narrate`` words (``team payments``), fields left empty left out."""
    filled = {k: "" if v is None else " ".join(str(v).split()) for k, v in values.items()}
    for option in sub.options:
        if filled.get(option.name, "").lower() in option.empty_words:
            filled[option.name] = ""
        if option.quoted and filled.get(option.name):
            filled[option.name] = f'"{filled[option.name]}"'
    if sub.alone is not None and not any(filled.values()):
        return sub.alone
    return " ".join(sub.template.format(**{o.name: "" for o in sub.options} | filled).split())


def core_command(sub: Sub, values: dict[str, Any]) -> tuple[str, str]:
    """The core command naming the row's sub-command (``narrate team``), and its argument."""
    word, _, arg = core_text(sub, values).partition(" ")
    return f"{NARRATE} {word}", arg


def _callback(sub: Sub, handler: Handler) -> Callable[..., Coroutine[Any, Any, None]]:
    """A callback whose signature has one parameter per option, typed and defaulted as the
    option is (discord.py builds the options from the signature)."""

    async def callback(interaction: discord.Interaction[Any], **values: Any) -> None:
        await handler(interaction, *core_command(sub, values))

    def annotation(option: Option) -> Any:
        kind: Any = app_commands.Range[int, 1, None] if option.number else str
        return kind if option.required else kind | None

    parameters = [
        inspect.Parameter(
            "interaction",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=discord.Interaction,
        ),
        *(
            inspect.Parameter(
                o.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=annotation(o),
                default=inspect.Parameter.empty if o.required else None,
            )
            for o in sorted(sub.options, key=lambda o: not o.required)
        ),
    ]
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return app_commands.describe(**{o.name: o.description for o in sub.options})(callback)


def _subcommand(sub: Sub, handler: Handler) -> app_commands.Command[Any, ..., None]:
    return app_commands.Command(
        name=sub.name, description=sub.description, callback=_callback(sub, handler)
    )


def _usage(sub: Sub) -> str:
    fields = (
        f"<{o.usage or o.name}>" if o.required else f"[{o.usage or o.name}]" for o in sub.options
    )
    return " ".join([sub.name, *fields])


def help_lines() -> list[str]:
    """The command lines of help on Discord, from this table, so help names what people can
    type here (the core's own help names Slack's ``/narrate <sub-command>``)."""
    lines = [
        "/narrate [text]: record what you're working on (alone: opens a form)",
        "/narrate text: note <text>: keep it as written, even when it starts like a command "
        "(“follow kafka”)",
        '/whoknows <topic>, or ask me "who knows about <topic>?": people and why',
    ]
    for name, (description, subs) in GROUPS.items():
        usage = " · ".join(_usage(sub) for sub in subs)
        lines.append(f"/{name} {usage}: {description[0].lower()}{description[1:]}")
    lines.append("Each also works as /narrate's text, e.g. /narrate text: pause 2w")
    return lines


def build(tree: app_commands.CommandTree[Any], handler: Handler) -> None:
    core_help.name_commands(Platform.DISCORD, help_lines(), everything=EVERYTHING)

    @tree.command(name=NARRATE, description="Narrate your work (alone: opens a form)")
    @app_commands.describe(text="What you're working on, learning or stuck on")
    @app_commands.guild_only()
    async def narrate(interaction: discord.Interaction[Any], text: str | None = None) -> None:
        await handler(interaction, NARRATE, text or "")

    @tree.command(name="whoknows", description="Who knows about a topic?")
    @app_commands.describe(topic="A topic, e.g. kafka or onboarding")
    @app_commands.guild_only()
    async def whoknows(interaction: discord.Interaction[Any], topic: str) -> None:
        await handler(interaction, f"{NARRATE} who", " ".join(topic.split()))

    for name, (description, subs) in GROUPS.items():
        group = app_commands.Group(name=name, description=description, guild_only=True)
        for sub in subs:
            group.add_command(_subcommand(sub, handler))
        tree.add_command(group)
