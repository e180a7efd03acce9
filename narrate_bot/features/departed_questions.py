"""Open questions whose asker left the workspace (deactivated, or gone from the server).

Left open, such a question was listed in digests and waited in its channel for ever, and
whoever answered it in its thread answered nobody. It is closed as withdrawn, and its post,
which stays (its thread may hold answers, and nothing is erased on a departure), says so in
a short note. Forget-me is not this: it deletes the posts and the rows (``features.privacy``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

from ..events import Platform, TenantRef
from ..ports import ChatGateway
from ..replies import Post
from ..storage import question_repo
from ..storage import repositories as repo
from ..storage.database import Database
from . import digest_copies
from .channels import known_tenant_id

log = logging.getLogger(__name__)


def closed_post(user_id: str, question: str) -> str:
    """The post's words once its asker left: who asked what, and that nobody need answer."""
    return (
        f"<@{user_id}> was looking for someone who knows about “{question}”, but is no longer "
        "here, so this question is closed; no need to answer it."
    )


async def askers_departed(
    db: Database,
    gateways: Mapping[Platform, ChatGateway],
    tenant: TenantRef,
    user_ids: Iterable[str],
    now: datetime,
) -> None:
    """These people left: their open questions close as withdrawn, digests stop listing them,
    and each post is edited to say so. The edits are best effort, after the commit: a refusal
    is logged and leaves the question closed."""
    edits: list[tuple[str, str, Post]] = []
    retractions: list[digest_copies.Retraction] = []
    async with db.transaction() as session:
        tenant_id = await known_tenant_id(session, tenant)
        if tenant_id is None:
            return
        for user_id in user_ids:
            person = await repo.find_person(session, tenant_id=tenant_id, user_id=user_id)
            if person is None or person.id is None:
                continue
            closed = await question_repo.withdraw_open(session, person_id=person.id, now=now)
            for question, _ in closed:
                assert question.id is not None
                retractions += await digest_copies.take_out(session, question_id=question.id)
                if question.post_channel_id and question.post_message_id:
                    post = Post(
                        channel_id=question.post_channel_id,
                        text=closed_post(user_id, question.text),
                        names={user_id: person.display_name or user_id},
                    )
                    edits.append((question.post_channel_id, question.post_message_id, post))
    if retractions:
        await digest_copies.retract(gateways, retractions)
    gateway = gateways.get(tenant.platform)
    if gateway is None:
        return
    for _, message_id, post in edits:
        try:
            await gateway.update(tenant, message_id, post)
        except Exception as problem:  # closed either way; the post keeps its old words
            log.warning(
                "noting a departed asker on their question failed: %s", type(problem).__name__
            )
