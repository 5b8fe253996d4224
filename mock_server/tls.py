"""Certificates for ``serve --tls``: check the user's own pair, or make and keep a local one.

The made certificate is a two-link chain, as local development CAs make them: a one-off CA
(``ca.pem``, the file a client trusts) signs a server certificate for 127.0.0.1, localhost and ::1
(``cert.pem`` with its key ``key.pem``, mode 0600). A bare self-signed leaf is refused by strict
verifiers (Python 3.13's default context, rustls), a CA-signed leaf is accepted by all of them. The
CA's private key is never written down, so trusting ``ca.pem`` trusts nothing but this one server.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import ipaddress
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DNS_NAMES = ("localhost",)
IP_NAMES = ("127.0.0.1", "::1")
VALID_DAYS = 365  # under the 825 days Apple's clients accept for a certificate from a private CA
RENEW_MARGIN = dt.timedelta(days=7)  # a stored certificate closer than this to expiry is made again
MAX_PEM_BYTES = 1 << 20
MAX_EXTRA_NAMES = 20
_HOST_NAME = re.compile(r"^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$")


class TLSError(ValueError):
    """A certificate or key the server cannot use; the message is one line for the user."""


@dataclass(frozen=True)
class CertPair:
    """What Granian needs (``cert``, ``key``) and the file a client should trust (``trust``)."""

    cert: Path
    key: Path
    trust: Path
    made: bool = False  # True when this start wrote a new certificate


def store_dir(db: str) -> Path:
    """``<db>.tls`` next to a store file; a fresh temporary folder for ``:memory:`` (the caller removes it)."""
    if db == ":memory:":
        return Path(tempfile.mkdtemp(prefix="sms-rent-mock-tls-"))
    if db.startswith(("postgresql://", "postgres://")):  # a shared database: the certificate stays on this host
        return Path("sms-rent-mock-postgres.tls").absolute()
    return Path(f"{db}.tls").absolute()


def extra_names(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``--tls-name`` values checked: host names (lower-cased) or IP addresses, for clients whose host is fixed."""
    if len(values) > MAX_EXTRA_NAMES:
        raise TLSError(f"--tls-name given {len(values)} times; at most {MAX_EXTRA_NAMES}")
    checked: list[str] = []
    for value in values:
        try:
            checked.append(str(ipaddress.ip_address(value)))
        except ValueError:
            if not _HOST_NAME.match(value):
                raise TLSError(f"--tls-name {value!r} is neither a host name nor an IP address") from None
            checked.append(value.lower())
    return tuple(dict.fromkeys(checked))


def local_pair(directory: Path, names: tuple[str, ...] = (), *, now: dt.datetime | None = None) -> CertPair:
    """The kept certificate in ``directory`` if it is whole, matching, names every local address and ``names``
    (from :func:`extra_names`), and is valid for a while yet; else a new one.

    A lock file serialises two servers starting on one store, so they never mix halves of two chains.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    dns, ips = _split(names)
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(directory / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            pair = CertPair(directory / "cert.pem", directory / "key.pem", directory / "ca.pem")
            if _reusable(pair, dns, ips, now):
                return pair
            _write_new(pair, dns, ips, now)
            return CertPair(pair.cert, pair.key, pair.trust, made=True)
    except OSError as exc:
        raise TLSError(f"cannot keep the TLS certificate in {directory}: {exc.strerror or exc}") from None


def user_pair(cert: str, key: str) -> CertPair:
    """The user's ``--tls-cert``/``--tls-key``, checked now: a bad pair is one clear line, not a worker's traceback."""
    cert_path, key_path = Path(cert), Path(key)
    chain = _load_chain(_read(cert_path, "--tls-cert"), cert_path)
    private = _load_key(_read(key_path, "--tls-key"), key_path)
    if _public_der(private.public_key()) != _public_der(chain[0].public_key()):
        raise TLSError(f"--tls-key {key_path} is not the key of the certificate in --tls-cert {cert_path}")
    return CertPair(cert_path.absolute(), key_path.absolute(), cert_path.absolute())  # printed for other folders


# -- checking ------------------------------------------------------------------------------------------


def _read(path: Path, option: str) -> bytes:
    try:
        if path.stat().st_size > MAX_PEM_BYTES:
            raise TLSError(f"{option} {path} is larger than {MAX_PEM_BYTES} bytes; expected a PEM file")
        return path.read_bytes()
    except IsADirectoryError:
        raise TLSError(f"{option} {path} is a folder, not a PEM file") from None
    except OSError as exc:
        raise TLSError(f"{option} {path}: {exc.strerror or exc}") from None


def _load_chain(data: bytes, path: Path) -> list[x509.Certificate]:
    try:
        chain = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise TLSError(f"--tls-cert {path} holds no PEM certificate (expected '-----BEGIN CERTIFICATE-----')") from None
    return chain


def _load_key(data: bytes, path: Path) -> PrivateKeyTypes:
    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError:  # what cryptography raises for a key that needs a password
        raise TLSError(f"--tls-key {path} is encrypted; give an unencrypted PEM key") from None
    except UnsupportedAlgorithm:
        raise TLSError(f"--tls-key {path} is a kind of key TLS servers do not use "
                       "(give RSA, ECDSA or Ed25519)") from None
    except ValueError:
        raise TLSError(f"--tls-key {path} holds no PEM private key "
                       "(expected '-----BEGIN ... PRIVATE KEY-----')") from None


def _public_der(public_key: object) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER,  # type: ignore[attr-defined]
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def _split(names: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(host names, IP addresses): the local ones first, then the extra ones."""
    dns, ips = list(DNS_NAMES), [str(ipaddress.ip_address(ip)) for ip in IP_NAMES]
    for name in names:
        try:
            ips.append(str(ipaddress.ip_address(name)))
        except ValueError:
            dns.append(name)
    return tuple(dict.fromkeys(dns)), tuple(dict.fromkeys(ips))


def _reusable(pair: CertPair, dns: tuple[str, ...], ips: tuple[str, ...], now: dt.datetime) -> bool:
    """Whole, matching, signed by the kept CA, naming every local address, and not about to expire."""
    try:
        leaf = x509.load_pem_x509_certificate(pair.cert.read_bytes())
        ca = x509.load_pem_x509_certificate(pair.trust.read_bytes())
        private = serialization.load_pem_private_key(pair.key.read_bytes(), password=None)
        leaf.verify_directly_issued_by(ca)
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm, InvalidSignature, x509.ExtensionNotFound):
        return False
    covered = (set(names.get_values_for_type(x509.DNSName)) >= set(dns)
               and {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} >= set(ips))
    fresh = all(c.not_valid_before_utc <= now and now + RENEW_MARGIN < c.not_valid_after_utc for c in (leaf, ca))
    return covered and fresh and _public_der(private.public_key()) == _public_der(leaf.public_key())


# -- making --------------------------------------------------------------------------------------------


def _write_new(pair: CertPair, dns: tuple[str, ...], ips: tuple[str, ...], now: dt.datetime) -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    start, end = now - dt.timedelta(hours=1), now + dt.timedelta(days=VALID_DAYS)  # an hour of slack for skewed clocks
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sms-rent-mock"),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"sms-rent-mock local CA {now:%Y-%m-%d %H:%M:%S}")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(_key_usage(cert_sign=True), critical=True)
          .add_extension(ca_ski, critical=False)
          .sign(ca_key, hashes.SHA256()))
    names = [x509.DNSName(n) for n in dns] + [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sms-rent-mock"),
                                     x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    key_pem = leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    _replace(pair.key, key_pem, 0o600)  # the key first: a cert.pem never names a key that is not there yet
    _replace(pair.cert, leaf.public_bytes(pem) + ca.public_bytes(pem), 0o644)
    _replace(pair.trust, ca.public_bytes(pem), 0o644)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not cert_sign, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign,
                         encipher_only=False, decipher_only=False)


def _replace(path: Path, data: bytes, mode: int) -> None:
    """Write beside ``path`` with ``mode`` from the first byte, then rename over it: never half a file, never a
    readable moment for the key."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)  # a leftover from a killed start may have been made wider
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as out:
            os.fchmod(out.fileno(), mode)  # the umask may have narrowed the mode; a certificate stays world-readable
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
