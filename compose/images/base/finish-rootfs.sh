#!/bin/sh
# Last step of the base image, shared by both build paths (debootstrap and registry)
# so that they produce the same content. Runs as root inside the new root filesystem.
set -eu

# etcd comes from Debian 13 unpacked with dpkg-deb -x, so its maintainer scripts (which
# create the user) never ran.
getent group etcd >/dev/null || groupadd --system etcd
getent passwd etcd >/dev/null || useradd --system --gid etcd --home-dir /var/lib/paws/etcd \
    --shell /usr/sbin/nologin etcd

# Python wheels pinned in versions.toml (Patroni), copied in by the builder.
if [ -d /tmp/wheels ]; then
    python3 -m pip install --no-deps --no-index --no-cache-dir --break-system-packages \
        /tmp/wheels/*.whl
    rm -rf /tmp/wheels
fi

# postgresql-common creates a "main" cluster on install; Patroni owns the data directory.
rm -rf /var/lib/postgresql/15/main /etc/postgresql/15/main

install -d -m 0700 -o postgres -g postgres /var/lib/paws/postgres
install -d -m 0700 -o etcd -g etcd /var/lib/paws/etcd
install -d -m 0750 -o redis -g redis /var/lib/paws/redis /var/lib/paws/sentinel
install -d -m 2775 -o postgres -g postgres /run/postgresql

# Record what was really installed; the builder checks it against compose/versions.toml.
{
    dpkg-query -W -f='postgresql=${Version}\n' postgresql-15
    printf 'patroni=%s\n' "$(patroni --version | sed 's/^patroni //')"
    dpkg-query -W -f='redis=${Version}\n' redis-server
    dpkg-query -W -f='haproxy=${Version}\n' haproxy
    printf 'etcd=%s\n' "$(etcd --version | sed -n 's/^etcd Version: //p')"
    dpkg-query -W -f='java=${Version}\n' openjdk-17-jre-headless
    dpkg-query -W -f='node=${Version}\n' nodejs
    dpkg-query -W -f='postgres_exporter=${Version}\n' prometheus-postgres-exporter
    dpkg-query -W -f='redis_exporter=${Version}\n' prometheus-redis-exporter
    dpkg-query -W -f='prometheus=${Version}\n' prometheus
} > /etc/paws-versions

apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/* \
    /usr/share/locale/* /var/log/*.log
# Prometheus's web UI depends on libjs-moment-timezone, whose 212 MB of source data the UI
# never loads (it serves the prebuilt moment-timezone-with-data files beside it).
rm -rf /usr/share/javascript/moment-timezone/data
