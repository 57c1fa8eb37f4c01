"""Client secrets encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256).

The key comes from ``LEKWIJZER_ENCRYPTION_KEY`` (app config ``ENCRYPTION_KEY``): one or
more Fernet keys separated by commas. The first encrypts; all of them decrypt, so a key
can be rotated by putting the new key first and running ``lekwijzer sso reencrypt``.
Production refuses to start without it (config.py). In embedded and test mode, when it
is not set, a key is derived from SECRET_KEY (HKDF), which is itself stable per instance.
"""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from ..config import ConfigError


class SecretUnreadable(RuntimeError):
    """The stored secret cannot be decrypted with the configured key(s)."""


def _derive(secret_key: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"lekwijzer", info=b"sso client secrets").derive(
        secret_key.encode())
    return base64.urlsafe_b64encode(raw)


def keys_from_config(config) -> list[bytes]:
    value = (config.get("ENCRYPTION_KEY") or "").strip()
    if not value:
        if config.get("LEKWIJZER_MODE") == "production":
            raise ConfigError("LEKWIJZER_ENCRYPTION_KEY is required in production")
        return [_derive(config["SECRET_KEY"])]
    keys = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            Fernet(part.encode())
        except (ValueError, TypeError):
            raise ConfigError(
                "LEKWIJZER_ENCRYPTION_KEY must be one or more Fernet keys separated by commas "
                "(make one with `lekwijzer sso new-key`)") from None
        keys.append(part.encode())
    return keys


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys_from_config(current_app.config)])


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("the client secret cannot be decrypted with the configured key") from None


def reencrypt(token: str) -> str:
    """Encrypt again with the first (newest) key."""
    return _fernet().rotate(token.encode()).decode()


def new_key() -> str:
    return Fernet.generate_key().decode()
