"""What the bot says on Discord names commands someone can type there, and quotes people verbatim.

Before, replies said "/narrate pause 2w takes a break" and "/narrate mine lists them": typed on
Discord, that is ``/narrate`` with its text field (a narration, or the free-text grammar), not the
``/narrate-settings pause`` the sentence meant. Driven through the real client against the fake.
"""

from __future__ import annotations

from typing import Any

from narrate_bot.app import Bot

from .fake import BOB, FakeDiscord

TIP = "kafka consumer tip: run /narrate pause 2w before your leave"


async def _content(fake: FakeDiscord, command: str, **options: Any) -> str:
    answer = await fake.answer(await fake.slash(command, **options))
    return str(answer["data"]["content"])


async def test_replies_name_the_grouped_commands(fake, bot: Bot, connect):
    await connect(bot)
    joined = await _content(fake, "narrate-settings", sub="join")
    assert "/narrate-settings pause duration: 2w takes a break" in joined, joined
    assert "/narrate-settings leave stops, /narrate-settings help shows everything" in joined
    assert "/narrate pause" not in joined and "/narrate leave" not in joined

    hinted = await _content(fake, "narrate", text="pause for lunch went long, slept in")
    assert (
        "If you meant to pause, use /narrate-settings pause duration: 2w (or 3d, 8h, until <date>)."
        in hinted
    )

    intros = await _content(fake, "narrate-intros", sub="mine")
    assert "/narrate-intros join takes part" in intros, intros
    assert "/narrate-settings help command: intros lists the rest" in intros


async def test_the_erase_confirmation_names_the_confirm_command_and_its_button_still_works(
    fake, bot: Bot, connect
):
    await connect(bot)
    await _content(fake, "narrate", text="shipped the ledger importer")
    asked = await fake.answer(await fake.slash("narrate-privacy", sub="forget-me"))
    content = asked["data"]["content"]
    assert "/narrate-privacy forget-me-confirm" in content, content
    assert "/narrate forget-me confirm" not in content
    # The button carries the core's command, not the sentence's wording.
    [button] = [c for row in asked["data"]["components"] for c in row["components"]]
    assert button["custom_id"] == "narrate:/narrate forget-me confirm"
    clicked = await fake.answer(await fake.click(button["custom_id"]))
    mine = await _content(fake, "narrate-privacy", sub="mine")
    assert clicked and mine.startswith("You haven't narrated anything yet"), mine


async def test_a_narration_that_names_a_command_is_quoted_verbatim(fake, bot: Bot, connect):
    await connect(bot)
    await _content(fake, "narrate", text=TIP)

    found = await _content(fake, "whoknows", who=BOB, topic="kafka consumer")
    assert f"“{TIP}”" in found, found

    mine = await _content(fake, "narrate-privacy", sub="mine")
    assert TIP in mine, mine
    assert (
        "Change one with /narrate-privacy edit id: 1 text: <text>, "
        "or remove it with /narrate-privacy delete id: 1" in mine
    ), mine

    profile = await _content(fake, "narrate-topics", sub="profile")
    assert f"“{TIP}”" in profile, profile


async def test_help_says_the_words_also_work_as_narrates_text(fake, bot: Bot, connect):
    await connect(bot)
    out = await _content(fake, "narrate-settings", sub="help")
    assert "Each also works as /narrate's text, e.g. /narrate text: pause 2w" in out, out
    assert "Where I say /narrate <words>" not in out
