"""Turn on etcd authentication before Patroni first talks to it; idempotent.

Without auth, any process that reaches the infra network can rewrite Patroni's DCS (say,
`postgresql.parameters.archive_command`, which runs as postgres), bypassing the REST API's
password. With it: user `root` (the admin, used only here) and user `patroni`, whose role may
read and write Patroni's namespace and nothing else.

Every Patroni container runs this before Patroni starts; they may race, so each step
tolerates "already done". Passwords come from /run/secrets and travel only in request bodies
to etcd on the internal network: never in an argv, the environment or a log.
"""

from __future__ import annotations

import base64
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable

import paws_tls

NAMESPACE = "/service/"  # Patroni's default namespace: its keys are /service/<scope>/...
ROLE = "patroni"
TIMEOUT_S = 3.0
ATTEMPTS = 20


class EtcdError(Exception):
    """etcd answered with an error code (the gRPC gateway's JSON body)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def prefix_end(prefix: str) -> str:
    """etcd's range end for a prefix: the prefix with its last byte incremented.

    >>> prefix_end("/service/")
    '/service0'
    """
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def call(host: str, path: str, body: dict[str, object], token: str | None = None) -> dict:  # type: ignore[type-arg]
    """POST one gRPC-gateway request; an etcd error becomes EtcdError."""
    request = urllib.request.Request(
        f"{'https' if paws_tls.enabled() else 'http'}://{host}/v3/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **({"Authorization": token} if token else {})},
        method="POST",
    )
    try:
        context = paws_tls.client_context() if paws_tls.enabled() else None
        with urllib.request.urlopen(request, timeout=TIMEOUT_S, context=context) as response:
            return dict(json.loads(response.read() or b"{}"))
    except urllib.error.HTTPError as error:
        answer = json.loads(error.read() or b"{}")
        raise EtcdError(
            int(answer.get("code", error.code)), str(answer.get("message", ""))
        ) from None


def auth_enabled(host: str) -> bool:
    """`auth/status` answers without a user only while auth is off."""
    try:
        return bool(call(host, "auth/status", {}).get("enabled"))
    except EtcdError as error:
        if "user name is empty" in error.message:
            return True
        raise


def _tolerating(step: Callable[[], object], *already: str) -> None:
    try:
        step()
    except EtcdError as error:
        if not any(text in error.message for text in already):
            raise


def enable(host: str, root_password: str, patroni_password: str) -> None:
    """Create both users and the role, then enable auth (each step may already be done)."""
    exists = "already exists"
    for user, password in (("root", root_password), (ROLE, patroni_password)):
        _tolerating(
            lambda u=user, p=password: call(host, "auth/user/add", {"name": u, "password": p}),
            exists,
        )
        # A user left by an interrupted run may have another password: set ours.
        call(host, "auth/user/changepw", {"name": user, "password": password})
    _tolerating(lambda: call(host, "auth/role/add", {"name": ROLE}), exists)
    permission = {
        "permType": "READWRITE",
        "key": _b64(NAMESPACE),
        "range_end": _b64(prefix_end(NAMESPACE)),
    }
    call(host, "auth/role/grant", {"name": ROLE, "perm": permission})
    call(host, "auth/user/grant", {"user": ROLE, "role": ROLE})
    _tolerating(lambda: call(host, "auth/user/grant", {"user": "root", "role": "root"}), exists)
    _tolerating(lambda: call(host, "auth/enable", {}), "already enabled")


def can_login(host: str, user: str, password: str) -> bool:
    try:
        return bool(
            call(host, "auth/authenticate", {"name": user, "password": password}).get("token")
        )
    except EtcdError:
        return False


def ensure(
    hosts: list[str], root_password: str, patroni_password: str, log: Callable[[str], None]
) -> None:
    """Auth on, and Patroni's user able to log in; retried while etcd is still electing."""
    last: Exception | None = None
    for _ in range(ATTEMPTS):
        for host in hosts:
            try:
                if not auth_enabled(host):
                    log("enabling etcd authentication (users root and patroni)")
                    enable(host, root_password, patroni_password)
                if can_login(host, ROLE, patroni_password):
                    return
                last = EtcdError(
                    0, f"etcd user {ROLE} cannot log in with the password in /run/secrets"
                )
            except (OSError, EtcdError, ValueError) as error:
                last = error
        time.sleep(1)
    sys.exit(f"paws-entrypoint: etcd authentication could not be set up: {last}")
