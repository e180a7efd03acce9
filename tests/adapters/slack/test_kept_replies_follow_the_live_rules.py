"""Slack: a reply kept past a long rate limit goes as it was only while the live rules agree.

Since a1cbb1e a kept profile or who-could-help confirmation goes as it was while each narration
it shows is still there, unedited and readable. Found in review: the people it shows or names
were not read again, so after ``/narrate leave``, a pause or a hide-me it still showed or named
them (``Reply.people``); a profile named a private channel its asker had left meanwhile
(``Shown.channel_pk``); "Did this answer help?" followed an answer never delivered (given up,
or not posted as the channel was shared or archived: linked to its answer's outbox row now);
and the note that a reply was given up, kept in a transaction of its own, outlived its asker's
forget-me committed in between. Signed requests into the real Bolt app, slack_sdk against the
fake Web API; the scheduler's tick is run past each hour.
"""

from __future__ import annotations

from datetime import timedelta

from narrate_bot.features.answer_copies import ASK_AGAIN
from narrate_bot.features.queued_replies import DROPPED
from narrate_bot.features.topic_map import HELD_BACK_MAP
from narrate_bot.replies import HELD_BACK
from tests.adapters.slack.test_kept_answer_quotes_as_now import (
    SECRET,
    _asked_in_the_channel_during_a_block,
    _asker_left_the_private_channel,
    _said,
    _said_in_a_private_channel,
    _texts,
)
from tests.adapters.slack.test_kept_answer_quotes_as_now import (
    _asked_in_the_dm_during_a_block as _asked_who_knows_during_a_block,
)
from tests.adapters.slack.test_kept_replies_are_their_askers import _kept
from tests.adapters.slack.test_kept_replies_as_they_were import HELPED
from tests.adapters.slack.test_kept_replies_showing_narrations import (
    _asked_in_the_dm_during_a_block,
)
from tests.adapters.slack.test_refused_replies_sent_later import HOUR, _after_the_block


def _all(slack):
    return [
        (c.method, c.params.get("channel"), str(c.params.get("text")))
        for c in slack.fake.calls
        if c.method in ("chat.postMessage", "chat.postEphemeral") and c.status == 200
    ]


async def test_did_this_help_doesnt_follow_an_answer_given_up(slack):
    await _asked_in_the_channel_during_a_block(slack)
    for _ in range(4):  # the channel answer refused four times: given up
        slack.fake.rate_limit_once["chat.postMessage"] = HOUR
        await _after_the_block(slack)
    for _ in range(3):
        await _after_the_block(slack)
    sent = _all(slack)
    assert not any("after the breach" in t for _, _, t in sent), sent  # never delivered
    assert not any(HELPED in t for _, _, t in sent), sent  # so no "Did this answer help?"


async def test_did_this_help_doesnt_follow_an_answer_not_posted_as_the_channel_was_shared(slack):
    await _asked_in_the_channel_during_a_block(slack)
    slack.fake.channels["C5"]["is_ext_shared"] = True  # more readers: the answer isn't posted
    await _after_the_block(slack)
    await _after_the_block(slack, 300)
    sent = _all(slack)
    assert not any("after the breach" in t for _, _, t in sent), sent
    assert not any(HELPED in t for _, _, t in sent), sent


async def test_did_this_help_doesnt_follow_an_answer_not_posted_in_an_archived_channel(slack):
    await _asked_in_the_channel_during_a_block(slack)
    slack.fake.channels["C5"]["is_archived"] = True
    await _after_the_block(slack)
    await _after_the_block(slack, 300)
    sent = _all(slack)
    assert not any("after the breach" in t for _, _, t in sent), sent
    assert not any(HELPED in t for _, _, t in sent), sent


async def test_a_kept_profile_doesnt_name_a_private_channel_its_asker_left(slack):
    await _said_in_a_private_channel(slack)
    told = await _said(slack, "share 1", "U2", "G1", "secret")
    assert "everyone" in str(told["text"]), told
    await _asked_in_the_dm_during_a_block(slack, "profile <@U2>")
    await _asker_left_the_private_channel(slack)
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1, sent
    assert "secret" not in sent[0], sent  # live now: "shared from a private channel"


async def test_a_kept_profile_of_someone_who_left_since_doesnt_show_their_narrations(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "profile <@U2>")
    told = await _said(slack, "leave", "U2", "C5", "general")
    assert "left" in str(told["text"]).lower(), told
    live = await _said(slack, "profile <@U2>", "U3", "C5", "general")
    assert "after the breach" not in str(live["text"]), live  # live: "isn't taking part"
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and "after the breach" not in sent[0], sent


async def test_a_kept_confirmation_doesnt_name_someone_who_left_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "stuck on ledger signing keys")
    told = await _said(slack, "leave", "U2", "C5", "general")
    assert "left" in str(told["text"]).lower(), told
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and "<@U2>" not in sent[0], sent


async def test_a_given_up_note_doesnt_outlive_its_askers_forget_me(slack, monkeypatch):
    """A never-joined asker's forget-me (another replica) commits just before their kept reply
    is given up: no note, with their user id and response_url, is stored or sent. One
    committing between the giving up and the note's insert isn't raced here: both are one
    transaction holding their user id (``privacy.share_user_id``), so it waits for them."""
    from narrate_bot.features import queued_replies
    from tests.adapters.slack.test_kept_answer_quotes_as_now import (
        _asked_in_the_dm_during_a_block as asked_who_knows,
    )
    from tests.adapters.slack.test_kept_replies_are_their_askers import _said as said

    await _said(slack, SECRET, "U2", "C5", "general")
    await asked_who_knows(slack)  # U1 never joined: no person
    original = queued_replies.keep_dropped_note

    async def forgotten_first(bot, item, **kw):
        await said(slack, "forget-me", "U1")
        assert "Done" in await said(slack, "forget-me confirm", "U1")
        return await original(bot, item, **kw)

    monkeypatch.setattr(queued_replies, "keep_dropped_note", forgotten_first)
    for _ in range(4):
        slack.fake.rate_limit_once["chat.postMessage"] = HOUR
        await _after_the_block(slack)
    kept = await _kept(slack)
    await _after_the_block(slack)
    assert not any(k.get("user") == "U1" for k in kept) and _texts(slack, "U1") == [], (
        kept,
        _texts(slack, "U1"),
    )


async def test_a_kept_profile_of_someone_paused_since_isnt_sent_as_it_was(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "profile <@U2>")
    told = await _said(slack, "pause 2w", "U2", "C5", "general")
    assert "paus" in str(told["text"]).lower(), told
    await _after_the_block(slack)
    assert _texts(slack, "U1") == [HELD_BACK]  # live: "Paused for now"


async def test_a_kept_profile_doesnt_show_a_topic_hidden_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "profile <@U2>")
    told = await _said(slack, "hide-me ledger", "U2", "C5", "general")
    assert "ledger" in str(told["text"]), told
    await _after_the_block(slack)
    assert _texts(slack, "U1") == [HELD_BACK]  # live: "Narrates about" without it


async def test_a_kept_confirmation_doesnt_name_someone_paused_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "stuck on ledger signing keys")
    told = await _said(slack, "pause 2w", "U2", "C5", "general")
    assert "paus" in str(told["text"]).lower(), told
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and "Noted as #1" in sent[0] and "<@U2>" not in sent[0], sent


async def test_a_kept_confirmation_doesnt_name_someone_hidden_from_it_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "stuck on ledger signing keys")
    told = await _said(slack, "hide-me ledger", "U2", "C5", "general")
    assert "ledger" in str(told["text"]), told
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert len(sent) == 1 and "Noted as #1" in sent[0] and "<@U2>" not in sent[0], sent


def _names_u2(sent: list[str]) -> bool:
    return any("<@U2>" in t or "after the breach" in t for t in sent)


async def test_a_kept_who_knows_answer_doesnt_name_someone_who_paused_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_who_knows_during_a_block(slack)
    told = await _said(slack, "pause 2w", "U2", "C5", "general")
    assert "paus" in str(told["text"]).lower(), told
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent and not _names_u2(sent), sent
    assert any(ASK_AGAIN in t for t in sent), sent


async def test_a_kept_who_knows_answer_doesnt_name_someone_who_left_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_who_knows_during_a_block(slack)
    told = await _said(slack, "leave", "U2", "C5", "general")
    assert "left" in str(told["text"]).lower(), told
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent and not _names_u2(sent), sent
    assert any(ASK_AGAIN in t for t in sent), sent


async def test_a_kept_who_knows_answer_doesnt_name_someone_hidden_from_it_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_who_knows_during_a_block(slack)
    told = await _said(slack, "hide-me ledger", "U2", "C5", "general")
    assert "ledger" in str(told["text"]), told
    live = await _said(slack, "who knows about ledger signing keys?", "U3", "C5", "general")
    assert "<@U2>" not in str(live["text"]), live  # the live answer leaves them out
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent and not _names_u2(sent), sent
    assert any(ASK_AGAIN in t for t in sent), sent


async def test_a_kept_who_knows_answer_goes_as_it_was_while_its_people_hold(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_who_knows_during_a_block(slack)
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert any("<@U2>" in t and "after the breach" in t for t in sent), sent


async def test_a_kept_reply_reaches_its_asker_who_paused_since(slack):
    await _said(slack, SECRET, "U1", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "mine")
    told = await _said(slack, "pause 2w", "U1", "C5", "general")
    assert "paus" in str(told["text"]).lower(), told
    await _after_the_block(slack)
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert any("after the breach" in t for t in sent), sent


async def test_a_kept_pause_confirmation_reaches_its_asker(slack):
    await _said(slack, SECRET, "U1", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "pause 2w")
    await _after_the_block(slack)
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert any("paused" in t.lower() for t in sent), sent


async def test_did_this_help_follows_an_answer_refused_once_then_sent(slack):
    await _asked_in_the_channel_during_a_block(slack)
    slack.fake.rate_limit_once["chat.postMessage"] = HOUR  # the answer's first try refused
    await _after_the_block(slack)
    await _after_the_block(slack)
    await _after_the_block(slack, 300)
    sent = _texts(slack, "C5")
    assert any("after the breach" in t for t in sent), sent
    assert any(HELPED in t for t in sent), sent


async def test_a_kept_profile_doesnt_show_a_deleted_narration_whose_number_was_given_again(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "profile <@U2>")
    told = await _said(slack, "delete 1", "U2", "C5", "general")
    assert "deleted" in str(told["text"]).lower(), told
    # Its id given again on SQLite, to a narration written a minute later.
    clock = slack.adapter.bot.clock
    clock.set(clock.now() + timedelta(minutes=1))
    await _said(slack, "breach fixed by ledger signing keys rotation", "U2", "C5", "general")
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent and not any("after the breach" in t for t in sent), sent
    assert any(HELD_BACK in t for t in sent), sent


async def test_a_kept_topics_map_doesnt_list_someone_who_left_since(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    before = await _said(slack, "topics", "U3", "C5", "general")
    assert "<@U2>" in str(before["text"]), before  # on the map
    await _asked_in_the_dm_during_a_block(slack, "topics")
    told = await _said(slack, "leave", "U2", "C5", "general")
    assert "left" in str(told["text"]).lower(), told
    live = await _said(slack, "topics", "U3", "C5", "general")
    assert "<@U2>" not in str(live["text"]), live  # the live map leaves them out
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert sent and not any("<@U2>" in t for t in sent), sent
    assert any(HELD_BACK_MAP in t for t in sent), sent


async def test_a_kept_topics_map_goes_as_it_was_while_its_people_hold(slack):
    await _said(slack, SECRET, "U2", "C5", "general")
    await _asked_in_the_dm_during_a_block(slack, "topics")
    await _after_the_block(slack)
    sent = _texts(slack, "U1")
    assert any("<@U2>" in t and "ledger" in t for t in sent), sent


async def test_did_this_help_given_up_leaves_no_note_of_an_answer_not_delivered(slack):
    await _asked_in_the_channel_during_a_block(slack)
    for _ in range(4):  # the answer goes; "Did this answer help?" is refused four times
        slack.fake.rate_limit_once["chat.postEphemeral"] = HOUR
        await _after_the_block(slack)
    for _ in range(3):
        await _after_the_block(slack)
    sent = _all(slack)
    assert any("after the breach" in t for _, _, t in sent), sent  # the answer was delivered
    assert not any(HELPED in t for _, _, t in sent), sent  # given up
    assert not any(DROPPED in t for _, _, t in sent), sent
