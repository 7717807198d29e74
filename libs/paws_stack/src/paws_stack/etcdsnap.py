"""etcd snapshots: their integrity hash, etcd's auth flag, and Patroni's state in the DCS.

`etcdctl snapshot save` writes etcd's database followed by the SHA-256 of it (the integrity
hash `snapshot restore` checks). The snapshot carries etcd's users with the passwords of the
stack it came from, and etcd has no way to reset a password without the old root password. So
the restore turns etcd's auth flag off in the snapshot (one byte in its `auth` bucket, then a
new integrity hash); the first Patroni container's entrypoint then finds auth off and sets the
users up again from the current secrets (compose/images/runtime/etcd_auth.py), as on a first
start.
"""

from __future__ import annotations

import base64
import hashlib

import httpx

HASH_SIZE = 32
# bbolt keeps a bucket's keys sorted, each key followed by its value: the auth bucket holds
# authEnabled (one byte, 1 = on) then authRevision.
AUTH_ON = b"authEnabled\x01authRevision"
AUTH_OFF = b"authEnabled\x00authRevision"
TIMEOUT_S = 5.0


class SnapshotError(ValueError):
    """A snapshot that etcd would not restore, or one paws cannot prepare."""


def integrity_hash(snapshot: bytes) -> str:
    """The hex SHA-256 a snapshot ends with, once checked against its content.

    >>> body = b"\\0" * 4096
    >>> integrity_hash(body + hashlib.sha256(body).digest()) == hashlib.sha256(body).hexdigest()
    True
    """
    # etcd's own test: a database is whole pages, so the hash makes the size 32 mod 512.
    if len(snapshot) % 512 != HASH_SIZE:
        raise SnapshotError("it carries no integrity hash (its size is not pages + 32 bytes)")
    body, stored = snapshot[:-HASH_SIZE], snapshot[-HASH_SIZE:]
    if hashlib.sha256(body).digest() != stored:
        raise SnapshotError("its integrity hash does not match its content")
    return stored.hex()


def auth_disabled(snapshot: bytes) -> bytes:
    """The same snapshot with etcd's auth flag off and a new integrity hash.

    >>> body = b"\\0" * 4064 + AUTH_ON + b"\\0" * (32 - len(AUTH_ON))
    >>> patched = auth_disabled(body + hashlib.sha256(body).digest())
    >>> AUTH_OFF in patched and bool(integrity_hash(patched))
    True
    """
    integrity_hash(snapshot)
    body = snapshot[:-HASH_SIZE]
    if AUTH_ON not in body and AUTH_OFF not in body:
        raise SnapshotError("etcd's auth flag is not where etcd 3.5 keeps it")
    body = body.replace(AUTH_ON, AUTH_OFF)
    return body + hashlib.sha256(body).digest()


def patroni_state_keys(keys: list[str], scope: str) -> list[str]:
    """Patroni's cluster state in the DCS: everything of its scope except the configuration.

    A fresh cluster bootstraps from the restored configuration; the old system id, leader,
    members and sync state would stop it (they describe the cluster that was dumped).

    >>> patroni_state_keys(["/service/paws/config", "/service/paws/leader",
    ...     "/service/paws/members/patroni-0", "/elsewhere"], "paws")
    ['/service/paws/leader', '/service/paws/members/patroni-0']
    """
    prefix = f"/service/{scope}/"
    return [k for k in keys if k.startswith(prefix) and k != f"{prefix}config"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Gateway:
    """etcd's JSON gateway on one member: as root for a backup, anonymously during a restore
    (the restored cluster has auth off until Patroni's entrypoint turns it on again)."""

    def __init__(self, base_url: str, http: httpx.Client, token: str | None = None) -> None:
        self._root = base_url  # http://host:port where this process reaches the member
        self._base = f"{base_url}/v3"
        self._http = http
        self._headers = {"Authorization": token} if token else {}

    def _post(self, path: str, body: dict[str, object]) -> dict[str, object]:
        answer = self._http.post(
            f"{self._base}/{path}", json=body, headers=self._headers, timeout=TIMEOUT_S
        )
        answer.raise_for_status()
        return dict(answer.json())

    def login(self, user: str, password: str) -> Gateway:
        """The same gateway with a token of `user` (the password travels in the body only)."""
        reply = self._post("auth/authenticate", {"name": user, "password": password})
        return Gateway(self._root, self._http, str(reply["token"]))

    def count(self, revision: int = 0) -> int:
        """How many keys the cluster holds (all of them), at `revision` (0: now)."""
        body: dict[str, object] = {"key": _b64(b"\0"), "range_end": _b64(b"\0")}
        body |= {"count_only": True, "revision": revision}
        return int(str(self._post("kv/range", body).get("count", 0)))

    def keys(self, prefix: str) -> list[str]:
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        body = {"key": _b64(prefix.encode()), "range_end": _b64(end.encode()), "keys_only": True}
        kvs = self._post("kv/range", body).get("kvs") or []
        return [base64.b64decode(kv["key"]).decode() for kv in kvs]  # type: ignore[attr-defined]

    def delete(self, key: str) -> None:
        self._post("kv/deleterange", {"key": _b64(key.encode())})
