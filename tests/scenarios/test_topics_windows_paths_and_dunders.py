"""Topics of Windows paths and Python's dunder names, through the console.

Leaving out the word after a backslash (TeX's ``\\neq``) also left out the folders of a Windows
path ("installed it under C:\\tools\\gopls" had no topics), and reading "_why_" as "why" made
``__slots__`` a "slot".
"""

from __future__ import annotations

import pytest

from narrate_bot.knowledge.topics import extract_topics
from tests.scenarios.test_topics_past_tenses_and_phrases import _topics_of_confirmation


async def test_words_of_a_windows_path_stay_topics(chat):
    out = await chat.say(r"alice: /narrate moved the repo to C:\src\terraform\modules")
    assert "terraform" in _topics_of_confirmation(out), out


async def test_a_windows_path_alone_gives_its_topics(chat):
    out = await chat.say(r"alice: /narrate installed it under C:\tools\gopls")
    assert "gopls" in out.split("Topics:", 1)[-1], out


async def test_a_network_share_gives_its_topics(chat):
    out = await chat.say(r"bob: /narrate the installer is on \\fileserver\builds\nightly now")
    topics = _topics_of_confirmation(out)
    assert "fileserver" in topics and "nightly" in topics, topics


async def test_formulas_that_look_like_paths_stay_formulas(chat):
    # "f:\{0,1\}\to" opens like a drive, a matrix's "\\1&0\end{pmatrix}" like a share.
    out = await chat.say(
        r"alice: /narrate oracle f:\{0,1\}^n\to\{0,1\}^n as "
        r"$\begin{pmatrix}0&1\\1&0\end{pmatrix}\otimes I$ and $f:\mathbb R\to\mathbb R$"
    )
    topics = _topics_of_confirmation(out)
    assert topics == ["oracle"], topics


async def test_a_dunder_name_stays_itself(chat):
    out = await chat.say("alice: /narrate `__slots__` cut memory in half")
    topics = _topics_of_confirmation(out)
    assert "slot" not in topics, topics
    out = await chat.say("bob: /narrate __init__ of the billing client")
    topics = _topics_of_confirmation(out)
    assert "init" not in topics, topics


async def test_emphasis_is_still_its_word(chat):
    out = await chat.say("alice: /narrate the _quantum_ compiler")
    assert _topics_of_confirmation(out) == ["quantum", "compiler"], out


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        # TeX after a map's colon opens like a drive: "E:\rho\mapsto" gave "mapsto", and
        # "U:\mathscr H" "mathscr"; a real path beside it keeps its folders.
        (
            r"the channel E:\rho\mapsto U\rho U; notes in C:\Users\x\repo",
            ["channel", "note", "user", "repo"],
        ),
        (
            r"a unitary U:\mathcal H\to\mathcal H and U:\mathscr H\to\mathscr H, served from "
            r"C:\inetpub\wwwroot",
            ["unitary", "inetpub", "wwwroot"],
        ),
    ],
)
def test_tex_after_a_colon_is_no_windows_path(text: str, topics: list[str]) -> None:
    assert extract_topics(text) == topics
