"""A round whose introductions reached nobody does not fill the no-repeat window."""

from __future__ import annotations

from narrate_bot.events import Platform
from narrate_bot.ports import CannotPostThere
from narrate_bot.replies import Post
from tests.scenarios.test_intros_pace import ASKED, PEOPLE, _count, _everyone, _weeks


async def test_a_pair_whose_introduction_never_went_out_may_meet_the_next_round(
    chat, bot, monkeypatch
):
    # Every introduction of the first round is refused: alice and bob were never introduced,
    # and meet the next week rather than 12 rounds later.
    await _everyone(chat, PEOPLE[:2])
    console = bot.gateways[Platform.CONSOLE]
    real = console.post

    async def refusing(tenant: object, post: Post) -> str:
        if post.text.startswith("Introduction #") and ASKED not in post.text:
            raise CannotPostThere(CannotPostThere.REFUSED)
        return await real(tenant, post)

    monkeypatch.setattr(console, "post", refusing)
    [refused] = await _weeks(chat, 1)
    assert _count(refused) == 0
    monkeypatch.undo()
    [week] = await _weeks(chat, 1)
    assert _count(week) == 1
