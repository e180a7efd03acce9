"""A form update's post that went out but whose id was never saved (the process stopped, or the
database failed, between the platform's answer and the save) is told as unknown on edit and
delete, through the console.

Before, such a post was "still going out" for ever: an edit answered "Its post in the prompt's
thread is still going out; it will show the new text" (it never did), and a delete answered
"Its post in the prompt's thread is removed too" while the post, naming its author, stayed in
the thread. Slack gives the app no way to find it again (no *:history scope), so after a few
minutes the author is told the truth and how to remove it.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from narrate_bot.storage import update_posts as store

from .test_update_posts import _form_update, _prompted


def _save_fails_once(monkeypatch) -> None:
    real = store.keep

    async def fails(*args, **kwargs):
        monkeypatch.setattr(store, "keep", real)
        raise OperationalError("UPDATE update_post", {}, Exception("server closed the connection"))

    monkeypatch.setattr(store, "keep", fails)


async def test_an_edit_and_a_delete_say_the_post_may_still_be_there(chat, monkeypatch):
    await _prompted(chat)
    _save_fails_once(monkeypatch)
    out = await _form_update(chat)
    assert "[console] posted as m2 in #team thread m1" in out
    await chat.say(":advance 15m")
    edited = await chat.say("bob: /narrate edit 1 shipped the ledger importer, with docs")
    assert "still going out" not in edited
    assert (
        "I couldn't change its post in the prompt's thread: it may have gone out without my "
        "noting where. If it's there, it shows the old text; please delete it there, or ask an "
        "admin to." in edited
    )
    deleted = await chat.say("bob: /narrate delete 1")
    assert "removed too" not in deleted
    assert (
        "I couldn't remove its post in the prompt's thread; please delete it there, or ask an "
        "admin to." in deleted
    )
