"""TC-031..TC-034: the live stack against bundled staging, live drift found and cleared, bad input.

Every check runs the composition the way `nox -s config-diff` does: `scripts/parity_endpoints.py`
writes the endpoints file for the test project (settings from the environment), then
`paws-parity check --endpoints FILE` collects and compares.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import ROOT, console_script, wait_for
from helpers import address, pg, redis_client
from paws_parity import bundled_snapshot, write_snapshot
from paws_parity.model import Setting
from paws_parity.normalise import canonical
from paws_stack import Stack

pytestmark = pytest.mark.stack

STAGING = bundled_snapshot("staging")
RULES = ROOT / "libs" / "paws_parity" / "src" / "paws_parity" / "data" / "rules.yaml"


def parity(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the paws-parity console script the way a user does."""
    return console_script("paws_parity.cli", *args, env={"NO_COLOR": "1"}, timeout=timeout)


@pytest.fixture(scope="module")
def endpoints(started: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The endpoints file of the running test stack, written as the nox session writes it."""
    path = tmp_path_factory.mktemp("parity") / "endpoints.yaml"
    result = subprocess.run(
        [sys.executable, "scripts/parity_endpoints.py", str(path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return path


def check(endpoints: Path) -> dict[str, Any]:
    """`paws-parity check --target staging --json` against the live stack; the report."""
    begin = time.monotonic()
    result = parity("check", "--endpoints", str(endpoints), "--target", "staging", "--json")
    elapsed = time.monotonic() - begin
    assert result.returncode in (0, 1), result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    report["_seconds"] = elapsed
    return report


def by_key(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["component"], f["key"]): f for f in report["findings"]}


def rule_severity(component: str, key: str) -> str:
    """What the bundled rules file maps a runtime difference of this key to."""
    from paws_parity.model import Difference, Kind
    from paws_parity.rules import bundled_rules, judge

    found = judge([Difference(component, key, "a", "b", Kind.RUNTIME)], bundled_rules())
    return found[0].severity.value


def _secrets(stack: Stack) -> list[str]:
    names = ["redis_password", "patroni_api_password", "pg_superuser_password"]
    return [stack.secrets.read(name) for name in names]


# --- TC-031 --------------------------------------------------------------------------------


def test_tc031_local_vs_staging_passes_bar(stack: Stack) -> None:
    """`nox -s config-diff -- --target=staging --json` and `make local-config-diff` pass."""
    # nox on PATH first (a CI job's, which keeps venvs out of the tree), else the one make installs.
    nox = shutil.which("nox") or str(ROOT / ".paws" / "tools" / "bin" / "nox")
    result = subprocess.run(
        [nox, "-s", "config-diff", "--", "--target=staging", "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["passed"] is True
    assert report["score"] >= 85
    assert report["counts"]["critical"] == 0
    assert report["counts"]["warning"] < 3
    fields = {"component", "key", "local", "target", "kind", "severity", "waived",
              "remediation", "restart_required"}  # fmt: skip
    for finding in report["findings"]:
        assert fields <= set(finding), finding
        assert finding["local"] != finding["target"], finding
    for secret in _secrets(stack):
        assert secret not in result.stdout and secret not in result.stderr
    print(f"\n[TC-031] parity {report['score']}/100 counts={report['counts']}")

    made = subprocess.run(
        ["make", "local-config-diff", "TARGET=staging"],
        capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-3000:]
    assert re.search(r"parity \d+/100 PASSED", made.stdout + made.stderr)


def test_tc031_live_findings_are_never_equivalent_values(endpoints: Path) -> None:
    """No reported runtime finding has equal values once normalised (no false positives)."""
    report = check(endpoints)
    for f in report["findings"]:
        if f["kind"] != "runtime" or f["component"] not in ("postgresql", "redis", "haproxy"):
            continue
        a, b = Setting(value=f["local"]), Setting(value=f["target"])
        assert canonical(f["component"], f["key"], a) != canonical(f["component"], f["key"], b), f
    print(f"\n[TC-031] live collection + comparison: {report['_seconds']:.2f} s")


# --- TC-032 --------------------------------------------------------------------------------


def _redis_nodes(stack: Stack) -> list[Any]:
    return [redis_client(stack, address(stack, s), 6379) for s in stack.topology.services("redis")]


def _redis_master(stack: Stack) -> Any:
    return next(c for c in _redis_nodes(stack) if c.info("replication")["role"] == "master")


def _apply_redis_remediation(stack: Stack, remediation: str) -> None:
    """Run the printed `redis-cli CONFIG SET key 'value'` on every Redis node."""
    match = re.search(r"CONFIG SET (\S+) (\S+)", remediation)
    assert match, remediation
    key, value = match.group(1), shlex.split(match.group(2))[0]
    for node in _redis_nodes(stack):
        node.config_set(key, value)


def test_tc032_redis_live_drift_found_and_cleared(stack: Stack, endpoints: Path) -> None:
    """A `CONFIG SET maxmemory-policy` on the master is found, remediated and cleared."""
    nodes = _redis_nodes(stack)
    original = [n.config_get("maxmemory-policy")["maxmemory-policy"] for n in nodes]
    master = _redis_master(stack)
    staging_value = str(STAGING.settings["redis"]["maxmemory-policy"].value)
    current = master.config_get("maxmemory-policy")["maxmemory-policy"]
    planted = next(v for v in ("allkeys-lru", "volatile-ttl") if v not in (staging_value, current))
    baseline = check(endpoints)
    try:
        master.config_set("maxmemory-policy", planted)
        drifted = check(endpoints)
        new = set(by_key(drifted)) - set(by_key(baseline))
        assert new == {("redis", "maxmemory-policy")}, new
        finding = by_key(drifted)[("redis", "maxmemory-policy")]
        assert finding["kind"] == "runtime"
        assert finding["severity"] == rule_severity("redis", "maxmemory-policy")
        assert f"CONFIG SET maxmemory-policy '{staging_value}'" in finding["remediation"]
        assert "compose/config/redis/redis.conf" in finding["remediation"]

        _apply_redis_remediation(stack, finding["remediation"])
        cleared = check(endpoints)
        assert ("redis", "maxmemory-policy") not in by_key(cleared)
        assert cleared["score"] == baseline["score"]
        print(f"\n[TC-032] {finding['severity']}: {finding['remediation']}")
    finally:
        for node, value in zip(nodes, original, strict=True):
            node.config_set("maxmemory-policy", value)


# --- TC-033 --------------------------------------------------------------------------------


def _patroni(stack: Stack) -> tuple[str, tuple[str, str]]:
    url = f"http://{address(stack, 'patroni-0')}:8008"
    return url, ("patroni", stack.secrets.read("patroni_api_password"))


def _leader_work_mem(stack: Stack) -> str:
    from helpers import leader_pg

    with leader_pg(stack) as conn:
        row = conn.execute("SELECT setting || coalesce(unit, '') FROM pg_settings "
                           "WHERE name = 'work_mem'").fetchone()  # fmt: skip
    assert row is not None
    return str(row[0])


def _patch_work_mem(stack: Stack, value: str | None) -> None:
    url, auth = _patroni(stack)
    body = {"postgresql": {"parameters": {"work_mem": value}}}
    response = httpx.patch(f"{url}/config", json=body, auth=auth, timeout=10)
    response.raise_for_status()


def _same_memory(a: str, b: str) -> bool:
    meta = Setting(unit="kB", vartype="integer")
    return canonical("postgresql", "work_mem", Setting(value=a), meta) == canonical(
        "postgresql", "work_mem", Setting(value=b), meta
    )


def _apply_patronictl_remediation(stack: Stack, remediation: str) -> str:
    """The printed `patronictl edit-config ... --pg work_mem='X'`, done over the REST API."""
    match = re.search(r"patronictl edit-config \S+ --force --pg work_mem=(\S+)", remediation)
    assert match, remediation
    value = shlex.split(match.group(1))[0]
    _patch_work_mem(stack, value)
    return value


def test_tc033_patroni_live_drift_found_and_cleared(stack: Stack, endpoints: Path) -> None:
    """A DCS change of work_mem is found as a patronictl fix, remediated and cleared."""
    url, auth = _patroni(stack)
    dcs = httpx.get(f"{url}/config", auth=auth, timeout=10).json()
    original = (dcs.get("postgresql") or {}).get("parameters", {}).get("work_mem")
    before = _leader_work_mem(stack)
    staging_value = str(STAGING.settings["postgresql"]["work_mem"].value)
    planted = next(v for v in ("7MB", "9MB") if not _same_memory(v, before))
    baseline = check(endpoints)
    try:
        _patch_work_mem(stack, planted)
        wait_for(lambda: _same_memory(_leader_work_mem(stack), planted), 15, "work_mem applied")
        drifted = check(endpoints)
        new = {k for k in set(by_key(drifted)) - set(by_key(baseline)) if k[1] != "work_mem"}
        assert not new, new
        finding = by_key(drifted)[("postgresql", "work_mem")]
        assert finding["severity"] == rule_severity("postgresql", "work_mem")
        assert "patronictl edit-config" in finding["remediation"]
        assert "--pg work_mem=" in finding["remediation"]
        assert finding["restart_required"] is False

        value = _apply_patronictl_remediation(stack, finding["remediation"])
        assert _same_memory(value, staging_value)
        wait_for(lambda: _same_memory(_leader_work_mem(stack), value), 15, "remediation applied")
        cleared = check(endpoints)
        assert ("postgresql", "work_mem") not in by_key(cleared)
        print(f"\n[TC-033] {finding['severity']}: {finding['remediation']}")
        assert cleared["score"] == baseline["score"]
    finally:
        _patch_work_mem(stack, original)
        wait_for(lambda: _same_memory(_leader_work_mem(stack), before), 15, "work_mem restored")


OLD_CONFIGS = ROOT / "tests" / "data" / "parity-pg96"
# What the 9.6-era files must find against the live stack, and nothing else: aliases
# (hot_standby, yes, slave-read-only) and a redacted password that is set on both sides match.
EXPECTED_FROM_OLD = {
    ("postgresql", "max_wal_size"): "2016MB",  # from checkpoint_segments = 42
    ("postgresql", "work_mem"): "5MB",
    ("postgresql", "stats_temp_directory"): "pg_stat_tmp",  # removed in 15: nothing to set
    ("redis", "maxmemory-policy"): "volatile-ttl",
    ("sentinel", "down-after-milliseconds"): "3000",
}


def _check_against(endpoints: Path, target: Path) -> dict[str, Any]:
    result = parity("check", "--endpoints", str(endpoints), "--target", str(target), "--json",
                    "--no-waivers")  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _member_settings(stack: Stack, name: str) -> list[str]:
    """`name` as every Patroni member reports it (not just the leader)."""
    values = []
    for service in stack.topology.services("patroni"):
        with pg(stack, address(stack, service), 5432) as conn:
            row = conn.execute("SELECT setting || coalesce(unit, '') FROM pg_settings "
                               "WHERE name = %s", (name,)).fetchone()  # fmt: skip
        assert row is not None
        values.append(str(row[0]))
    return values


def _apply_dcs_remediation(stack: Stack, remediation: str) -> tuple[str, str]:
    """The printed `patronictl edit-config paws --force --pg KEY='VALUE'`, over the REST API."""
    match = re.fullmatch(r"patronictl edit-config \S+ --force --pg (\w+)=(\S+)", remediation)
    assert match, remediation
    key, value = match.group(1), shlex.split(match.group(2))[0]
    url, auth = _patroni(stack)
    body = {"postgresql": {"parameters": {key: value}}}
    httpx.patch(f"{url}/config", json=body, auth=auth, timeout=10).raise_for_status()
    return key, value


def _sentinels(stack: Stack) -> list[Any]:
    return [redis_client(stack, address(stack, s), 26379)
            for s in stack.topology.services("sentinel")]  # fmt: skip


def _down_after(sentinel: Any) -> str:
    fields = sentinel.execute_command("SENTINEL", "MASTER", "paws")
    if isinstance(fields, dict):
        return str(fields["down-after-milliseconds"])
    return str(dict(zip(fields[::2], fields[1::2], strict=True))["down-after-milliseconds"])


def _apply_sentinel_remediation(stack: Stack, remediation: str) -> None:
    """The printed `redis-cli -p 26379 SENTINEL SET paws KEY VALUE`, on every Sentinel."""
    match = re.search(r"SENTINEL SET (\S+) (\S+) (\S+) on every Sentinel", remediation)
    assert match, remediation
    for sentinel in _sentinels(stack):
        sentinel.execute_command("SENTINEL", "SET", *match.groups())


def test_tc033_imported_old_configs_fixed_on_every_member(stack: Stack, endpoints: Path) -> None:
    """9.6-era files: only true findings; each fix, as printed, clears it on every member."""
    url, auth = _patroni(stack)
    dcs = httpx.get(f"{url}/config", auth=auth, timeout=10).json()
    original = dict((dcs.get("postgresql") or {}).get("parameters") or {})
    nodes = _redis_nodes(stack)
    policies = [n.config_get("maxmemory-policy")["maxmemory-policy"] for n in nodes]
    down_after = [_down_after(s) for s in _sentinels(stack)]
    try:
        report = _check_against(endpoints, OLD_CONFIGS)
        found = by_key(report)
        assert {k: found[k]["target"] for k in found} == EXPECTED_FROM_OLD, found
        assert "checkpoint_segments = 42" in found["postgresql", "max_wal_size"]["note"]
        gone = found["postgresql", "stats_temp_directory"]
        assert "PostgreSQL 15 removed" in gone["reason"] and gone["severity"] == "info"
        skipped = [n for n in report["notes"] if "is partial" in n]
        assert skipped and skipped[0].startswith("etcd, haproxy, patroni not compared")
        assert "not-the-real-one" not in json.dumps(report)

        for key in (("postgresql", "max_wal_size"), ("postgresql", "work_mem")):
            name, value = _apply_dcs_remediation(stack, found[key]["remediation"])
            want = Setting(value=value)
            meta = Setting(unit="kB" if name == "work_mem" else "MB", vartype="integer")

            def everywhere(name: str = name, want: Setting = want, meta: Setting = meta) -> bool:
                return all(canonical("postgresql", name, Setting(value=v), meta)
                           == canonical("postgresql", name, want, meta)
                           for v in _member_settings(stack, name))  # fmt: skip

            wait_for(everywhere, 30, f"{name} = {value} on every Patroni member")
        _apply_redis_remediation(stack, found["redis", "maxmemory-policy"]["remediation"])
        assert {n.config_get("maxmemory-policy")["maxmemory-policy"] for n in nodes} == {
            "volatile-ttl"
        }
        _apply_sentinel_remediation(
            stack, found["sentinel", "down-after-milliseconds"]["remediation"]
        )
        assert {_down_after(s) for s in _sentinels(stack)} == {"3000"}

        cleared = by_key(_check_against(endpoints, OLD_CONFIGS))
        assert set(cleared) == {("postgresql", "stats_temp_directory")}, cleared
        print(f"\n[TC-033] imported 9.6-era configs: {len(found)} findings, "
              f"{len(found) - len(cleared)} fixed on every member")  # fmt: skip
    finally:
        restore = {k: original.get(k) for k in ("max_wal_size", "work_mem")}
        body = {"postgresql": {"parameters": restore}}
        httpx.patch(f"{url}/config", json=body, auth=auth, timeout=10).raise_for_status()
        for node, value in zip(nodes, policies, strict=True):
            node.config_set("maxmemory-policy", value)
        for sentinel, value in zip(_sentinels(stack), down_after, strict=True):
            sentinel.execute_command("SENTINEL", "SET", "paws", "down-after-milliseconds", value)


PG10_CONFIGS = ROOT / "tests" / "data" / "parity-pg10"
HAPROXY_CFG = ROOT / "compose" / "config" / "haproxy" / "haproxy.cfg"
RESTART_FIX = re.compile(r"^(patronictl edit-config .+?) then restart: patronictl restart "
                         r"(\S+) --pending --force$")  # fmt: skip


def _patroni_members(stack: Stack) -> list[str]:
    return [f"http://{address(stack, s)}:8008" for s in stack.topology.services("patroni")]


def _restart_pending_members(stack: Stack, auth: tuple[str, str]) -> None:
    """`patronictl restart CLUSTER --pending --force`, over the REST API: every member whose
    Patroni flags a pending restart restarts PostgreSQL (Patroni refuses one that does not)."""
    members = _patroni_members(stack)

    def all_pending() -> bool:
        states = [httpx.get(f"{m}/patroni", timeout=5).json() for m in members]
        return all(state.get("pending_restart") for state in states)

    wait_for(all_pending, 60, "every Patroni member flags a pending restart")
    for member in members:
        body = {"restart_pending": True}
        httpx.post(f"{member}/restart", json=body, auth=auth, timeout=60).raise_for_status()


def _set_dcs_and_restart(stack: Stack, name: str, value: str | None) -> None:
    url, auth = _patroni(stack)
    body = {"postgresql": {"parameters": {name: value}}}
    httpx.patch(f"{url}/config", json=body, auth=auth, timeout=10).raise_for_status()
    _restart_pending_members(stack, auth)


def _edit_haproxy_cfg(text: str, key: str, value: str) -> str:
    """`set `section.directive` to `value``: replace the directive's line in that section."""
    section, directive = key.split(".", 1)
    lines, current, done = text.splitlines(keepends=True), "", False
    for i, line in enumerate(lines):
        words = line.split()
        if line[:1].isalpha():
            current = " ".join(words[:2]) if words[0] != "global" else "global"
        elif current == section and words[: len(directive.split())] == directive.split():
            indent = line[: len(line) - len(line.lstrip())]
            lines[i], done = f"{indent}{directive} {value}\n", True
    assert done, f"{key} not found in {HAPROXY_CFG}"
    return "".join(lines)


def test_tc033_restart_and_file_fixes_apply_on_the_live_stack(
    stack: Stack, endpoints: Path
) -> None:
    """A postmaster setting's fix (DCS + rolling restart) and an HAProxy file fix (edit, `up`)
    clear their findings as printed; `up` after the file edit recreates HAProxy alone."""
    from helpers import container_ids
    from paws_stack.images import ImagePlan

    original_cfg = HAPROXY_CFG.read_text("utf-8")
    report = _check_against(endpoints, PG10_CONFIGS)
    found = by_key(report)
    assert {k: found[k]["target"] for k in found} == {
        ("postgresql", "max_files_per_process"): "2000",
        ("haproxy", "global.maxconn"): "2000",
    }, found
    restart = found["postgresql", "max_files_per_process"]
    assert restart["restart_required"] is True
    match = RESTART_FIX.match(restart["remediation"])
    assert match, restart["remediation"]
    edit = found["haproxy", "global.maxconn"]["remediation"]
    assert "compose/config/haproxy/haproxy.cfg" in edit and "up" in edit, edit
    edited_image, dcs_changed = None, False
    try:
        name, value = _apply_dcs_remediation(stack, match.group(1))
        dcs_changed = True
        _restart_pending_members(stack, _patroni(stack)[1])
        wait_for(lambda: set(_member_settings(stack, name)) == {value}, 60,
                 f"{name} = {value} on every Patroni member after the restart")  # fmt: skip

        before = container_ids(stack)
        HAPROXY_CFG.write_text(_edit_haproxy_cfg(original_cfg, "global.maxconn", "2000"))
        edited_image = ImagePlan.for_definition(ROOT / "compose").service("haproxy")
        assert stack.up().healthy
        after = container_ids(stack)
        assert {s for s in before if before[s] != after.get(s)} == {"haproxy"}, (before, after)

        assert not by_key(_check_against(endpoints, PG10_CONFIGS))
        print(f"\n[TC-033] restart fix: {restart['remediation']}\n[TC-033] file fix: {edit}")
    finally:
        if dcs_changed:
            _set_dcs_and_restart(stack, "max_files_per_process", None)
        HAPROXY_CFG.write_text(original_cfg)
        if edited_image:
            stack.up()
            stack.client().images.remove(edited_image)
        wait_for(lambda: stack.health().healthy, 90, "the stack healthy again")


# --- TC-034 --------------------------------------------------------------------------------


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def test_tc034_malformed_snapshot_names_line_and_field(tmp_path: Path) -> None:
    """A wrong type on line 7 exits 2, naming the file, the line and the field path."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        "schema: 1\nname: bad\nversions: {postgresql: '15'}\ntopology:\n"
        "  synchronous_mode: true\n  members:\n    etcd: three\n"
    )
    result = parity("diff", str(path), "staging")
    assert result.returncode == 2
    assert f"{path}:7:" in result.stderr  # file:line, as compilers write it
    assert "topology.members.etcd" in result.stderr
    _no_traceback(result)


@pytest.mark.parametrize(
    ("entry", "field"),
    [("  - key: redis:maxmemory\n", "reason"),
     ("  - key: redis:maxmemory\n    reason: small\n    expires: someday\n", "expires")],
)  # fmt: skip
def test_tc034_malformed_waiver_names_line_and_field(
    tmp_path: Path, entry: str, field: str
) -> None:
    """A waiver without a reason, or with a bad date, exits 2 naming the line and field."""
    waivers = tmp_path / "parity-waivers.yaml"
    waivers.write_text("waivers:\n" + entry)
    result = parity("diff", "staging", "staging", "--waivers", str(waivers))
    assert result.returncode == 2
    line = 2 if field == "reason" else 4  # the entry's line, or the bad field's own line
    assert f"{waivers}:{line}:" in result.stderr and f"waivers.0.{field}" in result.stderr
    _no_traceback(result)


def test_tc034_unknown_target_clear_error() -> None:
    """`--target nosuch` exits 2 with one message listing the accepted forms."""
    result = parity("diff", "staging", "nosuch")
    assert result.returncode == 2
    assert "staging" in result.stderr and "live:" in result.stderr and "file" in result.stderr
    assert result.stdout == ""
    _no_traceback(result)


def test_tc034_unreachable_component_exit_2(endpoints: Path, tmp_path: Path) -> None:
    """A Redis URL on a closed 127.0.0.1 port exits 2 naming redis; no score, no verdict."""
    document = json.loads(endpoints.read_text())
    document["redis"]["url"] = "redis://127.0.0.1:1/0"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    result = parity(
        "check", "--target", f"live:{broken}", "--local", str(_snapshot(tmp_path)), "--json"
    )
    assert result.returncode == 2
    assert "redis" in result.stderr and "127.0.0.1:1" in result.stderr
    assert "passed" not in result.stdout and "/100" not in result.stdout + result.stderr
    _no_traceback(result)


def _snapshot(tmp_path: Path) -> Path:
    """The bundled staging snapshot as a file: the local side that needs no collection."""
    return write_snapshot(STAGING, tmp_path / "staging-copy.yaml")
