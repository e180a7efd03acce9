"""On Enterprise Grid one user id is one person across the organisation's workspaces, but each
workspace is a tenant of its own: forget-me and export cover the workspace they are run in. They
now say so, as Discord's do for a server, and name the organisation's other workspaces that keep
something of the person's, so "everything" is never taken for all of them. A workspace of no
organisation reads as before."""

from __future__ import annotations

from sqlmodel import select

from narrate_bot.storage.tables import Narration
from tests.adapters.slack.conftest import SlackEnv, until
from tests.adapters.slack.fake_slack import shown

USER = "UGRID"
WORKSPACE_A = {"team_id": "T1", "team_domain": "acme", "enterprise_id": "E1"}
WORKSPACE_B = {"team_id": "T2", "team_domain": "acme-eu", "enterprise_id": "E1"}
ELSEWHERE = {"team_id": "T9", "team_domain": "globex", "enterprise_id": "E9"}
ONLY_HERE = "only: each workspace of your organisation keeps its own"


async def _said(slack: SlackEnv, text: str, **where: str) -> str:
    before = len(slack.fake.responses)
    await slack.command(text, user=USER, **where)
    await until(lambda: len(slack.fake.responses) > before)
    return shown(slack.fake.responses[-1])


async def _left(slack: SlackEnv) -> list[str]:
    async with slack.db.transaction() as session:
        return sorted(n.text for n in (await session.exec(select(Narration))).all())


async def test_forget_me_in_one_grid_workspace_says_the_others_keep_theirs(slack):
    await _said(slack, "zanzibarquux ledger migration", **WORKSPACE_A)
    await _said(slack, "xylophonics launch plan", **WORKSPACE_B)
    await _said(slack, "quokka billing export", **ELSEWHERE)  # another organisation

    asked = await _said(slack, "forget-me", **WORKSPACE_A)
    assert ONLY_HERE in asked, asked
    told = await _said(slack, "forget-me confirm", **WORKSPACE_A)
    assert "Done: I erased everything about you, including 1 narration." in told
    assert ONLY_HERE in told, told
    assert "(I keep something about you in acme-eu too)" in told and "globex" not in told, told
    assert await _left(slack) == ["quokka billing export", "xylophonics launch plan"]

    told = await _said(slack, "forget-me", **WORKSPACE_B)  # nothing is kept in A any more
    assert ONLY_HERE in told and "(I keep something" not in told, told


async def test_export_in_a_grid_workspace_says_it_is_this_workspace(slack):
    await _said(slack, "zanzibarquux ledger migration", **WORKSPACE_A)
    await _said(slack, "xylophonics launch plan", **WORKSPACE_B)
    told = await _said(slack, "export", **WORKSPACE_B)
    assert "Here is everything I store about you (1 narration)." in told
    assert ONLY_HERE in told and "(I keep something about you in acme too)" in told, told


async def test_a_workspace_of_no_organisation_reads_as_before(slack):
    await _said(slack, "zanzibarquux ledger migration")
    told = await _said(slack, "forget-me")
    assert "only" not in told
    told = await _said(slack, "forget-me confirm")
    assert "Done: I erased everything about you" in told and "only" not in told
