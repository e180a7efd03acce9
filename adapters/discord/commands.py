"""The slash commands, declared as a table that maps each to the core's ``/narrate`` text.

Discord doesn't let a command take options *and* have subcommands, so ``/narrate [text]`` stands
alone and the core's subcommands are grouped as ``/narrate-settings …`` and ``/narrate-privacy …``
(and ``/whoknows <topic>``). Each row becomes one subcommand; adding a core subcommand is adding
a row. Everything also stays reachable as ``/narrate text:<subcommand …>``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

NARRATE = "narrate"

Handler = Callable[[discord.Interaction[Any], str, str], Awaitable[None]]
"""Called with (interaction, core command, core text) for every slash command."""


@dataclass(frozen=True)
class Option:
    name: str
    description: str


@dataclass(frozen=True)
class Sub:
    """One subcommand: ``template`` is the core's text, options filled in by name."""

    name: str
    description: str
    template: str
    options: tuple[Option, ...] = ()


_ID = Option("id", "The narration's number (/narrate-privacy mine lists them)")
_INTRO = Option("number", "The introduction's number (/narrate-intros mine lists them)")

GROUPS: dict[str, tuple[str, tuple[Sub, ...]]] = {
    "narrate-settings": (
        "Your narrate-bot settings",
        (
            Sub("join", "Get prompts and be findable", "join"),
            Sub("pause", "No prompts for a while", "pause {duration}",
                (Option("duration", "How long, e.g. 2w, 3d or 8h"),)),
            Sub("resume", "Prompts again after a pause", "resume"),
            Sub("leave", "No prompts, not suggested in answers", "leave"),
            Sub("team", "Set your team", "team {name}", (Option("name", "Your team's name"),)),
            Sub("timezone", "Set your time zone", "timezone {zone}",
                (Option("zone", "An Area/City name, e.g. Europe/Berlin"),)),
            Sub("help", "What narrate-bot can do", "help"),
        ),
    ),
    "narrate-privacy": (
        "Your narrations and your data",
        (
            Sub("mine", "Your recent narrations with their numbers", "mine"),
            Sub("edit", "Change one of your narrations", "edit {id} {text}",
                (_ID, Option("text", "The new text"))),
            Sub("delete", "Remove one of your narrations", "delete {id}", (_ID,)),
            Sub("share", "Let the whole server find a narration", "share {id}", (_ID,)),
            Sub("unshare", "Stop sharing a narration with the server", "unshare {id}", (_ID,)),
            Sub("export", "Everything stored about you, as a file", "export"),
            Sub("forget-me", "Erase everything about you (asks to confirm)", "forget-me"),
        ),
    ),
    "narrate-topics": (
        "Who knows what, and what you want to be asked about",
        (
            Sub("map", "The topics narrated most lately, and who narrates them", "topics"),
            Sub("profile", "What someone narrates about (empty: you)", "profile {person}",
                (Option("person", "A @mention, or leave as 'me'"),)),
            Sub("ask-me-about", "Topics you're happy to be asked about", "ask-me-about {topics}",
                (Option("topics", "Comma-separated, e.g. kafka, rate limiting"),)),
            Sub("hide-me", "Keep me out of answers about a topic", "hide-me {topic}",
                (Option("topic", "The topic"),)),
            Sub("unhide-me", "Appear in answers about a topic again", "unhide-me {topic}",
                (Option("topic", "The topic"),)),
            Sub("questions-channel", "Where unanswered questions can be posted",
                "questions-channel {channel}", (Option("channel", "A #channel, here, or off"),)),
        ),
    ),
    "narrate-schedules": (
        "Prompts, reminders and digests",
        (
            Sub("add", "Prompt a channel on a schedule", "schedule {channel} {when}",
                (Option("channel", "The #channel"),
                 Option("when", "Days, time and zone, e.g. weekdays 16:30 Europe/Berlin"))),
            Sub("list", "This server's schedules", "schedule list"),
            Sub("remove", "Stop a schedule", "schedule remove {id}",
                (Option("id", "The schedule's number (see list)"),)),
            Sub("skip", "No prompts on these dates", "schedule skip {dates}",
                (Option("dates", "A date or a range, e.g. 2026-12-24..2026-12-26"),)),
            Sub("reminder", "One gentle reminder in a channel, or none",
                "schedule reminder {channel} {state}",
                (Option("channel", "The #channel"), Option("state", "on or off"))),
            Sub("digest", "A weekly digest thread in a channel",
                "schedule digest {channel} {state}",
                (Option("channel", "The #channel"), Option("state", "on [day time zone], or off"))),
            Sub("remind-me", "A personal prompt in your own time zone", "remind me {when}",
                (Option("when", "Days and time, e.g. weekdays 09:30"),)),
            Sub("remind-off", "No more personal prompts", "remind off"),
            Sub("server-timezone", "The server's time zone for schedules",
                "workspace-timezone {zone}", (Option("zone", "An Area/City name"),)),
        ),
    ),
    "narrate-intros": (
        "Weekly introductions across teams",
        (
            Sub("mine", "Your latest introductions, and how to answer them", "intros mine"),
            Sub("join", "Be introduced to people in other teams", "intros join"),
            Sub("leave", "No more introductions", "intros leave"),
            Sub("skip", "No introduction for you next week", "intros skip"),
            Sub("met", "You met the people of an introduction", "intros met {number}",
                (_INTRO,)),
            Sub("not-useful", "An introduction wasn't useful", "intros not-useful {number}",
                (_INTRO,)),
            Sub("never-pair", "Never be introduced to someone (private)", "never-pair {person}",
                (Option("person", "A @mention"),)),
            Sub("channel", "Where introductions are posted (admins)", "intros channel {channel}",
                (Option("channel", "A #channel or here"),)),
            Sub("delivery", "Channel post, group DM, or both (admins)", "intros delivery {how}",
                (Option("how", "channel, dm or both"),)),
            Sub("schedule", "When introductions go out", "intros schedule {when}",
                (Option("when", "Weekday and time, e.g. mon 10:00 Europe/Berlin"),)),
            Sub("stats", "What introductions and answers led to (no per-person figures)", "stats"),
        ),
    ),
}  # fmt: skip


def core_text(sub: Sub, values: dict[str, str]) -> str:
    return sub.template.format(**{k: " ".join(str(v).split()) for k, v in values.items()}).strip()


def _callback(sub: Sub, handler: Handler) -> Callable[..., Coroutine[Any, Any, None]]:
    """A callback with one ``str`` parameter per option (discord.py reads its signature)."""
    names = [o.name for o in sub.options]

    async def none(interaction: discord.Interaction[Any]) -> None:
        await handler(interaction, NARRATE, core_text(sub, {}))

    async def one(interaction: discord.Interaction[Any], first: str) -> None:
        await handler(interaction, NARRATE, core_text(sub, {names[0]: first}))

    async def two(interaction: discord.Interaction[Any], first: str, second: str) -> None:
        await handler(interaction, NARRATE, core_text(sub, {names[0]: first, names[1]: second}))

    chosen: Callable[..., Coroutine[Any, Any, None]] = (none, one, two)[len(names)]
    positions = ("first", "second")[: len(names)]
    renamed = app_commands.rename(**dict(zip(positions, names, strict=True)))(chosen)
    return app_commands.describe(
        **{p: o.description for p, o in zip(positions, sub.options, strict=True)}
    )(renamed)


def _subcommand(sub: Sub, handler: Handler) -> app_commands.Command[Any, ..., None]:
    return app_commands.Command(
        name=sub.name, description=sub.description, callback=_callback(sub, handler)
    )


def build(tree: app_commands.CommandTree[Any], handler: Handler) -> None:
    @tree.command(name=NARRATE, description="Narrate your work (alone: opens a form)")
    @app_commands.describe(text="What you're working on, learning or stuck on")
    @app_commands.guild_only()
    async def narrate(interaction: discord.Interaction[Any], text: str | None = None) -> None:
        await handler(interaction, NARRATE, text or "")

    @tree.command(name="whoknows", description="Who knows about a topic?")
    @app_commands.describe(topic="A topic, e.g. kafka or onboarding")
    @app_commands.guild_only()
    async def whoknows(interaction: discord.Interaction[Any], topic: str) -> None:
        await handler(interaction, NARRATE, f"who {' '.join(topic.split())}")

    for name, (description, subs) in GROUPS.items():
        group = app_commands.Group(name=name, description=description, guild_only=True)
        for sub in subs:
            group.add_command(_subcommand(sub, handler))
        tree.add_command(group)
