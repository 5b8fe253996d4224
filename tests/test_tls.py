"""``sms_rent_mock.mock_server.tls``: the made certificate verifies for every local name, strictly; it is kept, and made again
only when it is unusable; the user's pair is checked with one clear message per fault."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sms_rent_mock.mock_server import tls


def handshake(pair: tls.CertPair, name: str, trust: Path | None, *, strict: bool = True) -> None:
    """A full TLS handshake in memory (no socket): the server presents ``pair``, the client verifies ``name``."""
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(pair.cert, pair.key)
    client_ctx = ssl.create_default_context(cafile=str(trust) if trust else None)
    if trust is None:
        client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # trusts nothing at all
    if strict:
        client_ctx.verify_flags |= ssl.VERIFY_X509_STRICT  # Python 3.13 sets it by default
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname=name)
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(20):
        for side, obj, out, peer_in in (("client", client, c_out, s_in), ("server", server, s_out, c_in)):
            if not done[side]:
                try:
                    obj.do_handshake()
                    done[side] = True
                except ssl.SSLWantReadError:
                    pass
            peer_in.write(out.read())
        if all(done.values()):
            return
    raise AssertionError("handshake did not finish")


@pytest.fixture()
def made(tmp_path: Path) -> tls.CertPair:
    return tls.local_pair(tmp_path / "mock.sqlite3.tls")


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "::1"])
def test_made_certificate_verifies_strictly_for_every_local_name(made: tls.CertPair, name: str) -> None:
    handshake(made, name, made.trust, strict=True)


def test_made_certificate_is_not_trusted_without_the_printed_file(made: tls.CertPair) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(made, "127.0.0.1", None)
    with pytest.raises(ssl.SSLCertVerificationError):  # nor for a name it does not carry
        handshake(made, "example.com", made.trust)


def test_made_files_key_0600_folder_0700_and_ca_key_never_written(tmp_path: Path) -> None:
    old = os.umask(0)  # a permissive umask must not widen the key
    try:
        pair = tls.local_pair(tmp_path / "m.tls")
    finally:
        os.umask(old)
    assert pair.made
    assert stat.S_IMODE(pair.key.stat().st_mode) == 0o600
    assert stat.S_IMODE(pair.key.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in pair.key.parent.iterdir()) == [".lock", "ca.pem", "cert.pem", "key.pem"]
    assert pair.key.read_bytes().count(b"PRIVATE KEY-----") == 2  # exactly one key: the server's
    leaf = x509.load_pem_x509_certificate(pair.cert.read_bytes())
    ca = x509.load_pem_x509_certificate(pair.trust.read_bytes())
    leaf.verify_directly_issued_by(ca)
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1"),
                                                         ipaddress.ip_address("::1")]
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_kept_certificate_is_reused(made: tls.CertPair) -> None:
    before = {p: p.read_bytes() for p in (made.cert, made.key, made.trust)}
    again = tls.local_pair(made.cert.parent)
    assert again == tls.CertPair(made.cert, made.key, made.trust, made=False)
    assert {p: p.read_bytes() for p in (again.cert, again.key, again.trust)} == before


def test_certificate_near_expiry_is_made_again(made: tls.CertPair) -> None:
    old_ca = made.trust.read_bytes()
    now = dt.datetime.now(dt.timezone.utc)
    assert not tls.local_pair(made.cert.parent, now=now + dt.timedelta(days=tls.VALID_DAYS - 30)).made
    later = now + dt.timedelta(days=tls.VALID_DAYS) - tls.RENEW_MARGIN
    renewed = tls.local_pair(made.cert.parent, now=later)
    assert renewed.made and renewed.trust.read_bytes() != old_ca
    leaf = x509.load_pem_x509_certificate(renewed.cert.read_bytes())
    assert leaf.not_valid_after_utc > later + dt.timedelta(days=300)


@pytest.mark.parametrize("damage", ["no key", "garbage cert", "other key", "other ca", "empty ca"])
def test_unusable_kept_certificate_is_made_again(made: tls.CertPair, tmp_path: Path, damage: str) -> None:
    other = tls.local_pair(tmp_path / "other.tls")
    if damage == "no key":
        made.key.unlink()
    elif damage == "garbage cert":
        made.cert.write_bytes(b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
    elif damage == "other key":
        made.key.write_bytes(other.key.read_bytes())
    elif damage == "other ca":
        made.trust.write_bytes(other.trust.read_bytes())
    else:
        made.trust.write_bytes(b"")
    renewed = tls.local_pair(made.cert.parent)
    assert renewed.made
    handshake(renewed, "localhost", renewed.trust)


def test_starts_racing_on_one_store_share_one_certificate(tmp_path: Path) -> None:
    directory = tmp_path / "race.tls"
    with ThreadPoolExecutor(4) as pool:
        pairs = list(pool.map(lambda _: tls.local_pair(directory), range(4)))
    assert sum(p.made for p in pairs) == 1
    handshake(pairs[0], "127.0.0.1", pairs[0].trust)


def test_store_dir_is_beside_the_store_or_temporary_for_memory(tmp_path: Path) -> None:
    assert tls.store_dir(str(tmp_path / "a.sqlite3")) == tmp_path / "a.sqlite3.tls"
    assert tls.store_dir("rel.sqlite3").is_absolute()  # printed for clients started elsewhere
    first, second = tls.store_dir(":memory:"), tls.store_dir(":memory:")
    try:
        assert first.is_dir() and second.is_dir() and first != second
    finally:
        first.rmdir()
        second.rmdir()


def test_unwritable_folder_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(tls.TLSError, match=r"^cannot keep the TLS certificate in .*file/x\.tls: "):
        tls.local_pair(blocker / "x.tls")


def test_user_pair_is_accepted_and_printed_as_its_certificate(made: tls.CertPair,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(made.cert.parent)
    pair = tls.user_pair("cert.pem", "key.pem")  # relative paths come back absolute, as serve prints them
    assert (pair.cert, pair.key, pair.trust, pair.made) == (made.cert, made.key, made.cert, False)


def _encrypted_key(path: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.BestAvailableEncryption(b"secret")))
    return path


@pytest.mark.parametrize("fault, message", [
    ("missing cert", r"^--tls-cert .*nope\.pem: No such file or directory$"),
    ("folder cert", r"^--tls-cert .* is a folder, not a PEM file$"),
    ("key as cert", r"^--tls-cert .*key\.pem holds no PEM certificate"),
    ("missing key", r"^--tls-key .*nope\.pem: No such file or directory$"),
    ("cert as key", r"^--tls-key .*cert\.pem holds no PEM private key"),
    ("encrypted key", r"^--tls-key .*enc\.pem is encrypted; give an unencrypted PEM key$"),
    ("other key", r"^--tls-key .*other\.tls/key\.pem is not the key of the certificate in --tls-cert "),
])
def test_bad_user_pair_is_one_line_naming_option_and_file(made: tls.CertPair, tmp_path: Path, fault: str,
                                                           message: str) -> None:
    cert, key = str(made.cert), str(made.key)
    if fault == "missing cert":
        cert = str(tmp_path / "nope.pem")
    elif fault == "folder cert":
        cert = str(tmp_path)
    elif fault == "key as cert":
        cert = key
    elif fault == "missing key":
        key = str(tmp_path / "nope.pem")
    elif fault == "cert as key":
        key = cert
    elif fault == "encrypted key":
        key = str(_encrypted_key(tmp_path / "enc.pem"))
    else:
        key = str(tls.local_pair(tmp_path / "other.tls").key)
    with pytest.raises(tls.TLSError, match=message) as caught:
        tls.user_pair(cert, key)
    assert "\n" not in str(caught.value)


def test_oversized_user_file_is_refused_before_reading(tmp_path: Path, made: tls.CertPair) -> None:
    big = tmp_path / "big.pem"
    with open(big, "wb") as out:
        out.truncate(tls.MAX_PEM_BYTES + 1)
    with pytest.raises(tls.TLSError, match=r"^--tls-cert .*big\.pem is larger than"):
        tls.user_pair(str(big), str(made.key))


def test_extra_names_are_carried_and_a_new_one_makes_the_certificate_again(tmp_path: Path) -> None:
    directory = tmp_path / "named.tls"
    first = tls.local_pair(directory, tls.extra_names(["OnlineSim.host", "10.1.2.3"]))
    handshake(first, "onlinesim.host", first.trust)
    handshake(first, "10.1.2.3", first.trust)
    handshake(first, "127.0.0.1", first.trust)
    assert not tls.local_pair(directory).made  # fewer names: the kept one still covers them
    assert not tls.local_pair(directory, ("onlinesim.host",)).made
    again = tls.local_pair(directory, ("smspva.com",))
    assert again.made
    handshake(again, "smspva.com", again.trust)
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(again, "onlinesim.host", again.trust)  # names come from this start's options only


@pytest.mark.parametrize("value", ["bad name", "-lead.example", "a..b", "x" * 64 + ".com", "under_score.io", ""])
def test_extra_name_that_is_no_host_or_ip_is_refused(value: str) -> None:
    with pytest.raises(tls.TLSError, match=r"^--tls-name .* is neither a host name nor an IP address$"):
        tls.extra_names([value])


def test_extra_names_are_bounded_and_deduplicated() -> None:
    assert tls.extra_names(["A.example", "a.example", "::0:1"]) == ("a.example", "::1")
    with pytest.raises(tls.TLSError, match="at most 20"):
        tls.extra_names([f"h{i}.example" for i in range(21)])
