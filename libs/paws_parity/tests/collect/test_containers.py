"""etcd and HAProxy through the engine: versions from image labels, templates as rendered."""

from __future__ import annotations

import pytest

from paws_parity.collect.containers import label_version, resolve_placeholders, upstream_version
from paws_parity.collect.haproxy_cfg import parse_haproxy

LABELS = {
    "dev.paws.version.etcd": "3.5.16",
    "dev.paws.version.haproxy": "2.6.12-1+deb12u4",
    "dev.paws.version.redis": "5:7.0.15-1~deb12u10",
}


class TestVersions:
    @pytest.mark.parametrize(
        ("package", "upstream"),
        [("2.6.12-1+deb12u4", "2.6.12"), ("5:7.0.15-1~deb12u10", "7.0.15"),
         ("15.20-0+deb12u1", "15.20"), ("3.5.16", "3.5.16"), ("3.0.2-1", "3.0.2")],
    )  # fmt: skip
    def test_debian_package_version_to_upstream(self, package: str, upstream: str) -> None:
        """Epoch and Debian revision are dropped."""
        assert upstream_version(package) == upstream

    def test_component_label_wins(self) -> None:
        """Each image labels every component's version: the component's own label is used."""
        assert label_version(LABELS, "haproxy") == "2.6.12"
        assert label_version(LABELS, "etcd") == "3.5.16"
        assert label_version({}, "etcd") is None


class TestTemplates:
    TEMPLATE = (
        "listen postgres_replicas\n    option httpchk GET {{env:PG_REPLICA_CHECK}}\n"
        "listen redis_master\n    tcp-check send AUTH\\ {{secret:redis_password}}\\r\\n\n"
    )

    def test_env_resolved_secret_redacted(self) -> None:
        """`{{env:X}}` takes the container's value; `{{secret:X}}` is never read."""
        text = resolve_placeholders(self.TEMPLATE, ["PG_REPLICA_CHECK=/replica", "PATH=/bin"])
        settings = parse_haproxy(text)
        assert settings["listen postgres_replicas.option httpchk"] == "GET /replica"
        assert settings["listen redis_master.tcp-check send"] == "AUTH\\ <redacted>\\r\\n"

    def test_unknown_variable_stays_visible(self) -> None:
        """A variable the container lacks stays as written, so it shows as drift."""
        assert resolve_placeholders("x {{env:NOPE}}", []) == "x {{env:NOPE}}"

    def test_secret_named_variable_is_redacted(self) -> None:
        """An env placeholder whose name is a secret's is redacted too."""
        assert resolve_placeholders("{{env:API_TOKEN}}", ["API_TOKEN=abc"]) == "<redacted>"


class TestEtcdAuth:
    @pytest.mark.parametrize(
        ("answer", "state"),
        [
            ('{"header":{"revision":"1"}, "authRevision":"1"}', "off"),
            ('{"header":{"revision":"9"}, "enabled":true}', "on"),
            ('{"code":3, "message":"etcdserver: user name is empty"}', "on"),
        ],
    )
    def test_auth_state_from_the_status_answer(self, answer: str, state: str) -> None:
        """etcd answers `auth/status` anonymously only while auth is off (false is omitted)."""
        from paws_parity.collect.containers import auth_state

        assert auth_state(answer) == state

    def test_unknown_answer_is_a_collector_error(self) -> None:
        """curl's own error (etcd down) is not guessed as on or off."""
        from paws_parity.collect.containers import auth_state
        from paws_parity.errors import CollectorError

        with pytest.raises(CollectorError, match="cannot tell whether authentication is on"):
            auth_state("curl: (7) Failed to connect to 127.0.0.1 port 2379")


class _Member:
    """A container whose exec_run answers like curl inside an etcd member."""

    def __init__(self, name: str, output: str, exit_code: int = 0) -> None:
        self.name = name
        self._result = type("Exec", (), {"output": output.encode(), "exit_code": exit_code})()

    def exec_run(self, argv: list[str]) -> object:
        return self._result


class TestEtcdAuthOfAny:
    def test_a_busy_member_does_not_decide(self) -> None:
        """Auth is cluster-wide: the next member's answer counts when one gives none."""
        from paws_parity.collect.containers import etcd_auth_of_any

        members = [_Member("etcd-0", "", 28), _Member("etcd-1", '{"header": {}, "enabled": true}')]
        assert etcd_auth_of_any(members) == "on"

    def test_no_member_answers_names_the_last_and_its_exit(self) -> None:
        """Every member silent: one error naming the member, what it said and curl's exit."""
        import pytest

        from paws_parity.collect.containers import etcd_auth_of_any
        from paws_parity.errors import CollectorError

        members = [_Member("etcd-0", "", 28), _Member("etcd-1", "", 7)]
        with pytest.raises(CollectorError, match=r"etcd-1 answered nothing \(curl exit 7\)"):
            etcd_auth_of_any(members)
