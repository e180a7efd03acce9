"""Schedule commands never tell a non-member that a private channel exists.

Review s14: ``/narrate schedule #layoffs-2027 …`` answered "Only members of #layoffs-2027 can
change its schedule" while an unknown name got "I haven't seen #… yet", so anyone could probe
which private channels exist. A non-member now gets exactly the unknown channel's reply.
"""

from __future__ import annotations

import pytest

COMMANDS = [
    "schedule {} weekdays 09:00",
    "schedule reminder {} on",
    "schedule digest {} on",
    "schedule digest {} off",
    "schedule skip {} 2026-12-24",
    "schedule unskip {} 2026-12-24",
    "schedule skips {}",
]


def _only_text(out: str) -> str:
    return out.split("] ", 1)[1].strip()


@pytest.mark.parametrize("command", COMMANDS)
async def test_a_non_member_gets_the_unknown_channels_reply(chat, command):
    await chat.say(
        ":channel #layoffs-2027 private alice,carol",
        "alice in #layoffs-2027: /narrate schedule digest on",
    )
    private = _only_text(await chat.say(f"bob: /narrate {command.format('#layoffs-2027')}"))
    unknown = _only_text(await chat.say(f"bob: /narrate {command.format('#nothing-here')}"))
    assert private == unknown.replace("#nothing-here", "#layoffs-2027")
    assert "haven't seen #layoffs-2027" in private


async def test_the_same_when_only_admins_may_change_schedules(chat):
    await chat.say(
        ":admin zoe",
        ":channel #layoffs-2027 private alice,carol",
        "zoe: /narrate schedule managers admins",
    )
    private = _only_text(await chat.say("bob: /narrate schedule #layoffs-2027 weekdays 09:00"))
    assert "haven't seen #layoffs-2027" in private
    known = _only_text(await chat.say("bob: /narrate schedule #general weekdays 09:00"))
    assert "only admins" in known


async def test_members_and_admins_still_manage_it_from_elsewhere(chat):
    await chat.say(":channel #layoffs-2027 private alice,carol", ":admin zoe")
    out = await chat.say("carol: /narrate schedule #layoffs-2027 weekdays 09:00 Europe/Berlin")
    assert "Scheduled #1: a prompt in #layoffs-2027" in out
    out = await chat.say("zoe: /narrate schedule reminder #layoffs-2027 on")
    assert "#layoffs-2027 now gets one gentle reminder" in out
    assert "#layoffs-2027" not in await chat.say("bob: /narrate schedule list")


async def test_reply_to_a_private_prompt_by_id_names_nothing_to_a_non_member(chat):
    """Ids can be tried one by one: a private prompt answers an outsider like a missing one."""
    await chat.say(
        ":channel #hr-layoffs private alice",
        "alice in #hr-layoffs: /narrate schedule daily 10:00 Europe/Berlin",
        ":advance 2h",
    )
    out = await chat.say("bob: /narrate reply 1")
    missing = await chat.say("bob: /narrate reply 99")
    assert "hr-layoffs" not in out
    assert out.replace("#1", "#N") == missing.replace("#99", "#N")
    assert "fills the form" in await chat.say("alice in #hr-layoffs: /narrate reply 1")
