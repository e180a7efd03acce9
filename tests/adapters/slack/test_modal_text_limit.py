"""The narration modal takes no more than a narration may hold, and a longer text is refused
inside the modal, which stays open with everything typed in it."""

from __future__ import annotations

import json

import pytest

from narrate_bot.app import Bot
from narrate_bot.config import Settings
from tests.adapters.slack.conftest import until
from tests.adapters.slack.test_stale_forms import submission

LIMIT = 1000


@pytest.fixture
def bot(db, clock):
    return Bot(db=db, clock=clock, settings=Settings(max_narration_chars=LIMIT))


async def test_the_text_box_is_no_longer_than_the_configured_limit(slack):
    await slack.command("")
    await until(lambda: slack.fake.called("views.open"))
    view = slack.fake.called("views.open")[0].params["view"]
    assert view["blocks"][0]["element"]["max_length"] == LIMIT


async def test_a_text_over_the_limit_is_refused_in_the_open_modal_and_nothing_is_lost(slack):
    await slack.command("")
    await until(lambda: slack.fake.called("views.open"))
    view = slack.fake.called("views.open")[0].params["view"]
    text = "a long weekly write-up about the kafka migration " * 30  # about 1,500 characters

    status, body, _ = await slack.interaction(submission(view, text))

    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"  # the modal stays open, its text in it
    assert f"up to {LIMIT:,}" in answer["errors"]["text_block"]
    assert await slack.narrations() == []
    assert not slack.fake.called("chat.postEphemeral") and not slack.fake.called("chat.postMessage")


async def test_a_text_within_the_limit_is_saved(slack):
    await slack.command("")
    await until(lambda: slack.fake.called("views.open"))
    view = slack.fake.called("views.open")[0].params["view"]
    status, body, _ = await slack.interaction(submission(view, "x" * LIMIT))
    assert status == 200 and body == ""
    await until(lambda: slack.fake.called("chat.postEphemeral"))
    [narration] = await slack.narrations()
    assert len(narration.text) == LIMIT
