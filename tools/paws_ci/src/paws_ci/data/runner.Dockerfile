# The act job image: the project's own base image plus what a GitHub runner step needs.
# Built with `--network host` so apt reaches the Debian mirror the host uses; no registry.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
# The host's CA bundle first: the base image's apt sources are https when the mirror serves it,
# and behind a TLS-intercepting proxy apt, PyPI and npm verify only with the host's bundle.
# (An empty file when the host has none: the image keeps Debian's own bundle.)
COPY ca-certificates.crt /tmp/host-ca.crt
RUN if [ -s /tmp/host-ca.crt ]; then cp /tmp/host-ca.crt /etc/ssl/certs/ca-certificates.crt; fi \
 && rm /tmp/host-ca.crt
# The apps' toolchains too: `nox -s unit` runs Maven (JDK 17) and npm, `nox -s integration`
# builds the app images from their output and drives Debian's Chromium.
# The apps' unit tests and image builds run Maven (with a JDK) and npm inside the job.
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      bash git python3 python3-venv python3-pip nodejs npm ca-certificates curl \
      tar gzip xz-utils zstd unzip jq sudo locales-all \
      openjdk-17-jdk-headless maven chromium \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
# make: TC-014 runs `make local-config-diff` as a user would. (Its own layer, so the big one above
# stays cached.)
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends make \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
# Every certificate of the host's bundle becomes a local CA, so update-ca-certificates puts it in
# the system bundle and, through ca-certificates-java's hook, in the JDK's cacerts: Maven (Java)
# reads only that keystore, and without the host's CAs it fails PKIX behind a TLS-intercepting
# proxy whenever the checkout's Maven cache lacks an artifact (a fresh clone always).
COPY ca-certificates.crt /tmp/host-ca.crt
RUN if [ -s /tmp/host-ca.crt ]; then \
      mkdir -p /usr/local/share/ca-certificates/paws-host \
      && awk '/-BEGIN CERTIFICATE-/ { n++; inside = 1; \
                file = sprintf("/usr/local/share/ca-certificates/paws-host/%03d.crt", n) } \
              inside { print > file } \
              /-END CERTIFICATE-/ { inside = 0; close(file) }' /tmp/host-ca.crt \
      && update-ca-certificates >/dev/null; \
    fi \
 && rm /tmp/host-ca.crt
# The docker CLI and compose v2 plugin of the host: the job talks to the host's daemon through
# the socket act mounts, so the stack starts as sibling containers.
COPY docker /usr/local/bin/docker
COPY docker-compose /usr/local/lib/docker/cli-plugins/docker-compose
# Steps may run as a non-root user (paws-ci --job-user): a world-writable, sticky home for
# tools that insist on one (pip, npm, uv caches fall back to it).
RUN mkdir -p /home/runner && chmod 1777 /home/runner
LABEL dev.paws.role="ci-runner"
ENV LANG=C.UTF-8 RUNNER_TOOL_CACHE=/opt/hostedtoolcache \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
