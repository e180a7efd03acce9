#!/bin/sh
# Bring the schema up to date, then hand the process over to the bot.
set -e
narrate-bot migrate
exec narrate-bot run "$@"
