"""A Google-like token issuer for tests: an RSA key of the test's own, its certificate served
on loopback in Google's v1 certs format ({kid: PEM}), and ID tokens signed with it."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt


class TokenIssuer:
    def __init__(self, kid: str = "test-key-1") -> None:
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sonket test issuer")])
        moment = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(moment - timedelta(days=1))
            .not_valid_after(moment + timedelta(days=1))
            .sign(self.key, hashes.SHA256())
        )
        self.cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        pem = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        self.signer = crypt.RSASigner.from_string(pem, key_id=kid)
        self.requests = 0

    def token(
        self,
        *,
        audience: str,
        email: str,
        verified: bool = True,
        issuer: str = "https://accounts.google.com",
        lifetime: int = 3600,
        issued_ago: int = 0,
        **extra,
    ) -> str:
        issued = int(time.time()) - issued_ago
        payload = {
            "iss": issuer,
            "aud": audience,
            "sub": "1234567890",
            "email": email,
            "email_verified": verified,
            "iat": issued,
            "exp": issued + lifetime,
            **extra,
        }
        return jwt.encode(self.signer, payload, key_id=self.kid).decode()

    def serve(self):
        """Serve {kid: cert} on 127.0.0.1; returns (certs url, stop function)."""
        issuer = self
        body = json.dumps({self.kid: self.cert_pem}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                issuer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()

        def stop():
            server.shutdown()
            server.server_close()

        return f"http://127.0.0.1:{server.server_port}/oauth2/v1/certs", stop
