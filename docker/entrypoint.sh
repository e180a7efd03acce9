#!/bin/sh
# `docker run IMAGE` runs the bot (after bringing the schema up to date); `docker run IMAGE
# console|demo|migrate|eval …` runs that narrate-bot command instead, so the image can also be
# tried and maintained without installing anything.
set -e
case "${1:-}" in
    console|demo|migrate|eval|--help|-h)
        exec narrate-bot "$@"
        ;;
    run)
        shift
        ;;
esac
narrate-bot migrate
exec narrate-bot run "$@"
