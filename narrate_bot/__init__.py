"""narrate-bot's core: knows no chat platform.

Adapters hand the core normalized events (``narrate_bot.events``) and render the values it
returns (``narrate_bot.replies``). Nothing in this package imports an adapter or a platform SDK;
``tests/test_architecture.py`` fails if anything does.
"""

__version__ = "0.1.0"
