"""Stack benchmarks: time to healthy, image build, health latency, idle memory and CPU.

Targets (2-core machine): issue 2, infrastructure only: full up <= 20 s, lite <= 10 s, image
build <= 3 min, health <= 1 s, idle memory <= 512 MiB. Issue 15, with the apps: full up <= 30 s
with existing volumes and <= 40 s fresh, every image built (apps included) <= 5 min, idle
memory <= 1.5 GiB. The stack includes the apps unless PAWS_APPS=false.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks.conftest import new_stack
from paws_stack import Stack
from paws_stack._appbuild import app_images
from paws_stack.images import SERVICE_IMAGES, ImagePlan

MIB = 1024 * 1024
IDLE_WINDOW_S = 30.0


def _fresh(stack: Stack) -> None:
    """Nothing running, no volumes: the first `up` of a developer's day after a wipe."""
    stack.down(volumes=True)


@pytest.mark.parametrize("profile", ["full", "lite"])
def test_up_to_healthy_fresh_volumes(benchmark: Any, prepared: Stack, profile: str) -> None:
    """`up` from no containers and no volumes, images present, to the first healthy report."""
    for other in ("full", "lite"):
        new_stack(other).down(volumes=True)
    stack = new_stack(profile)
    report = benchmark.pedantic(stack.up, setup=lambda: _fresh(stack), rounds=3, iterations=1)
    assert report.healthy
    stack.down(volumes=True)


@pytest.mark.parametrize("profile", ["full", "lite"])
def test_up_to_healthy_existing_volumes(benchmark: Any, prepared: Stack, profile: str) -> None:
    """`up` after `down` (volumes kept): the everyday restart."""
    stack = new_stack(profile)
    stack.up()
    report = benchmark.pedantic(stack.up, setup=stack.down, rounds=3, iterations=1)
    assert report.healthy
    stack.down(volumes=True)


def test_health_latency(benchmark: Any, prepared: Stack) -> None:
    """One full `health()` probe of every member, in process."""
    stack = new_stack()
    stack.up()
    report = benchmark.pedantic(stack.health, rounds=20, iterations=1, warmup_rounds=1)
    assert report.healthy


def test_idle_memory(benchmark: Any, prepared: Stack) -> None:
    """Sum of the containers' memory usage (engine stats) after 30 s idle."""
    stack = new_stack()
    stack.up()
    time.sleep(30)
    client = stack.client()

    def measure() -> float:
        total = 0
        for member in stack.inventory().running:
            stats = client.containers.get(member.container).stats(stream=False)
            memory = stats["memory_stats"]
            # Like `docker stats`: usage minus reclaimable page cache.
            total += memory["usage"] - memory.get("stats", {}).get("total_inactive_file", 0)
        return total / MIB

    used_mib = benchmark.pedantic(measure, rounds=1, iterations=1)
    benchmark.extra_info["idle_memory_mib"] = round(used_mib, 1)
    print(f"\n[bench] idle memory of the full stack: {used_mib:.0f} MiB")


def _host_busy_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine from /proc/stat, in clock ticks."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def test_idle_cpu(benchmark: Any, prepared: Stack) -> None:
    """What the idle full stack costs in CPU over 30 s: its containers (healthchecks included,
    they run inside them) and the whole machine (adds dockerd/containerd/runc for each check)."""
    stack = new_stack()
    stack.up()
    time.sleep(10)
    client = stack.client()
    containers = [client.containers.get(m.container) for m in stack.inventory().running]

    def usage_ns() -> int:
        stats = (c.stats(stream=False)["cpu_stats"] for c in containers)
        return sum(cpu["cpu_usage"]["total_usage"] for cpu in stats)

    def measure() -> tuple[float, float]:
        start_ns, (start_busy, start_total) = usage_ns(), _host_busy_jiffies()
        time.sleep(IDLE_WINDOW_S)
        used_ns, (busy, total) = usage_ns() - start_ns, _host_busy_jiffies()
        cores = os.cpu_count() or 1
        host_pct = 100.0 * cores * (busy - start_busy) / max(1, total - start_total)
        return 100.0 * used_ns / (IDLE_WINDOW_S * 1e9), host_pct

    containers_pct, host_pct = benchmark.pedantic(measure, rounds=1, iterations=1)
    benchmark.extra_info["containers_cpu_pct_of_one_core"] = round(containers_pct, 1)
    benchmark.extra_info["host_cpu_pct_of_one_core"] = round(host_pct, 1)
    print(
        f"\n[bench] idle CPU, % of one core: containers {containers_pct:.1f}, "
        f"whole machine {host_pct:.1f}"
    )


@pytest.mark.build
def test_image_build_from_nothing(benchmark: Any, prepared: Stack) -> None:
    """Remove this definition's images, then build them all again (base image included)."""
    stack = new_stack()
    stack.down(volumes=True)
    plan = ImagePlan.for_definition(stack.settings.compose_dir)
    client = stack.client()

    apps = list(app_images(stack.apps, plan).values()) if stack.apps else []

    def remove_images() -> None:
        for name in [*apps, *(plan.service(n) for n in SERVICE_IMAGES), plan.base]:
            if client.images.list(name=name):
                client.images.remove(name, force=True)

    benchmark.pedantic(stack.build, setup=remove_images, rounds=1, iterations=1)
    assert not [n for n in SERVICE_IMAGES if not client.images.list(name=plan.service(n))]
    assert all(client.images.list(name=name) for name in apps)
