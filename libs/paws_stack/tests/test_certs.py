"""TLS mode's certificates: made with the real `cryptography`, checked as clients check them."""

from __future__ import annotations

import datetime as dt
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from paws_stack.certs import (
    CA,
    RENEW_BEFORE,
    CertificateStore,
    Identity,
    identities,
    issue,
    names_of,
    new_ca,
    signed_by,
    still_good,
)
from paws_stack.errors import SecretsError

NOW = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)


def _handshake(store: CertificateStore, member: str, asked_for: str) -> bool:
    """Run a TLS handshake between the member's pair and a client trusting only the CA."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(store.cert(member), store.key(member))
    client_context = ssl.create_default_context(cafile=str(store.ca_file))
    pipes = [ssl.MemoryBIO() for _ in range(4)]  # client in/out, server in/out
    client = client_context.wrap_bio(pipes[0], pipes[1], server_hostname=asked_for)
    server = server_context.wrap_bio(pipes[2], pipes[3], server_side=True)
    done = {"client": False, "server": False}
    for _ in range(10):
        for name, side in (("client", client), ("server", server)):
            if done[name]:
                continue
            try:
                side.do_handshake()
                done[name] = True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLCertVerificationError:
                return False
        if pipes[1].pending:
            pipes[2].write(pipes[1].read())
        if pipes[3].pending:
            pipes[0].write(pipes[3].read())
        if all(done.values()):
            return True
    raise AssertionError("the handshake did not finish")


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


class TestIdentities:
    def test_every_tls_serving_member_of_the_full_profile_gets_one(self) -> None:
        """etcd, Patroni, Redis and Sentinel members: 12 certificates; HAProxy serves none."""
        services = [i.service for i in identities("127.0.0.1")]
        assert len(services) == 12
        assert {"etcd-2", "patroni-0", "redis-1", "sentinel-2"} <= set(services)
        assert "haproxy" not in services

    def test_members_behind_haproxy_carry_its_name_and_loopback(self) -> None:
        """HAProxy passes connections through: apps ask for `haproxy`, the host for loopback."""
        by_name = {i.service: i for i in identities("127.0.0.2")}
        assert {"patroni-1", "haproxy", "localhost"} == set(by_name["patroni-1"].dns)
        assert {"redis-0", "haproxy", "localhost"} == set(by_name["redis-0"].dns)
        assert set(by_name["patroni-1"].ips) == {"127.0.0.1", "127.0.0.2"}
        assert "haproxy" not in by_name["etcd-0"].dns
        assert "haproxy" not in by_name["sentinel-0"].dns

    def test_the_default_bind_address_is_listed_once(self) -> None:
        """127.0.0.1 is both the local check's address and the default bind address."""
        assert identities("127.0.0.1")[0].ips == ("127.0.0.1",)


class TestIssuing:
    def test_a_leaf_is_signed_by_the_ca_and_names_its_identity(self) -> None:
        """The SANs are exactly the identity's; the chain verifies; server and client auth."""
        ca_key, ca_cert = new_ca(NOW)
        identity = Identity("patroni-0", ("patroni-0", "haproxy"), ("127.0.0.1",))
        _, cert = issue(identity, ca_key, ca_cert, NOW)
        assert signed_by(cert, ca_cert)
        assert names_of(cert) == ({"patroni-0", "haproxy"}, {"127.0.0.1"})
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert ExtendedKeyUsageOID.SERVER_AUTH in usage
        assert ExtendedKeyUsageOID.CLIENT_AUTH in usage
        assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca

    def test_the_ca_may_sign_leaves_only(self) -> None:
        """path_length 0: a leaf cannot act as a CA of its own."""
        _, ca_cert = new_ca(NOW)
        constraints = ca_cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        assert constraints.ca and constraints.path_length == 0

    def test_another_cas_leaf_is_not_signed_by_this_one(self) -> None:
        """signed_by checks the signature, not just the issuer's name (both CAs share it)."""
        _, ours = new_ca(NOW)
        other_key, other = new_ca(NOW)
        _, cert = issue(Identity("redis-0", ("redis-0",), ()), other_key, other, NOW)
        assert not signed_by(cert, ours)

    def test_still_good_until_the_renewal_window(self) -> None:
        """A certificate within RENEW_BEFORE of expiry, or naming other hosts, is made again."""
        ca_key, ca_cert = new_ca(NOW)
        identity = Identity("etcd-0", ("etcd-0",), ("127.0.0.1",))
        _, cert = issue(identity, ca_key, ca_cert, NOW)
        assert still_good(cert, ca_cert, identity, NOW)
        late = cert.not_valid_after_utc - RENEW_BEFORE + dt.timedelta(days=1)
        assert not still_good(cert, ca_cert, identity, late)
        moved = Identity("etcd-0", ("etcd-0",), ("127.0.0.1", "127.0.0.2"))
        assert not still_good(cert, ca_cert, moved, NOW)


class TestStore:
    def test_makes_the_ca_and_every_certificate_private(self, tmp_path: Path) -> None:
        """Directory 0700, every file 0600; the CA first in what was made."""
        store = CertificateStore(tmp_path / "tls")
        made = store.ensure(identities("127.0.0.1"), NOW)
        assert made[0] == CA and len(made) == 13
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o700
        files = sorted(store.path.iterdir())
        assert len(files) == 26
        assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)

    def test_a_second_run_keeps_everything(self, tmp_path: Path) -> None:
        """Certificates are made once: the same bytes after another ensure."""
        store = CertificateStore(tmp_path / "tls")
        wanted = identities("127.0.0.1")
        store.ensure(wanted, NOW)
        before = {p.name: p.read_bytes() for p in store.path.iterdir()}
        assert store.ensure(wanted, NOW) == []
        assert {p.name: p.read_bytes() for p in store.path.iterdir()} == before

    def test_a_damaged_or_missing_leaf_is_made_again_under_the_same_ca(
        self, tmp_path: Path
    ) -> None:
        """Only what is wrong is replaced; the CA (which clients may trust already) stays."""
        store = CertificateStore(tmp_path / "tls")
        wanted = identities("127.0.0.1")
        store.ensure(wanted, NOW)
        ca_before = store.ca_file.read_bytes()
        store.cert("redis-1").write_text("not a certificate", encoding="utf-8")
        store.key("sentinel-0").unlink()
        assert sorted(store.ensure(wanted, NOW)) == ["redis-1", "sentinel-0"]
        assert store.ca_file.read_bytes() == ca_before
        assert signed_by(_load(store.cert("redis-1")), _load(store.ca_file))

    def test_a_new_ca_reissues_every_leaf(self, tmp_path: Path) -> None:
        """Leaves of a replaced CA would fail verification: all are made again."""
        store = CertificateStore(tmp_path / "tls")
        wanted = identities("127.0.0.1")
        store.ensure(wanted, NOW)
        store.key(CA).unlink()
        assert len(store.ensure(wanted, NOW)) == 13

    def test_a_changed_bind_address_reissues_the_leaves(self, tmp_path: Path) -> None:
        """The published address is in every leaf; moving it makes them again."""
        store = CertificateStore(tmp_path / "tls")
        store.ensure(identities("127.0.0.1"), NOW)
        assert len(store.ensure(identities("127.0.0.3"), NOW)) == 12

    @pytest.mark.parametrize(
        ("member", "asked_for", "accepted"),
        [
            ("patroni-0", "patroni-0", True),
            ("patroni-0", "haproxy", True),
            ("redis-2", "127.0.0.1", True),
            ("etcd-1", "haproxy", False),
            ("sentinel-0", "sentinel-1", False),
        ],
    )
    def test_a_verifying_client_accepts_exactly_the_names_carried(
        self, tmp_path: Path, member: str, asked_for: str, accepted: bool
    ) -> None:
        """A real TLS handshake (in memory) with host name checking, as libpq verify-full does."""
        store = CertificateStore(tmp_path / "tls")
        store.ensure(identities("127.0.0.1"))
        assert _handshake(store, member, asked_for) is accepted

    def test_require_complete_names_what_is_missing(self, tmp_path: Path) -> None:
        """Starting in TLS mode without the files is refused with the command that makes them."""
        store = CertificateStore(tmp_path / "tls")
        with pytest.raises(SecretsError) as caught:
            store.require_complete(identities("127.0.0.1"))
        assert "ca.crt" in str(caught.value)
        assert "--tls" in caught.value.remediation
