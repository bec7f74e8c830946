"""A wss:// echo server for the Swift and Kotlin certificate-pinning tests, on 127.0.0.1.

It makes a CA and a server certificate for 127.0.0.1 (not signed by anything else), prints
`PORT <n>` once listening, and writes `target/tls-peer/details.json`: the CA as PEM, the pin of the
server certificate's key and the pin of the CA's key (`sha256/` and the base64 SHA-256 of the
SubjectPublicKeyInfo, as OkHttp writes pins). It presents the server certificate alone. Exits when
its stdin closes.
"""

import asyncio
import base64
import datetime
import hashlib
import ipaddress
import json
import pathlib
import ssl
import sys
import tempfile
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from websockets.asyncio.server import serve


def pin(key):
    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "sha256/" + base64.b64encode(hashlib.sha256(spki).digest()).decode()


def certificates():
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "uniws test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return ca, ca_key, certificate, key


async def echo(ws):
    async for message in ws:
        await ws.send(message)


def exit_when_stdin_closes(loop, stop):
    sys.stdin.read()
    loop.call_soon_threadsafe(stop.set_result, None)


async def main():
    ca, ca_key, certificate, key = certificates()
    pem = lambda item: item.public_bytes(serialization.Encoding.PEM).decode()
    scratch = tempfile.mkdtemp()
    chain = pathlib.Path(scratch, "server.pem")
    chain.write_text(
        pem(certificate)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain)
    stop = asyncio.get_running_loop().create_future()
    async with serve(echo, "127.0.0.1", 0, ssl=context) as server:
        details = pathlib.Path(__file__).resolve().parents[2] / "target" / "tls-peer"
        details.mkdir(parents=True, exist_ok=True)
        (details / "details.json").write_text(
            json.dumps(
                {
                    "ca_pem": pem(ca),
                    "pin": pin(key.public_key()),
                    "ca_pin": pin(ca_key.public_key()),
                }
            )
        )
        print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
        threading.Thread(
            target=exit_when_stdin_closes, args=(asyncio.get_running_loop(), stop), daemon=True
        ).start()
        await stop


asyncio.run(main())
