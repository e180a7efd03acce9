"""A word typed in brackets ("<beta>") stays a topic, through the real Bolt app (signed HTTP)
against the mock Web API.

Since 7bdc03f a typed "<beta>" is kept as typed (it is no markup: ``words.markup_opening``),
but the topics read any "<…>" as platform markup (``clean_text.without_markup``) and dropped
"beta": kept as "‹beta›" before, it was a topic. Now ``without_markup`` drops only what
``markup_opening`` reads as markup (a sigil or a scheme after the "<"); a mention's or a link's
parts still make no topic.
"""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.fake_slack import shown
from tests.adapters.slack.test_typed_brackets import _narrate, _setup


async def _profile_topics(slack: SlackEnv, of: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(f"profile <@{of}>", user="U3")
    await until(lambda: len(slack.fake.responses) > before)
    said = shown(dict(slack.fake.responses[-1]))
    [topics] = [line for line in said.splitlines() if line.startswith("Narrates about:")]
    return topics


async def test_a_word_typed_in_brackets_stays_a_topic(slack):
    _setup(slack)
    await _narrate(slack, "rolled out the &lt;beta&gt; flag for ledger exports", user="U2")
    await _narrate(slack, "the &lt;beta&gt; flag needs a ledger backfill", user="U2")
    topics = await _profile_topics(slack, "U2")
    assert "beta" in topics, topics


async def test_a_mention_or_a_link_still_makes_no_topic(slack):
    _setup(slack)
    for n in range(2):
        await _narrate(
            slack,
            f"ledger exports {n} with <@U4> per <https://wiki.example.com/zanzibar|the plan>",
            user="U2",
        )
    topics = await _profile_topics(slack, "U2")
    assert "ledger" in topics, topics
    assert "u4" not in topics.lower() and "zanzibar" not in topics and "wiki" not in topics
