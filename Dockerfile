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

USER narrate
VOLUME ["/data"]
COPY --chmod=755 docker/entrypoint.sh /usr/local/bin/narrate-entrypoint
ENTRYPOINT ["narrate-entrypoint"]
