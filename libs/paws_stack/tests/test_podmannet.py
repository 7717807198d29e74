"""Tests for paws_stack.podmannet: Docker's firewall against Podman's internal networks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from paws_stack import podmannet
from paws_stack.engine import CommandResult
from paws_stack.errors import HostCheckError

DOCKER_RULES = """\
-P INPUT ACCEPT
-P FORWARD DROP
-P OUTPUT ACCEPT
-N DOCKER-USER
-A FORWARD -j DOCKER-USER
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER-USER -j RETURN
"""
ALLOWED = DOCKER_RULES + "-A DOCKER-USER -i podman+ -o podman+ -j ACCEPT\n"


class TestBridgesBlocked:
    def test_dockers_drop_policy_blocks_podmans_bridges(self) -> None:
        """Policy DROP, br_netfilter on, nothing for podman: blocked."""
        assert podmannet.bridges_blocked(DOCKER_RULES, "1\n")

    def test_the_documented_rule_opens_them(self) -> None:
        """The rule the error names is recognised as the fix."""
        assert f"-A {' '.join(podmannet.BRIDGE_RULE)}" in ALLOWED
        assert not podmannet.bridges_blocked(ALLOWED, "1\n")

    def test_without_br_netfilter_bridged_traffic_skips_iptables(self) -> None:
        """bridge-nf-call-iptables=0: FORWARD never sees traffic within a bridge."""
        assert not podmannet.bridges_blocked(DOCKER_RULES, "0\n")

    def test_accept_policy_blocks_nothing(self) -> None:
        """A host without dockerd's policy is open."""
        assert not podmannet.bridges_blocked(
            DOCKER_RULES.replace("FORWARD DROP", "FORWARD ACCEPT"), "1"
        )


def answer(stdout: str, code: int = 0) -> podmannet.Runner:
    def run(argv: Sequence[str], timeout: float) -> CommandResult:
        assert list(argv) == ["iptables", "-S"]
        return CommandResult(code, stdout, "")

    return run


class TestRequireOpenBridges:
    def test_blocked_host_is_refused_with_the_rule_and_its_undo(self, tmp_path: Path) -> None:
        """The error names the cause and both commands."""
        nf = tmp_path / "nf"
        nf.write_text("1\n")
        with pytest.raises(HostCheckError, match="Podman's internal networks") as caught:
            podmannet.require_open_bridges(answer(DOCKER_RULES), nf)
        assert podmannet.ALLOW in caught.value.remediation
        assert podmannet.UNDO in caught.value.remediation

    def test_unreadable_firewall_claims_nothing(self, tmp_path: Path) -> None:
        """No br_netfilter file, or iptables refusing (not root): no error."""
        podmannet.require_open_bridges(answer(DOCKER_RULES), tmp_path / "absent")
        nf = tmp_path / "nf"
        nf.write_text("1\n")
        podmannet.require_open_bridges(answer("", code=4), nf)
