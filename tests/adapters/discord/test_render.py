"""Replies within Discord's limits: 2,000-character content, 4,096-character embeds, 5 rows of 5
buttons, 100-character custom ids, modal titles and labels of 45."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from narrate_bot.replies import Attachment, Button, FormRequest
from narrate_bot_adapters.discord.render import (
    CONTENT_LIMIT,
    EMBED_LIMIT,
    FormModal,
    button_rows,
    button_view,
    messages,
    split_text,
    thread_name,
)


def test_short_text_is_content_long_text_an_embed_longer_text_several_messages():
    assert messages("hi")[0].content == "hi"
    embed = messages("x" * (CONTENT_LIMIT + 1))
    assert len(embed) == 1 and embed[0].content is None and len(embed[0].embed or "") == 2001
    lines = "\n".join(f"line {n}: " + "y" * 90 for n in range(60))  # ~6,000 characters
    parts = messages(lines, buttons=(Button(label="More", command="/narrate mine"),))
    assert len(lines) > EMBED_LIMIT and len(parts) == 3
    assert all(p.content is not None and len(p.content) <= CONTENT_LIMIT for p in parts)
    assert [bool(p.buttons) for p in parts] == [False, False, True]
    assert "\n".join(p.content or "" for p in parts) == lines  # split at line ends, nothing lost


@given(st.text(alphabet=st.sampled_from("ab \n"), max_size=5000))
def test_split_text_never_exceeds_the_limit_and_loses_nothing_but_break_spaces(text):
    pieces = split_text(text)
    assert all(len(p) <= CONTENT_LIMIT for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_buttons_fill_at_most_five_rows_of_five_with_ids_that_fit():
    buttons = tuple(Button(label=f"b{n}", command=f"/narrate share {n}") for n in range(30))
    too_long = Button(label="long", command="/narrate " + "z" * 100)
    rows = button_rows((too_long, *buttons), keys={too_long.command: "k" * 16})
    assert len(rows) == 5 and all(len(r) == 5 for r in rows)
    assert rows[0][0][1].startswith("narrate-kept:") and rows[0][1][1] == "narrate:/narrate share 0"
    assert all(len(custom_id) <= 100 for row in rows for _, custom_id in row)


def test_a_long_command_kept_nowhere_leaves_its_button_out():
    too_long = Button(label="long", command="/narrate " + "z" * 100)
    short = Button(label="short", command="/narrate share 1")
    assert button_rows((too_long, short)) == [[(short, "narrate:/narrate share 1")]]


async def test_a_view_has_the_styles_and_rows_discord_expects():
    view = button_view(
        (Button(label="Erase", command="/narrate forget-me confirm", danger=True),), guild_id=2000
    )
    assert view is not None
    (row,) = view.to_components()
    (button,) = row["components"]
    assert button["style"] == 4 and button["custom_id"] == "narrate@2000:/narrate forget-me confirm"
    assert not view.is_dispatchable()  # no per-message state kept by discord.py
    assert button_view(()) is None


async def test_a_form_becomes_a_modal_within_its_limits():
    form = FormRequest(
        form="weekly-update",
        title="Your weekly update for the platform team, week 48",
        prompt="What did you ship, what are you stuck on, and what did you learn this week?",
    )
    modal = FormModal(form, max_length=6000)
    data = modal.to_dict()
    assert data["custom_id"] == "narrate-form:weekly-update"
    assert len(data["title"]) <= 45 and data["title"].endswith("…")
    text_input = data["components"][0]["components"][0]
    assert len(text_input["label"]) <= 45 and len(text_input["placeholder"]) <= 100
    assert text_input["max_length"] == 4000 and text_input["custom_id"] == "text"


def test_thread_names_come_from_the_first_line_within_100_characters():
    assert thread_name("\n  What did you work on?  \nmore") == "What did you work on?"
    assert len(thread_name("w" * 300)) == 100
    assert thread_name("") == "narrate-bot"


def test_an_attachment_rides_on_the_last_message():
    parts = messages("here", attachment=Attachment(filename="me.json", content=b"{}"))
    assert parts[-1].attachment is not None and parts[-1].attachment.filename == "me.json"


async def test_the_narration_forms_question_fits_discords_label_whole(bot, chat):
    """The core's own forms (/narrate alone, "Write my update") are asked without a cut."""
    from narrate_bot.events import ChannelRef, CommandInvoked, Platform, TenantRef, UserRef

    asked = CommandInvoked(
        event_id="form-1",
        tenant=TenantRef(platform=Platform.DISCORD, tenant_id="2000", name="Acme"),
        user=UserRef(user_id="4000", display_name="alice"),
        channel=ChannelRef(channel_id="3000", name="general"),
        occurred_at=chat.adapter.clock.now(),
        command="narrate",
        text="",
    )
    [reply] = await bot.handle(asked)
    assert reply.form is not None
    text_input = FormModal(reply.form, max_length=4000).to_dict()["components"][0]["components"][0]
    assert text_input["label"] == reply.form.prompt and not text_input["label"].endswith("…")
