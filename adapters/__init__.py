"""Platform adapters (installed as ``narrate_bot_adapters``; see docs/adr/0002).

Each adapter translates platform payloads into ``narrate_bot.events``, hands them to
``narrate_bot.app.Bot``, and renders the ``Reply`` values it gets back.
"""
