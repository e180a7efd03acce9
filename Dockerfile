# narrate-bot: runs migrations, then the configured platform adapters.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    NARRATE_DATABASE_URL=sqlite+aiosqlite:////data/narrate.db

RUN useradd --create-home --uid 10001 narrate && mkdir /data && chown narrate /data
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY narrate_bot ./narrate_bot
COPY adapters ./adapters
COPY migrations ./migrations
RUN pip install ".[slack,discord]"
COPY docker/entrypoint.sh /usr/local/bin/narrate-entrypoint
RUN chmod 755 /usr/local/bin/narrate-entrypoint

USER narrate
# The database and console exports live here; /app stays read-only for the bot's user.
WORKDIR /data
VOLUME ["/data"]
# Slack's HTTP mode listens here (NARRATE_SLACK__PORT); Socket Mode and Discord need no port.
EXPOSE 3000
ENTRYPOINT ["narrate-entrypoint"]
