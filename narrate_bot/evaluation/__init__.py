"""Measuring the bot's answers on benchmark data (``narrate-bot eval …``)."""
