"""A tiny OpenID provider on loopback for the staff Google sign-in tests: discovery, an
authorize endpoint that answers at once for a chosen account, a token endpoint that returns
an RS256 ID token, and the JWKS. ``forge`` signs with a key the JWKS does not hold."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import crypt, jwt

CLIENT_ID = "sonket-test-client.apps.example"
CLIENT_SECRET = "bi-mat-client"


def _pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class FakeOpenID:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.key.public_key().public_numbers()
        self.jwks = {"keys": [{"kty": "RSA", "n": _b64(numbers.n), "e": _b64(numbers.e), "kid": "k1", "use": "sig", "alg": "RS256"}]}
        self.account = {"email": "canbo@tinhuy.example", "email_verified": True, "name": "Cán Bộ"}
        self.forge = False
        self.codes: dict[str, str] = {}  # code -> nonce
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def metadata_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "sub": "42", "iat": now, "exp": now + 600, "nonce": nonce, **self.account}
        key = self.other_key if self.forge else self.key
        return jwt.encode(crypt.RSASigner.from_string(_pem(key), key_id="k1"), claims).decode()

    def _handler(self):
        op = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, data, status=200):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/.well-known/openid-configuration":
                    return self._json(
                        {
                            "issuer": op.issuer,
                            "authorization_endpoint": op.issuer + "/authorize",
                            "token_endpoint": op.issuer + "/token",
                            "jwks_uri": op.issuer + "/jwks",
                            "id_token_signing_alg_values_supported": ["RS256"],
                        }
                    )
                if url.path == "/jwks":
                    return self._json(op.jwks)
                if url.path == "/authorize":
                    query = dict(urllib.parse.parse_qsl(url.query))
                    code = secrets.token_urlsafe(12)
                    op.codes[code] = query.get("nonce", "")
                    target = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return None
                return self._json({"error": "not_found"}, 404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                nonce = op.codes.pop(form.get("code", ""), None)
                if nonce is None:
                    return self._json({"error": "invalid_grant"}, 400)
                return self._json({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 600, "id_token": op.id_token(nonce)})

            def log_message(self, *args):
                pass

        return Handler
