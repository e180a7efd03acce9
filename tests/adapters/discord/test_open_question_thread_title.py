"""An open question's Discord thread is titled with the asker's name, not mention markup:
Discord shows a thread title as typed, so "<@4000> is looking for…" read as raw markup."""

from __future__ import annotations

from narrate_bot.events import Platform, TenantRef
from narrate_bot.replies import Post

from .conftest import Recorder
from .fake import ALICE, GENERAL, FakeDiscord

TENANT = TenantRef(platform=Platform.DISCORD, tenant_id="2000", name="Acme")


def _sends(fake: FakeDiscord) -> list:
    return [c for c in fake.calls if c.method == "POST" and c.path.startswith("/channels/")]


async def test_a_posted_questions_thread_is_titled_with_the_askers_name(fake, connect):
    client = await connect(Recorder())
    # The post open_questions.ask_channel builds.
    post = Post(
        channel_id=GENERAL,
        text=(
            f"<@{ALICE['id']}> is looking for someone who knows about “cobol”. "
            "Can you help? Reply in this thread."
        ),
        names={ALICE["id"]: "alice"},
    )
    await client.gateway.post(TENANT, post)
    message, thread = _sends(fake)
    assert f"<@{ALICE['id']}>" in message.body["content"]  # the post itself still mentions
    assert thread.body["name"].startswith("alice is looking for someone who knows about")


async def test_a_mention_the_post_does_not_name_becomes_someone(fake, connect):
    client = await connect(Recorder())
    post = Post(channel_id=GENERAL, text="<@!999> asked about “cobol”.")
    await client.gateway.post(TENANT, post)
    _, thread = _sends(fake)
    assert thread.body["name"] == "someone asked about “cobol”."
