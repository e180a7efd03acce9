"""The terminal adapter: try the bot locally, run demos, and drive end-to-end scenario tests."""

from .adapter import ConsoleAdapter

__all__ = ["ConsoleAdapter"]
