"""TLS mode's certificates: a local CA and one certificate per service, made with `cryptography`.

They live in `<secrets>/tls/` (directory 0700, files 0600) beside the passwords and reach the
containers as files, like them. The CA's key never leaves the host. Certificates are made once
and kept; a certificate is made again only when it is missing, unreadable, not signed by the CA,
names other hosts than it must, or expires within RENEW_BEFORE. EC P-256 keys: every client of
the stack accepts them, and making thirteen costs milliseconds where RSA costs seconds.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .errors import SecretsError
from .topology import Kind, Topology

CA = "ca"
CA_DAYS = 3650
LEAF_DAYS = 825  # the longest validity browsers and most TLS stacks still accept
RENEW_BEFORE = dt.timedelta(days=30)
# Members that serve TLS, and the names clients use for them besides their own service name:
# HAProxy passes PostgreSQL and Redis connections through unopened, so a client that asked for
# `haproxy` (the apps) or for the published loopback port (the host) meets the member's own
# certificate. HAProxy itself serves no TLS; it and the apps receive only the CA.
SERVED_BY: dict[Kind, tuple[str, ...]] = {
    "etcd": (),
    "patroni": ("haproxy",),
    "redis": ("haproxy",),
    "sentinel": (),
}
# Every member is also checked from inside its own container (its healthcheck).
LOCAL_NAMES = ("localhost",)
LOCAL_IPS = ("127.0.0.1",)


@dataclass(frozen=True)
class Identity:
    """The names one certificate must carry."""

    service: str
    dns: tuple[str, ...]
    ips: tuple[str, ...]


def identities(bind_address: str) -> list[Identity]:
    """One identity per TLS-serving member of the full profile (lite's are a subset)."""
    ips = tuple(dict.fromkeys((*LOCAL_IPS, bind_address)))
    topology = Topology("full")
    return [
        Identity(service, (service, *extra, *LOCAL_NAMES), ips)
        for kind, extra in SERVED_BY.items()
        for service in topology.services(kind)
    ]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "paws local stack"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def new_ca(now: dt.datetime | None = None) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A self-signed CA that may sign server certificates and nothing below them."""
    now = now or _now()
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("paws local CA")
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def issue(
    identity: Identity,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    now: dt.datetime | None = None,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A certificate for one member, for serving and for dialling its peers (etcd, replicas)."""
    now = now or _now()
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in identity.dns]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in identity.ips]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(identity.service))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=LEAF_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, certificate


def names_of(certificate: x509.Certificate) -> tuple[set[str], set[str]]:
    """The DNS names and IP addresses a certificate carries."""
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set(), set()
    return set(san.get_values_for_type(x509.DNSName)), {
        str(ip) for ip in san.get_values_for_type(x509.IPAddress)
    }


def signed_by(certificate: x509.Certificate, ca_cert: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def still_good(
    certificate: x509.Certificate,
    ca_cert: x509.Certificate,
    identity: Identity,
    now: dt.datetime | None = None,
) -> bool:
    """Signed by this CA, naming exactly this identity, and valid beyond RENEW_BEFORE."""
    now = now or _now()
    dns, ips = names_of(certificate)
    return (
        signed_by(certificate, ca_cert)
        and dns == set(identity.dns)
        and ips == set(identity.ips)
        and certificate.not_valid_after_utc - now > RENEW_BEFORE
    )


@dataclass(frozen=True)
class CertificateStore:
    """`<secrets>/tls/`: ca.crt, ca.key and <service>.crt / <service>.key per member."""

    path: Path

    def cert(self, name: str) -> Path:
        return self.path / f"{name}.crt"

    def key(self, name: str) -> Path:
        return self.path / f"{name}.key"

    @property
    def ca_file(self) -> Path:
        return self.cert(CA)

    def ensure(self, wanted: Iterable[Identity], now: dt.datetime | None = None) -> list[str]:
        """Make what is missing or stale; return the names made ('ca' first if it was)."""
        now = now or _now()
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path.chmod(0o700)
        made = []
        loaded = self._load(CA)
        if loaded is None or loaded[1].not_valid_after_utc - now <= RENEW_BEFORE:
            loaded = new_ca(now)
            self._write(CA, *loaded)
            made.append(CA)
        ca_key, ca_cert = loaded
        for identity in wanted:
            current = self._load(identity.service)
            if current is None or not still_good(current[1], ca_cert, identity, now):
                self._write(identity.service, *issue(identity, ca_key, ca_cert, now))
                made.append(identity.service)
        return made

    def _load(self, name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate] | None:
        """A key and its certificate, or None when either is missing, unreadable or unmatched."""
        try:
            key = serialization.load_pem_private_key(self.key(name).read_bytes(), password=None)
            certificate = x509.load_pem_x509_certificate(self.cert(name).read_bytes())
        except (OSError, ValueError, TypeError):
            return None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            return None
        if certificate.public_key() != key.public_key():
            return None
        return key, certificate

    def _write(
        self, name: str, key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate
    ) -> None:
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(self.key(name), key_pem)
        _write_private(self.cert(name), certificate.public_bytes(serialization.Encoding.PEM))

    def require_complete(self, wanted: Iterable[Identity]) -> None:
        """Refuse to start in TLS mode without every file the containers mount."""
        missing = [
            path.name
            for path in (
                self.ca_file,
                *(f(i.service) for i in wanted for f in (self.cert, self.key)),
            )
            if not path.is_file()
        ]
        if missing:
            raise SecretsError(
                f"TLS mode needs certificates that {self.path} lacks ({', '.join(missing[:3])}"
                + (", ..." if len(missing) > 3 else "")
                + ")",
                "run `paws-stack setup --tls` (or `up --tls`), which makes them",
            )


def _write_private(path: Path, data: bytes) -> None:
    """Write a file that only its owner may read, replacing it atomically."""
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    temporary.chmod(0o600)
    temporary.replace(path)
