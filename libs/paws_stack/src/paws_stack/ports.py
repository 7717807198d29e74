"""The ports the members listen on inside the stack's networks (compose/compose.yaml and the
images' configuration set them; the ports published on the host are settings, settings.py)."""

from __future__ import annotations

ETCD_CLIENT = 2379
PATRONI_REST = 8008
POSTGRES = 5432
REDIS = 6379
SENTINEL = 26379
