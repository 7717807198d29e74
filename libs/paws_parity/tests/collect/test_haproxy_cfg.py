"""HAProxy configuration parsing: sections, directives, servers, secrets."""

from __future__ import annotations

from paws_parity.collect.haproxy_cfg import parse_haproxy

CONFIG = """
global
    maxconn 1000
defaults
    mode tcp
    timeout connect 2s   # inline comment
# a comment
listen redis_master
    bind :6379
    option tcp-check
    tcp-check send AUTH\\ hunter2\\r\\n
    tcp-check expect string +OK
    server redis-0 redis-0:6379 check
    server redis-1 redis-1:6379 check
userlist admins
    user admin password $6$abc
"""


class TestParse:
    def test_directives_by_section(self) -> None:
        """Each directive is keyed by its section; multi-word directives keep their words."""
        settings = parse_haproxy(CONFIG)
        assert settings["global.maxconn"] == "1000"
        assert settings["defaults.timeout connect"] == "2s"
        assert settings["listen redis_master.option tcp-check"] == "on"

    def test_servers_counted_not_named(self) -> None:
        """Servers become a count and their options, so names and addresses are not drift."""
        settings = parse_haproxy(CONFIG)
        assert settings["listen redis_master.servers"] == "2"
        assert settings["listen redis_master.server-options"] == [":6379 check"]

    def test_secrets_redacted(self) -> None:
        """AUTH lines in tcp-check and userlist passwords never leave the parser."""
        text = repr(parse_haproxy(CONFIG))
        assert "hunter2" not in text and "$6$abc" not in text
