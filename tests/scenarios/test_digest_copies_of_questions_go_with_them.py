"""A weekly channel digest's thread lists open questions ("@zoe is looking for someone who knows
about “cobol”"), a copy of the question's own post. Forget-me and ``ask-channel withdraw``
delete that post, and now take the digest's copy back too: the line is edited out of the thread
post, or the post is deleted when nothing else is in it (with the week's post it hangs from, when
that was there for the questions alone). An answered question stays listed, as its post stays."""

from __future__ import annotations

import json
import re
from pathlib import Path

from narrate_bot.events import Platform
from tests.scenarios.test_review_fixes_digest_form import _said_in

ZOE_LINE = "@zoe is looking for someone who knows about “cobol”"


def _post_id(out: str, marker: str) -> str:
    """The id the console gave the first post printed after ``marker``."""
    after = out.split(marker, 1)[1]
    found = re.search(r"\[console\] posted as (m\d+)", after)
    assert found is not None, out
    return found.group(1)


async def _question_in_digest(chat, *, narrations: bool = False, yann: bool = False):
    """Zoe's question (and Yann's) listed in Friday's digest of #team: (week's post, thread)."""
    lines = [
        ":channel #team public",
        "alice in #team: /narrate schedule digest on fri 16:00 Europe/Berlin",
        "alice: /narrate questions-channel #team",
        "zoe: /narrate join",
        "zoe: /narrate ask-channel #team who knows cobol?",
    ]
    if yann:
        lines += ["yann: /narrate join", "yann: /narrate ask-channel #team who knows fortran?"]
    if narrations:
        lines += [
            "alice@payments in #team: /narrate kafka consumer lag fixed",
            "bob@search in #team: /narrate kafka topic compaction tuned",
        ]
    out = await chat.say(*lines, ":clock 2026-11-27T16:05:00+01:00")  # Friday's digest goes out
    thread = _said_in(out, "#team thread")
    assert ZOE_LINE in thread, out
    return _post_id(out, "[#team] This week"), _post_id(out, "[#team thread] ")


async def test_forget_me_takes_the_question_out_of_the_digest(chat):
    week, listed = await _question_in_digest(chat)
    out = await chat.say("zoe: /narrate forget-me", "zoe: /narrate forget-me confirm")
    assert "[console] removed m1 from #team" in out  # the question's own post
    # Nothing else was in the thread, and the week's post was there only for it.
    assert f"[console] removed {listed} from #team thread {week}" in out, out
    assert f"[console] removed {week} from #team" in out, out
    assert "Done: I erased everything about you" in out and "couldn't" not in out


async def test_withdraw_takes_the_question_out_of_the_digest(chat):
    week, listed = await _question_in_digest(chat)
    out = await chat.say("zoe: /narrate ask-channel withdraw")
    assert "Its post is removed from #team." in out
    assert f"[console] removed {listed} from #team thread {week}" in out, out
    assert "couldn't" not in out


async def test_the_rest_of_the_digest_stays_edited(chat):
    week, listed = await _question_in_digest(chat, narrations=True, yann=True)
    out = await chat.say("zoe: /narrate ask-channel withdraw")
    assert f"[console] edited {listed} in #team" in out, out
    edited = _said_in(out, "#team thread")
    assert "zoe" not in edited and "cobol" not in edited
    assert "@yann is looking for someone who knows about “fortran”" in edited
    assert "kafka: payments, search" in edited  # the overlaps stay
    assert f"removed {week}" not in out

    out = await chat.say("yann: /narrate forget-me", "yann: /narrate forget-me confirm")
    assert f"[console] edited {listed} in #team" in out, out
    edited = _said_in(out, "#team thread")
    assert "yann" not in edited and "Open questions" not in edited
    assert "kafka: payments, search" in edited


async def test_an_answered_question_stays_listed(chat):
    _, listed = await _question_in_digest(chat)
    out = await chat.say("zoe: /narrate ask-channel answered")
    assert listed not in out


async def test_the_export_holds_the_digests_copy(chat):
    await _question_in_digest(chat)
    out = await chat.say("zoe: /narrate export")
    data = json.loads(Path(out.split("saved to ", 1)[1].strip()).read_text())
    assert data["open_questions_in_digests"] == [
        "• <@zoe> is looking for someone who knows about “cobol”"
    ]


class _Unchanging:
    """A platform that takes posts but refuses to edit or delete them."""

    def __init__(self, console) -> None:
        self.console = console

    async def post(self, tenant, post):
        return await self.console.post(tenant, post)

    async def update(self, tenant, message_id, post) -> None:
        raise ConnectionError("platform down")

    async def delete(self, tenant, channel_id, message_id, **_: object) -> None:
        raise ConnectionError("platform down")


async def test_a_digest_that_stays_is_said(chat, bot):
    await _question_in_digest(chat)
    console = bot.gateways[Platform.CONSOLE]
    bot.gateways[Platform.CONSOLE] = _Unchanging(console)
    out = await chat.say("zoe: /narrate ask-channel withdraw")
    assert (
        "I couldn't take it out of a weekly digest that listed it; please delete that line "
        "there, or ask an admin to." in out
    ), out
    out = await chat.say("zoe: /narrate forget-me", "zoe: /narrate forget-me confirm")
    assert "Done: I erased everything about you" in out
