"""Two prompts in one channel answered with the same short update, through the console.

Before, the same-form-twice check matched the person, channel, source and text only: bob
answering the standup and then the release checklist in #team with "done" kept the first, and
the second was "Already noted as #1…", neither kept nor posted in its own prompt's thread. Now
only the same prompt's form sent again is a repeat; each prompt gets its own "done".
"""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.events import ChannelRef, FormSubmitted, UserRef
from narrate_bot.storage.tables import Narration
from narrate_bot_adapters.console.adapter import TENANT

# The console's clock starts Monday 2026-11-23 09:00 Berlin (08:00 UTC).


def _form(clock, prompt: int, event_id: str) -> FormSubmitted:
    return FormSubmitted(
        event_id=event_id,
        tenant=TENANT,
        user=UserRef(user_id="bob", display_name="bob"),
        channel=ChannelRef(channel_id="team", name="team"),
        occurred_at=clock.now(),
        form=f"prompt-reply:{prompt}",
        fields={"text": "done", "audience": "channel"},
    )


async def test_the_same_words_to_two_prompts_are_two_updates(chat, bot, clock):
    await chat.say(
        "alice in #team: /narrate schedule #team weekdays 16:30",
        "alice in #team: /narrate schedule #team weekdays 16:31 Is the release checklist done?",
    )
    out = await chat.say(":advance 9h")
    assert "[console] posted as m1: reply in #team thread m1" in out
    assert "[console] posted as m2: reply in #team thread m2" in out
    [first] = await bot.handle(_form(clock, 1, "f1"))
    [second] = await bot.handle(_form(clock, 2, "f2"))
    assert first.text.startswith("Noted as #1, readable by whoever reads #team.")
    assert second.text.startswith("Noted as #2, readable by whoever reads #team.")
    assert "Already noted" not in second.text
    printed = chat.out.getvalue()
    assert "[console] posted as m3 in #team thread m1" in printed
    assert "[console] posted as m4 in #team thread m2" in printed
    # The second prompt's form sent again is still a repeat of its own update, not a third.
    [again] = await bot.handle(_form(clock, 2, "f3"))
    assert again.text.startswith("Already noted as #2: that was the same update again")
    async with bot.db.transaction() as session:
        kept = (await session.exec(select(Narration))).all()
    assert [n.text for n in kept] == ["done", "done"]
