"""Stack benchmarks: time to healthy, image build, health latency, idle memory.

Targets (issue 2, 2-core machine): full up <= 20 s, lite <= 10 s, image build <= 3 min,
health <= 1 s, idle memory of the full infrastructure <= 512 MiB.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from benchmarks.conftest import new_stack
from paws_stack import Stack
from paws_stack.images import SERVICE_IMAGES, ImagePlan

MIB = 1024 * 1024


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


@pytest.mark.build
def test_image_build_from_nothing(benchmark: Any, prepared: Stack) -> None:
    """Remove this definition's images, then build them all again (base image included)."""
    stack = new_stack()
    stack.down(volumes=True)
    plan = ImagePlan.for_definition(stack.settings.compose_dir)
    client = stack.client()

    def remove_images() -> None:
        for name in [*(plan.service(n) for n in SERVICE_IMAGES), plan.base]:
            if client.images.list(name=name):
                client.images.remove(name, force=True)

    benchmark.pedantic(stack.build, setup=remove_images, rounds=1, iterations=1)
    assert not [n for n in SERVICE_IMAGES if not client.images.list(name=plan.service(n))]
