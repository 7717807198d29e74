#!/bin/bash
# Container healthchecks. redis-cli --askpass reads the password from stdin, so it never
# appears in an argv or the environment. In TLS mode (PAWS_TLS=on, docs/tls.md) the same
# checks speak TLS, verified by the local CA.
set -u
kind=${1:?usage: healthcheck.sh patroni|redis|sentinel|haproxy}

scheme=http
curl_tls=()
redis_tls=()
if [[ ${PAWS_TLS:-} == on ]]; then
    scheme=https
    curl_tls=(--cacert /run/secrets/tls_ca.crt)
    redis_tls=(--tls --cacert /run/secrets/tls_ca.crt)
fi

ask() { # port, command... -> the reply, authenticated with the secret file
    local port=$1
    shift
    timeout 3 redis-cli "${redis_tls[@]}" --no-auth-warning --askpass -p "$port" "$@" < /run/secrets/redis_password
}

case "$kind" in
    patroni) exec curl -fsS -o /dev/null -m 2 "${curl_tls[@]}" "$scheme://127.0.0.1:8008/health" ;;
    haproxy) exec curl -fsS -o /dev/null -m 2 http://127.0.0.1:8404/healthz ;;
    redis)
        reply=$(ask 6379 INFO replication) || exit 1
        [[ $reply == *role:master* || $reply == *master_link_status:up* ]] ;;
    sentinel)
        reply=$(ask 26379 SENTINEL get-master-addr-by-name "${SENTINEL_MASTER_NAME:-paws}") || exit 1
        [[ $reply == *6379* ]] ;;
    *) echo "unknown kind: $kind" >&2; exit 2 ;;
esac
