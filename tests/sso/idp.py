"""A real OpenID provider for the tests: panva/oidc-provider (tests/oidc/idp.js) on loopback.

`IdpProcess` starts `node tests/oidc/idp.js` on a free port and talks to its test
controls (rotate keys, publish another key set, skew its clock, replace clients and
users). `ProviderBrowser` is a person's browser at the provider: it follows the
authorization request, fills in the provider's own sign-in form (which checks the
password) and returns the redirect back to Lekwijzer, with the provider's cookies kept.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import requests
from joserfc.jwk import RSAKey

from tests.support.services import free_port

OIDC_DIR = Path(__file__).resolve().parent.parent / "oidc"


def ensure_node_modules() -> str:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js is not installed; scripts/test installs what the tests need")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=OIDC_DIR, check=True)
    return node


def new_key(kid: str) -> dict:
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)
    return key.as_dict(private=True)


def public(key: dict) -> dict:
    return {k: v for k, v in key.items() if k in ("kty", "kid", "use", "alg", "n", "e")}


class IdpProcess:
    def __init__(self, name: str, keys: list[dict], *, conform_id_token_claims: bool = True):
        self.name = name
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.keys = keys
        self.conform = conform_id_token_claims
        self.dir = Path(tempfile.mkdtemp(prefix="lw-idp-"))
        self.proc: subprocess.Popen | None = None
        self.log_path = self.dir / "idp.log"

    def start(self, clients: list[dict], users: dict) -> "IdpProcess":
        node = ensure_node_modules()
        config = {"port": self.port, "name": self.name, "keys": {"keys": self.keys}, "clients": clients,
                  "users": users, "cookiePrefix": f"idp{self.port}", "conformIdTokenClaims": self.conform}
        path = self.dir / "config.json"
        path.write_text(json.dumps(config))
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen([node, str(OIDC_DIR / "idp.js"), str(path)], cwd=OIDC_DIR,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the test IdP stopped: {self.log_path.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.issuer}/__test__/ready", timeout=0.5).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"the test IdP did not start: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- test controls ---------------------------------------------------------------
    def control(self, name: str, body: dict) -> None:
        response = requests.post(f"{self.issuer}/__test__/{name}", json=body, timeout=10)
        response.raise_for_status()

    def rotate(self, keys: list[dict]) -> None:
        self.control("rotate", {"keys": {"keys": keys}})

    def publish(self, keys: list[dict] | None) -> None:
        self.control("jwks", {"publish": {"keys": keys} if keys is not None else None})

    def clock(self, offset_seconds: int) -> None:
        self.control("clock", {"offset": offset_seconds})

    def set_clients(self, clients: list[dict]) -> None:
        self.control("clients", {"clients": clients})

    def set_users(self, users: dict) -> None:
        self.control("users", {"users": users})

    def hits(self, path: str) -> int:
        return requests.get(f"{self.issuer}/__test__/hits", timeout=5).json().get(path, 0)


_FORM = re.compile(r'<form[^>]*action="([^"]+)"', re.I)


class ProviderBrowser:
    """A person's browser at the identity provider (cookies kept between calls)."""

    def __init__(self):
        self.http = requests.Session()

    def _follow_inside(self, response, origin: str):
        while response.status_code in (301, 302, 303, 307, 308):
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith(origin):
                return location
            response = self.http.get(location, allow_redirects=False)
        return response

    def authenticate(self, authorize_url: str, login: str, password: str) -> str:
        """Sign in at the provider; returns the URL it sends the browser back to (our callback)."""
        parts = urlsplit(authorize_url)
        origin = f"{parts.scheme}://{parts.netloc}"
        result = self._follow_inside(self.http.get(authorize_url, allow_redirects=False), origin)
        if isinstance(result, str):
            return result  # still signed in at the provider: straight back
        match = _FORM.search(result.text)
        assert match, f"no sign-in form at the provider: {result.status_code} {result.text[:300]}"
        action = urljoin(result.url, unescape(match.group(1)))
        response = self.http.post(action, data={"login": login, "password": password}, allow_redirects=False)
        if response.status_code == 200:
            raise WrongPassword(response.text)
        result = self._follow_inside(response, origin)
        assert isinstance(result, str), f"the provider did not send the browser back: {result.status_code}"
        return result

    def cancel(self, authorize_url: str) -> str:
        """Cancel at the provider's sign-in page; returns where the provider sends the browser."""
        parts = urlsplit(authorize_url)
        origin = f"{parts.scheme}://{parts.netloc}"
        page = self._follow_inside(self.http.get(authorize_url, allow_redirects=False), origin)
        abort = urljoin(page.url, page.url.rstrip("/") + "/abort")
        result = self._follow_inside(self.http.get(abort, allow_redirects=False), origin)
        assert isinstance(result, str), result.status_code
        return result

    def sign_out(self, end_session_url: str) -> str:
        """Confirm the provider's sign-out page; returns where the provider sends the browser."""
        parts = urlsplit(end_session_url)
        origin = f"{parts.scheme}://{parts.netloc}"
        page = self.http.get(end_session_url, allow_redirects=False)
        assert page.status_code == 200, page.status_code
        action = urljoin(page.url, unescape(_FORM.search(page.text).group(1)))
        inputs = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        response = self.http.post(action, data={**inputs, "logout": "yes"}, allow_redirects=False)
        result = self._follow_inside(response, origin)
        assert isinstance(result, str), result.status_code
        return result


class WrongPassword(AssertionError):
    pass


def with_param(url: str, **changes) -> str:
    """The same URL with some query parameters replaced (to tamper with a request)."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def query_of(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
