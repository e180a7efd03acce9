"""A form sent with nothing in it (Discord's "required" accepts a zero-width space) is asked for
again, and a form can't answer a form: the answer carries a button that opens it again, or it
asks the person to write with nowhere to write."""

from __future__ import annotations

from narrate_bot.app import Bot
from narrate_bot.replies import FormRequest, Reply

from .conftest import Recorder
from .fake import CAROL, GUILD

MODAL = 9


def buttons(answer: dict) -> list[dict]:
    rows = answer["data"].get("components") or []
    found = [button for row in rows for button in row["components"]]
    assert found, f"no button under: {answer['data']['content']}"
    return found


async def test_an_empty_narration_form_answers_with_a_button_that_opens_it_again(
    fake, bot: Bot, connect
):
    await connect(bot)

    answer = await fake.answer(await fake.submit("narrate-form:narration", "\u200b"))

    assert answer["data"]["content"].startswith("What are you working on?")
    [button] = buttons(answer)
    assert button["label"] == "Narrate your work" and button["custom_id"] == "narrate:/narrate"
    again = await fake.answer(await fake.click(button["custom_id"]))
    assert again["type"] == MODAL and again["data"]["custom_id"] == "narrate-form:narration"


async def test_an_empty_narration_form_in_a_dm_opens_again_in_its_server(fake, bot: Bot, connect):
    await connect(bot)

    answer = await fake.answer(
        await fake.submit(f"narrate-form@{GUILD}:narration", " \u200b ", in_guild=False, who=CAROL)
    )

    [button] = buttons(answer)
    assert button["custom_id"] == f"narrate@{GUILD}:/narrate"
    again = await fake.answer(await fake.click(button["custom_id"], in_guild=False, who=CAROL))
    assert (
        again["type"] == MODAL and again["data"]["custom_id"] == f"narrate-form@{GUILD}:narration"
    )


async def test_a_prompt_reply_form_asked_for_again_opens_that_prompts_form(fake, connect):
    form = FormRequest(form="prompt-reply:3", title="Write my update", prompt="Working on?")
    await connect(Recorder([Reply(text="Write a line or two first.", form=form)]))

    answer = await fake.answer(await fake.submit("narrate-form:prompt-reply:3", "\u200b"))

    [button] = buttons(answer)
    assert button["label"] == "Write my update"
    assert button["custom_id"] == "narrate:/narrate reply 3"
