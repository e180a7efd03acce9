"""Coverage (worked before, since 571ead8): asking the bot for help with work is a who-knows
question with who-knows visibility. "@narrate help me with kafka acls" in a channel answers
only from what everyone there may read, so a private channel's narration names nobody there;
the same request by DM answers from what the asker may read, private channels they are in too.
"""

from __future__ import annotations

SECRET = ":channel #secret private alice,carol"
CAROL = "carol in #secret: /narrate tightened the kafka acls for the ledger topics"


async def test_a_mention_in_a_channel_says_nothing_private(chat):
    await chat.say(SECRET, CAROL)
    out = await chat.say("alice in #general: @narrate help me with kafka acls")
    assert "@carol" not in out and "ledger topics" not in out and "#secret" not in out, out
    assert "in places everyone here can read" in out, out


async def test_the_same_request_by_dm_answers_from_what_the_asker_may_read(chat):
    await chat.say(SECRET, CAROL)
    out = await chat.say("alice in dm: need help with kafka acls")
    assert "Who knows about “kafka acls”" in out and "@carol" in out, out
    out = await chat.say("bob in dm: need help with kafka acls")
    assert "@carol" not in out and "ledger topics" not in out, out
