"""The App Home is a copy of the person's recent narrations that Slack keeps (the view last
published). Whatever takes narrations back or changes them publishes it again: a forget-me
confirmed by typing it in a DM to the bot (as README says, that runs the command), and
``/narrate delete`` or ``edit``, typed as a slash command or in a DM. Otherwise Slack goes on
showing the erased or old words until the person next opens the tab."""

from __future__ import annotations

import json

from tests.adapters.slack.conftest import dm_event, until


def _home(slack) -> str:
    published = slack.fake.called("views.publish")
    return json.dumps(published[-1].params["view"]) if published else ""


async def _home_opened(slack) -> None:
    await slack.command("zanzibarquux ledger migration")
    await until(lambda: slack.fake.responses)
    event = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}
    await slack.event(event, "Ev-home-1")
    await until(lambda: "zanzibarquux" in _home(slack))


async def test_a_forget_me_confirmed_in_a_dm_empties_the_home_tab(slack):
    await _home_opened(slack)
    await slack.event(dm_event("forget-me", "1763800000.000700"), "Ev-dm-1")
    await until(lambda: len(slack.fake.called("chat.postMessage")) >= 1)
    await slack.event(dm_event("forget-me confirm", "1763800000.000800"), "Ev-dm-2")
    await until(lambda: len(slack.fake.called("chat.postMessage")) >= 2)
    assert "erased everything" in str(slack.fake.called("chat.postMessage")[-1].params["text"])
    assert await slack.narration_count() == 0
    await until(lambda: "zanzibarquux" not in _home(slack))


async def test_a_delete_takes_the_narration_off_the_home_tab(slack):
    await _home_opened(slack)
    before = len(slack.fake.responses)
    await slack.command("delete 1")
    await until(lambda: len(slack.fake.responses) > before)
    assert await slack.narration_count() == 0
    await until(lambda: "zanzibarquux" not in _home(slack))


async def test_a_delete_typed_in_a_dm_takes_it_off_too(slack):
    await _home_opened(slack)
    await slack.event(dm_event("delete 1", "1763800000.000900"), "Ev-dm-3")
    await until(lambda: len(slack.fake.called("chat.postMessage")) >= 1)
    assert await slack.narration_count() == 0
    await until(lambda: "zanzibarquux" not in _home(slack))


async def test_an_edit_shows_the_new_words_on_the_home_tab(slack):
    await _home_opened(slack)
    before = len(slack.fake.responses)
    await slack.command("edit 1 quokka ledger migration")
    await until(lambda: len(slack.fake.responses) > before)
    await until(lambda: "quokka" in _home(slack))
    assert "zanzibarquux" not in _home(slack)
