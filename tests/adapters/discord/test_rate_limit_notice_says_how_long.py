"""Discord: a click or a form in a DM that a long rate limit refuses says so, with the time it
still lasts, instead of "try again in a minute"; discord.py against the fake gateway.

A DM's button or form checks the person is still a member of the server it names, over REST.
When Discord answers that route with a 429 longer than discord.py will wait
(``max_ratelimit_timeout``, a minute), discord.py raises ``discord.RateLimited`` at once, and
every try until it passes is refused the same way. The person was told "Please try again in a
minute", which fails as often as they try for the next 40 minutes. Now they are told Discord
asked the bot to slow down and when to try again; a form's text is handed back as before, and
nothing is kept.
"""

from __future__ import annotations

from narrate_bot.events import CommandInvoked, FormSubmitted
from narrate_bot.replies import Reply
from narrate_bot_adapters.discord.interactions import TRIED_AGAIN

from .conftest import Recorder, until
from .fake import CAROL, GUILD

EPHEMERAL = 64
CLICK = f"narrate@{GUILD}:/narrate intros met 4"
FORM = f"narrate-form@{GUILD}:narration"
MEMBER = rf"^/guilds/{GUILD}/members/{CAROL['id']}$"
FORTY_MINUTES = {"message": "You are being rate limited.", "retry_after": 2400, "global": False}


def _limited(fake) -> None:
    """The members route answers with a 40-minute 429, however often it is asked."""
    fake.fail("GET", MEMBER, 429, FORTY_MINUTES, headers={"X-RateLimit-Scope": "user"}, times=100)


async def _said(fake, iid: str) -> str:
    """What the person was shown: the initial response, or the follow-up after a deferral."""
    first = await fake.answer(iid)
    if first["type"] != 5:
        return str(first["data"]["content"])
    await until(lambda: fake.posted("/webhooks/"))
    [follow_up] = fake.posted("/webhooks/")
    assert follow_up.body["flags"] == EPHEMERAL
    return str(follow_up.body["content"])


async def test_a_dm_click_refused_by_a_long_rate_limit_says_how_long(fake, connect):
    core = Recorder([Reply(text="Glad you met!")])
    await connect(core)
    _limited(fake)

    said = await _said(fake, await fake.click(CLICK, in_guild=False, who=CAROL))

    assert "Discord has asked me to slow down" in said, said
    assert "Please try again in about 40 minutes." in said
    assert TRIED_AGAIN not in said
    assert core.of(CommandInvoked) == []  # nothing was done


async def test_a_dm_form_refused_by_a_long_rate_limit_hands_the_text_back(fake, connect):
    core = Recorder([Reply(text="Noted as #1.")])
    await connect(core)
    _limited(fake)

    iid = await fake.submit(FORM, "shipped the ledger importer", in_guild=False, who=CAROL)
    said = await _said(fake, iid)

    assert "Discord has asked me to slow down" in said, said
    assert "Please try again in about 40 minutes." in said
    assert "Nothing was saved." in said and "> shipped the ledger importer" in said
    assert core.of(FormSubmitted) == []
