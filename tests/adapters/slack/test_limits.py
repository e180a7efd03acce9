"""Messages Slack accepts: a message's blocks hold about 12,000 characters in all (the fake
refuses past that, as Slack does with ``msg_blocks_too_long``), so a long answer arrives cut
with a note, and an export whose file can't be uploaded is never posted as a cut JSON."""

from __future__ import annotations

import json

import pytest

from narrate_bot.events import Platform, TenantRef
from narrate_bot.replies import Post
from narrate_bot_adapters.slack import render
from tests.adapters.slack.conftest import until
from tests.adapters.slack.fake_slack import shown

LINE = "worked on the billing service retry logic and kafka consumer timeouts today " * 8


def _accepted(slack, method: str = "chat.postMessage") -> list[dict]:
    return [c.params for c in slack.fake.called(method) if c.error is None]


async def _narrate(slack, count: int) -> None:
    for n in range(count):
        await slack.command(f"{LINE} item {n}")
    await until(lambda: len(slack.fake.responses) >= count)


@pytest.mark.parametrize("failure", ["the API refuses", "the upload URL refuses"])
async def test_a_large_export_that_cannot_be_uploaded_says_so_instead_of_a_cut_json(
    slack, failure: str
):
    await _narrate(slack, 25)  # an export of about 17,000 characters
    if failure == "the API refuses":
        slack.fake.failures["files.getUploadURLExternal"] = "fatal_error"
    else:
        slack.fake.upload_status = 500
    await slack.command("export")
    await until(lambda: [c for c in slack.fake.calls if c.method == "chat.postMessage"])
    [told] = _accepted(slack)
    assert told["channel"] == "U1"  # their DM with the app, where the file would have been
    said = shown(told)
    assert "couldn't upload your export" in said and "/narrate export" in said
    assert "Export my data" in said
    assert "item 0" not in said and '"narrations"' not in said  # no part of the JSON


async def test_a_small_export_that_cannot_be_uploaded_comes_whole_as_plain_text(slack):
    await _narrate(slack, 1)
    slack.fake.failures["files.getUploadURLExternal"] = "fatal_error"
    await slack.command("export")
    await until(lambda: [c for c in slack.fake.calls if c.method == "chat.postMessage"])
    [sent] = _accepted(slack)
    plain = [b["text"]["text"] for b in sent["blocks"] if b["text"]["type"] == "plain_text"]
    exported = json.loads("".join(plain))
    assert exported["narrations"][0]["text"].endswith("item 0")


async def test_a_long_post_is_cut_with_a_note_to_what_slack_accepts(slack):
    gateway = slack.adapter.bot.gateways[Platform.SLACK]
    text = "\n".join(f"{n}. {LINE}" for n in range(60))  # about 37,000 characters
    ts = await gateway.post(
        TenantRef(platform=Platform.SLACK, tenant_id="T1"), Post(text=text, channel_id="C1")
    )
    [sent] = _accepted(slack)
    assert ts and "the rest is cut to fit in Slack" in shown(sent)
    assert shown(sent).startswith("0. worked on the billing")


def test_no_message_exceeds_the_total_however_its_text_and_buttons_add_up():
    from narrate_bot.replies import Button

    buttons = tuple(
        Button(label=f"b{n}", command=f"/narrate ask-channel {'q' * 280}") for n in range(5)
    )
    for text in ("x" * 40_000, "\n".join("y" * 2990 for _ in range(30)), "short"):
        message = render.message(text, buttons)
        assert render.size(message["blocks"]) <= render.MESSAGE_CHARS
        assert message["blocks"][-1]["type"] == "actions"
