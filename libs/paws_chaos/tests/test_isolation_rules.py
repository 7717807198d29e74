"""iptables rules for isolate(): exact, tagged, both directions; netem probe parsing."""

from __future__ import annotations

import subprocess
from typing import Any

from paws_chaos.netfaults import COMMENT, isolation_rules, netem_support


class TestIsolationRules:
    """Every rule is removable by its own spec, and tagged."""

    def test_two_rules_per_peer(self) -> None:
        """INPUT from and OUTPUT to each peer."""
        rules = isolation_rules(["10.0.0.2", "10.0.0.3"])
        assert len(rules) == 4
        assert {(r[0], r[2]) for r in rules} == {
            ("INPUT", "10.0.0.2"),
            ("OUTPUT", "10.0.0.2"),
            ("INPUT", "10.0.0.3"),
            ("OUTPUT", "10.0.0.3"),
        }

    def test_every_rule_carries_the_comment(self) -> None:
        """`iptables -S | grep paws-chaos` finds exactly ours."""
        assert all(COMMENT in rule for rule in isolation_rules(["10.0.0.2"]))


class TestNetemSupport:
    """The probe runs in a throwaway namespace and reports the kernel's answer."""

    def test_supported(self) -> None:
        """tc succeeding means supported (empty reason)."""

        def ok(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
            assert argv[:2] == ["unshare", "--net"]
            return subprocess.CompletedProcess(argv, 0, "", "")

        assert netem_support(ok) == ""

    def test_unsupported_names_the_kernel_message(self) -> None:
        """This machine's kernel: 'Specified qdisc kind is unknown.'"""

        def missing(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
            return subprocess.CompletedProcess(
                argv, 2, "", "Error: Specified qdisc kind is unknown."
            )

        assert "qdisc kind is unknown" in netem_support(missing)
