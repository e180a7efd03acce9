"""The bot's posts of open questions after they went out: where each is, and taking it back.

A post ("@zoe is looking for someone who knows about …") names its asker in a channel, so the
row keeps where it is (``keep_post``) and it is deleted when its asker is forgotten
(``features.privacy``) or withdraws it (``close_question``). Deleting is best effort and runs
after the change that asked for it has committed: a platform that refuses never undoes or
holds back an erasure or a withdrawal; the person is told which post stayed (or, when only the
thread the platform opened on it did, which thread), to delete it by hand. A question can also
be marked answered: digests stop listing it, its post (and the answers in its thread) stay, and
``/narrate stats`` counts it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from ..channel_names import shown
from ..ports import ThreadStayed
from ..replies import Post, Reply
from ..storage import expertise_repo, question_repo
from ..storage import question_nudges as nudge_store
from ..storage import repositories as repo
from ..storage.database import Session
from ..storage.question_tables import ANSWERED, WITHDRAWN, OpenQuestion
from ..storage.tables import Channel, Person
from . import digest_copies
from .consent import JOINED
from .turn import Turn

log = logging.getLogger(__name__)

# How long a question's post may take to go out: a second click within it posts nothing new, and
# a question kept this long ago without a post id may still get one.
POSTING_WINDOW = timedelta(minutes=5)


async def keep_post(
    turn: Turn,
    person_id: int,
    channel_pk: int,
    question: str,
    *,
    since: datetime,
    channel_id: str,
    message_id: str,
) -> None:
    """Note where the question was posted: the post names the asker, and forget-me (or a
    withdrawal) must be able to delete it. When its row is gone already (the asker confirmed
    forget-me while it was being posted), the post goes at once: nothing would find it later.
    So does the post of a question its asker withdrew while it went out; one they marked
    answered meanwhile stays, like any answered question's."""
    try:
        async with turn.db.transaction() as session:
            kept = await question_repo.keep_post(
                session,
                person_id=person_id,
                channel_pk=channel_pk,
                text=question,
                since=since,
                channel_id=channel_id,
                message_id=message_id,
            )
    except Exception as problem:
        log.warning("keeping an open question's post id failed: %s", type(problem).__name__)
        return
    if kept is not None and kept.status != WITHDRAWN:
        return  # open, or answered while it went out: the post stays, with the answers
    ref = question_repo.PostRef(
        channel_id=channel_id, message_id=message_id, channel_pk=channel_pk, text=question
    )
    if await remove_posts(turn, [ref]) or kept is None:
        return  # a withdrawn question's post that stayed keeps its id, for forget-me
    try:
        async with turn.db.transaction() as session:
            await question_repo.forget_post(session, question_id=kept.question_id)
    except Exception as problem:  # only a second, harmless delete at forget-me
        log.warning("forgetting a deleted post's id failed: %s", type(problem).__name__)


async def remove_posts(
    turn: Turn, posts: list[question_repo.PostRef]
) -> list[question_repo.PostRef]:
    """Delete these question posts, best effort; returns the ones that stay (``only_thread``
    when the post went but the thread opened on it, titled with its words, stayed). Run after
    the change that made them go (an erasure, a withdrawal) has committed, and never undoing it:
    a platform that refuses or fails is reported to the person, who can delete it there."""
    if not posts:
        return []
    gateway = turn.gateways.get(turn.event.tenant.platform)
    if gateway is None:
        return list(posts)
    stayed: list[question_repo.PostRef] = []
    for ref in posts:
        if not ref.message_id:  # its id was never kept: it can't be found to delete
            stayed.append(ref)
            continue
        try:
            await gateway.delete(turn.event.tenant, ref.channel_id, ref.message_id)
        except ThreadStayed:
            log.warning("an open question's post was deleted, but its thread stays")
            stayed.append(replace(ref, only_thread=True))
        except Exception as problem:  # the platform's failure is reported, never raised
            log.warning("deleting an open question's post failed: %s", type(problem).__name__)
            stayed.append(ref)
    return stayed


def unremoved(stayed: list[question_repo.PostRef]) -> str:
    """What to tell someone whose question posts stay in their channels: which, and where, so
    they (or an admin) can delete them by hand. A post that went while its thread stayed is
    told as that thread, titled with their name and question: saying the post stayed would send
    them looking for a message that is gone. Empty when none stayed."""
    posts = [ref for ref in stayed if not ref.only_thread]
    threads = [ref for ref in stayed if ref.only_thread]
    said = ""
    if posts:
        one = len(posts) == 1
        said += (
            f" I couldn't remove my {'post' if one else 'posts'} of your "
            f"{'question' if one else 'questions'} ({_listed(posts)}); please delete "
            f"{'it' if one else 'them'} there, or ask an admin to."
        )
    if threads:
        one = len(threads) == 1
        said += (
            f" I removed my {'post' if one else 'posts'} of your "
            f"{'question' if one else 'questions'} ({_listed(threads)}), but not the "
            f"{'thread' if one else 'threads'} under {'it' if one else 'them'}, titled with "
            f"your name and question; please delete {'that thread' if one else 'those threads'}"
            " there, or ask an admin to."
        )
    return said


def _listed(refs: list[question_repo.PostRef]) -> str:
    return "; ".join(
        f"“{ref.text}” in {shown(ref.channel_name) if ref.channel_name else 'its channel'}"
        for ref in refs
    )


_MENTION = re.compile(r"^<@!?(?P<id>[\w.\-]{1,64})(?:\|(?P<name>[^>]{0,200}))?>$")
_JUST_ANSWERED = "/narrate ask-channel answered marks it answered without naming anyone"


async def _answerer(
    turn: Turn, session: Session, asker: Person, credit: str
) -> tuple[Person | None, Reply | None]:
    """The person ``credit`` names, to credit with the answer; else the reply refusing it
    (nothing is closed then: the asker may have mistyped the name)."""
    tenant_id = asker.tenant_id
    if match := _MENTION.match(credit):
        user_id, name = match.group("id"), match.group("name")
    else:
        user_id, name = None, credit.lstrip("@")
    found = await expertise_repo.person_by_mention(
        session, tenant_id=tenant_id, user_id=user_id, name=name
    )
    shown_as = f"@{name}" if name else f"<@{user_id}>"
    if found is None or found.id is None:
        return None, turn.reply(
            f"I don't know anyone called {shown_as} here: they haven't narrated or joined yet, "
            f"so I can't credit them. Nothing was changed; {_JUST_ANSWERED}."
        )
    if found.id == asker.id:
        return None, turn.reply(
            "That's you: name whoever answered, like /narrate ask-channel answered by @name. "
            f"Nothing was changed; {_JUST_ANSWERED}."
        )
    if found.consent != JOINED or found.departed_at is not None:
        reply = turn.reply(
            f"<@{found.user_id}> isn't taking part in narrate-bot right now, so I can't credit "
            f"them. Nothing was changed; {_JUST_ANSWERED}."
        )
        return None, reply.model_copy(
            update={"names": {found.user_id: found.display_name or found.user_id}}
        )
    return found, None


async def _thanks(
    session: Session, asker: Person, answerer: Person, question: OpenQuestion
) -> Post:
    """The DM thanking ``answerer``: the question and its channel only when they may read
    that channel (they may have answered some other way, by DM say)."""
    channel = await session.get(Channel, question.channel_pk)
    reads = channel is not None and await repo.reads_channel(
        session, channel=channel, user_id=answerer.user_id
    )
    what = (
        f"their question “{question.text}” in {shown(channel.name)}"
        if reads and channel is not None
        else "a question of theirs"
    )
    return Post(
        text=(
            f"<@{asker.user_id}> says you answered {what}. Thank you! It counts among the "
            "workspace's answered questions in /narrate stats."
        ),
        to_users=(answerer.user_id,),
        names={asker.user_id: asker.display_name or asker.user_id},
    )


async def _send_thanks(turn: Turn, thanks: Post) -> None:
    """Best effort, after the commit: the credit is kept either way."""
    gateway = turn.gateways.get(turn.event.tenant.platform)
    if gateway is None:
        return
    try:
        await gateway.post(turn.event.tenant, thanks)
    except Exception as problem:
        log.warning("thanking whoever answered failed: %s", type(problem).__name__)


NO_OPEN_QUESTION = (
    "You have no open question in the open-questions channel (ask one with "
    "/narrate ask-channel <question>)."
)


NOT_OPEN = (
    "That question isn't open any more (it was answered, withdrawn or lost), so there's nothing "
    "to change. Your other open questions stay as they are."
)
UNCLEAR = (
    "I didn't get that: /narrate ask-channel answered q<number> by @name credits whoever "
    "answered; without a name it just marks it answered. Nothing was changed."
)


async def close_question(
    turn: Turn, status: str, *, credit: str = "", question_id: int | None = None
) -> list[Reply]:
    """``ask-channel answered`` or ``ask-channel withdraw``: close the asker's newest open
    question, so digests stop listing it. Answered leaves the post (its thread holds the
    answer) and counts in ``/narrate stats``; ``answered by @bob`` (``credit``) also credits
    bob, who is thanked by DM. Withdrawn deletes the post too, after the commit and best
    effort, like forget-me. Said again, it closes the one before: one word to remember, and
    nobody has to learn numbers for their questions. ``question_id`` (the buttons of the DM
    asking whether a question is still open) closes that question instead."""
    thanks: Post | None = None
    async with turn.db.transaction() as session:
        person = await turn.known_person(session)
        if person is None or person.id is None:
            return [turn.reply(NO_OPEN_QUESTION)]
        if question_id is not None:
            found = await nudge_store.open_of(session, person_id=person.id, question_id=question_id)
            if found is None:
                return [turn.reply(NOT_OPEN)]
        else:
            found = await question_repo.latest_open(session, person_id=person.id)
        if found is None:
            return [turn.reply(NO_OPEN_QUESTION)]
        question, channel_name = found
        assert question.id is not None
        answerer: Person | None = None
        if credit:
            answerer, refusal = await _answerer(turn, session, person, credit)
            if refusal is not None:
                return [refusal]
        await question_repo.close(session, question, status=status, now=turn.now)
        if answerer is not None:
            assert answerer.id is not None
            await question_repo.credit(session, question_id=question.id, person_id=answerer.id)
            thanks = await _thanks(session, person, answerer, question)
        # Withdrawn, it leaves the digests that listed it too (answered, it stays listed there
        # as it does in its own post).
        listed = (
            await digest_copies.take_out(session, question_id=question.id)
            if status != ANSWERED
            else []
        )
        left = await question_repo.open_count(session, person_id=person.id)
        ref = (
            question_repo.PostRef(
                channel_id=question.post_channel_id,
                message_id=question.post_message_id,
                channel_pk=question.channel_pk,
                text=question.text,
                channel_name=channel_name,
            )
            if question.post_channel_id and question.post_message_id
            else None
        )
        question_id = question.id
        asked_at = question.asked_at
        if asked_at.tzinfo is None:  # SQLite gives naive UTC
            asked_at = asked_at.replace(tzinfo=UTC)
    what = f"your question “{question.text}” in {shown(channel_name)}"
    if left:
        more = "question" if left == 1 else "questions"
        after = f" You have {left} more open {more}; the same command closes the newest of them."
    else:
        after = ""
    # Closed and committed: "said again, it closes the one before", so from here on a retry
    # must not run it again (a Slack event's claim given back by a shutdown that cancelled the
    # steps below would close the asker's next open question). Answered with this instead if
    # a step below fails (``Turn.committed_as``).
    if status == ANSWERED:
        thanked = ""
        names: dict[str, str] = {}
        if answerer is not None:
            thanked = f", thanks to <@{answerer.user_id}>"
            names = {answerer.user_id: answerer.display_name or answerer.user_id}
        reply = turn.reply(
            f"Glad it's answered: I marked {what} answered{thanked}, and digests stop "
            f"listing it. Its post stays, with the answers.{after}"
        ).model_copy(update={"names": names})
        turn.committed_as(reply)
        if thanks is not None:
            await _send_thanks(turn, thanks)
        return [reply]
    turn.committed_as(turn.reply(f"Withdrawn: {what} is no longer listed in digests.{after}"))
    stayed_listed = await digest_copies.retract(turn.gateways, listed)
    gone_from_digests = digest_copies.unretracted(stayed_listed, what="it")
    if ref is None and asked_at >= turn.now - POSTING_WINDOW:
        # Withdrawn while its post was going out: ``keep_post`` deletes the post once it's out.
        gone = f" It was still being posted in {shown(channel_name)}; I'll remove it once it's out."
    elif ref is None:
        # Posted before its id was kept (or its id was lost): it can't be found to delete.
        gone = f" I can't find its post to delete; please delete it in {shown(channel_name)}."
    elif stayed := await remove_posts(turn, [ref]):
        if stayed[0].only_thread:
            gone = (
                f" Its post is removed from {shown(channel_name)}, but not the thread under it,"
                " titled with your name and question; please delete that thread there, or ask"
                " an admin to."
            )
        else:
            gone = f" I couldn't remove its post; please delete it in {shown(channel_name)}."
    else:
        gone = f" Its post is removed from {shown(channel_name)}."
        try:
            async with turn.db.transaction() as session:
                await question_repo.forget_post(session, question_id=question_id)
        except Exception as problem:  # only a second, harmless delete at forget-me
            log.warning("forgetting a deleted post's id failed: %s", type(problem).__name__)
    return [
        turn.reply(
            f"Withdrawn: {what} is no longer listed in digests.{gone}{gone_from_digests}{after}"
        )
    ]


async def still_open(turn: Turn, question_id: int | None) -> list[Reply]:
    """The asker's answer to the DM asking whether a question is still open: it stays open,
    and the DM comes once more a while later (after the second, never again)."""
    assert question_id is not None
    async with turn.db.transaction() as session:
        person = await turn.known_person(session)
        if person is None or person.id is None:
            return [turn.reply(NOT_OPEN)]
        found = await nudge_store.open_of(session, person_id=person.id, question_id=question_id)
        if found is None:
            return [turn.reply(NOT_OPEN)]
        question, channel_name = found
        nudges = await nudge_store.still_open(session, question_id=question_id, now=turn.now)
    what = f"your question “{question.text}” in {shown(channel_name)}"
    days = turn.settings.question_nudge_days
    later = f"I'll ask once more in {days} days." if nudges < 2 else "I won't ask about it again."
    return [
        turn.reply(
            f"Thanks: {what} stays open. {later} When it's answered, /narrate ask-channel "
            f"answered q{question_id} (by @name to thank them) closes it."
        )
    ]
