#!/bin/bash
# Container healthchecks. redis-cli --askpass reads the password from stdin, so it never
# appears in an argv or the environment.
set -u
kind=${1:?usage: healthcheck.sh patroni|redis|sentinel|haproxy}

ask() { # port, command... -> the reply, authenticated with the secret file
    local port=$1
    shift
    timeout 3 redis-cli --no-auth-warning --askpass -p "$port" "$@" < /run/secrets/redis_password
}

case "$kind" in
    patroni) exec curl -fsS -o /dev/null -m 2 http://127.0.0.1:8008/health ;;
    haproxy) exec curl -fsS -o /dev/null -m 2 http://127.0.0.1:8404/healthz ;;
    redis)
        reply=$(ask 6379 INFO replication) || exit 1
        [[ $reply == *role:master* || $reply == *master_link_status:up* ]] ;;
    sentinel)
        reply=$(ask 26379 SENTINEL get-master-addr-by-name "${SENTINEL_MASTER_NAME:-paws}") || exit 1
        [[ $reply == *6379* ]] ;;
    *) echo "unknown kind: $kind" >&2; exit 2 ;;
esac
