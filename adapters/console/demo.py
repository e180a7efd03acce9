"""A small sample organisation for ``narrate-bot demo``: four teams, three weeks of narrations.

Written in the console's own grammar, so the demo exercises exactly what a person can type.
"""

from __future__ import annotations

DEMO_START = "2026-11-02T09:00:00+01:00"
DEMO_END = "2026-11-23T10:00:00+01:00"

SCRIPT = f"""\
:clock {DEMO_START}
:channel #infra public
:channel #payments public
:channel #search public
:channel #launch-secret private carol,dan,erin
:tz alice Europe/Berlin
:tz bob America/New_York
:tz carol Europe/Lisbon
:tz dan Asia/Kolkata
alice@payments in #payments: /narrate moved the ledger migration to alembic; batch mode on SQLite
bob@infra in #infra: /narrate upgraded the kafka brokers to 3.8, consumer lag back under 2s
carol@search in #search: /narrate tuning postgres full-text search: GIN index and ts_rank_cd
dan@platform in #general: /narrate wrote the rate limiter for outbound webhooks (token bucket)
erin@search in #search: /narrate evaluating embeddings for query expansion in search
farid@infra in #infra: /narrate terraform module for the new kubernetes node pools
:advance 2d
alice in #payments: /narrate reconciliation job now idempotent; retries no longer double-book
bob in #infra: /narrate kafka consumer groups rebalancing storm: fixed with static membership
grace@payments in #payments: /narrate fraud rules engine: first rules for card testing attacks
carol in #launch-secret: /narrate search relaunch date moved to december, keep it quiet
hana@platform in #general: /narrate onboarding docs for the internal developer portal
:advance 3d
dan in #general: /narrate rate limiting for the public API: 429 with Retry-After, per tenant
farid in #infra: /narrate postgres upgrade to 16 on staging, logical replication for the cutover
erin in #search: /narrate query expansion with co-occurring terms beat embeddings on our eval
alice in #payments: /narrate stripe webhooks: verifying signatures and deduplicating retries
bob in dm: /narrate preparing my talk on kafka exactly-once semantics
:advance 4d
grace in #payments: /narrate fraud model features: velocity checks, device fingerprint
carol in #search: /narrate postgres tsvector with weights for titles vs bodies
hana in #general: /narrate dev portal search powered by the new search API
dan in #general: /narrate load testing the rate limiter with k6, p99 under 20ms
bob in #infra: /narrate kafka schema registry migration plan, avro to protobuf
:advance 5d
farid in #infra: /narrate kubernetes autoscaling for the kafka connect workers
alice in #payments: /narrate ledger double-entry invariants as property-based tests (hypothesis)
erin in #search: /narrate search relevance dashboard: nDCG per query class
grace in #payments: /narrate chargeback flow with the new payment provider
:clock {DEMO_END}
"""
