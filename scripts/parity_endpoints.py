"""Write the endpoints file paws_parity collects from, for the running local stack.

This is composition glue (run by `nox -s config-diff`): paws_stack knows where members are,
paws_parity takes plain connection details. Neither library imports the other.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from paws_stack import Stack


def endpoints_document(stack: Stack) -> dict[str, object]:
    members = {m.service: m for m in stack.inventory().running}
    secrets = stack.secrets.path.resolve()
    host = stack.settings.bind_address
    # TLS mode (docs/tls.md): verified connections. Members are reached on their container
    # address, which no certificate carries: their chain is verified, not their name.
    ca = str(stack.certificates.ca_file.resolve()) if stack.settings.tls else None
    web, kv = ("https", "rediss") if ca else ("http", "redis")
    pg_tls = f" sslmode=verify-full sslrootcert={ca}" if ca else ""
    chain_only = {"tls": {"ca_file": ca, "check_hostname": False}} if ca else {}
    verified = {"tls": {"ca_file": ca}} if ca else {}

    def addresses(kind: str, port: int, scheme: str) -> list[str]:
        return [
            f"{scheme}://{members[s].address}:{port}"
            for s in stack.topology.services(kind)
            if s in members and members[s].address
        ]

    def containers(kind: str) -> list[str]:
        return [members[s].container for s in stack.topology.services(kind) if s in members]

    return {
        "name": "local",
        "timeout": 5,
        "postgresql": {
            "dsn": f"host={host} port={stack.settings.pg_port} user=postgres dbname=postgres"
            + pg_tls,
            "password_file": str(secrets / "pg_superuser_password"),
        },
        "patroni": {
            "urls": addresses("patroni", 8008, web),
            "username": "patroni",
            "password_file": str(secrets / "patroni_api_password"),
            **chain_only,
        },
        "redis": {
            "url": f"{kv}://{host}:{stack.settings.redis_port}/0",
            "password_file": str(secrets / "redis_password"),
            **verified,
        },
        "sentinel": {
            "urls": addresses("sentinel", 26379, kv),
            "master": "paws",
            "password_file": str(secrets / "redis_password"),
            **chain_only,
        },
        "etcd": {
            "containers": containers("etcd"),
            **({"ca_file": "/run/secrets/tls_ca.crt"} if ca else {}),
        },
        # The template, not the rendered file: that one lives on a tmpfs (which the engine's
        # archive API cannot read) and holds the Redis password.
        "haproxy": {
            "containers": containers("haproxy"),
            "config_path": "/etc/paws/templates/haproxy.cfg",
        },
        "compose": {
            "files": [str(stack.settings.compose_dir.resolve() / "compose.yaml")],
            "profiles": ["full"] if stack.profile == "full" else [],
            "env": stack.compose().env,
            "app_services": [],
        },
    }


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".paws/endpoints.yaml")
    stack = Stack.from_settings()
    if not stack.inventory().running:
        lite = Stack.from_settings(profile="lite")
        stack = lite if lite.inventory().running else stack
    if stack.inventory().tls and not stack.settings.tls:
        # Started with `up --tls`: speak to it as it runs.
        stack = Stack(stack.settings.model_copy(update={"tls": True}), stack.progress)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(endpoints_document(stack), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target} for project {stack.project}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
