"""Test helpers: a console chat you talk to line by line and read back."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from narrate_bot.app import Bot
from narrate_bot.clock import ManualClock
from narrate_bot_adapters.console import ConsoleAdapter


@dataclass
class Chat:
    """``await chat.say("alice: /narrate …")`` returns what the console printed for those lines."""

    adapter: ConsoleAdapter
    out: io.StringIO
    export_dir: Path

    @classmethod
    def create(cls, bot: Bot, clock: ManualClock, *, export_dir: Path) -> Chat:
        out = io.StringIO()
        return cls(ConsoleAdapter(bot, clock, out, export_dir=export_dir), out, export_dir)

    async def say(self, *lines: str) -> str:
        start = self.out.tell()
        for line in lines:
            await self.adapter.feed(line)
        self.out.seek(start)
        printed = self.out.read()
        self.out.seek(0, io.SEEK_END)
        return printed
