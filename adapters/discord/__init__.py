"""The Discord adapter's home (discord.py CommandTree); it arrives with its own issue."""
