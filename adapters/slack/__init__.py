"""The Slack adapter's home (slack-bolt AsyncApp); it arrives with its own issue."""
