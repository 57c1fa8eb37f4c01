"""Configuration from environment variables.

Embedded mode (the default) runs with no services at all: a SQLite file, jobs run inline,
mail written to the log as subject + link only. Production mode refuses to start unless a
real secret, PostgreSQL and Redis are configured.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

MODES = ("embedded", "production", "test")
WEAK_SECRETS = {"", "dev", "change-me", "secret", "changeme"}


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the message says what to set."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _embedded_secret(instance_path: Path) -> str:
    # A stable random key per checkout so demo sessions survive a restart.
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load(instance_path: Path, env: dict[str, str] | None = None) -> dict:
    """Build the Flask config mapping from the environment."""
    env = dict(os.environ if env is None else env)
    mode = env.get("LEKWIJZER_MODE", "embedded")
    if mode not in MODES:
        raise ConfigError(f"LEKWIJZER_MODE must be one of {', '.join(MODES)}, not {mode!r}")

    db_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'lekwijzer.db'}"
    redis_url = env.get("REDIS_URL") or None
    secret = env.get("SECRET_KEY")
    if mode == "production":
        problems = []
        if not secret or secret in WEAK_SECRETS or len(secret) < 32:
            problems.append("SECRET_KEY (at least 32 random characters)")
        if not db_url.startswith(("postgresql://", "postgresql+psycopg://")):
            problems.append("DATABASE_URL (a postgresql:// URL)")
        if not redis_url:
            problems.append("REDIS_URL (redis://…)")
        if not env.get("LEKWIJZER_ENCRYPTION_KEY"):
            problems.append("LEKWIJZER_ENCRYPTION_KEY (see README: Configuration)")
        if problems:
            raise ConfigError("Production mode refuses to start without: " + "; ".join(problems))
    if not secret:
        secret = _embedded_secret(instance_path) if mode == "embedded" else secrets.token_hex(32)

    production = mode == "production"
    return {
        "LEKWIJZER_MODE": mode,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": db_url,
        # Cross-tenant readers (regulator, commissioners, statistics) connect as their own
        # role that may only see metadata columns; on SQLite it is the same file.
        "SQLALCHEMY_BINDS": {"oversight": env.get("OVERSIGHT_DATABASE_URL") or db_url},
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DATABASE_OWNER_URL": env.get("DATABASE_OWNER_URL") or db_url,
        "DB_APP_ROLE": env.get("LEKWIJZER_DB_APP_ROLE", "lekwijzer_app"),
        "DB_OVERSIGHT_ROLE": env.get("LEKWIJZER_DB_OVERSIGHT_ROLE", "lekwijzer_oversight"),
        "REDIS_URL": redis_url,
        "JOBS_INLINE": _bool(env.get("LEKWIJZER_JOBS_INLINE"), default=redis_url is None),
        "JOBS_QUEUE": env.get("LEKWIJZER_JOBS_QUEUE", "lekwijzer"),
        "BASE_URL": env.get("LEKWIJZER_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "MAIL_BACKEND": env.get("MAIL_BACKEND", "smtp" if production else "log"),
        "MAIL_FROM": env.get("MAIL_FROM", "Lekwijzer <no-reply@lekwijzer.invalid>"),
        "SMTP_HOST": env.get("SMTP_HOST", "127.0.0.1"),
        "SMTP_PORT": int(env.get("SMTP_PORT", "25")),
        "SMTP_USER": env.get("SMTP_USER") or None,
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _bool(env.get("SMTP_STARTTLS"), default=False),
        "SMTP_TIMEOUT": float(env.get("SMTP_TIMEOUT", "10")),
        "ENCRYPTION_KEY": env.get("LEKWIJZER_ENCRYPTION_KEY") or None,
        "MAX_CONTENT_LENGTH": int(env.get("LEKWIJZER_MAX_BODY", str(32 * 1024 * 1024))),
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        "SESSION_COOKIE_NAME": "lekwijzer_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), default=production),
        "PERMANENT_SESSION_LIFETIME": int(env.get("LEKWIJZER_SESSION_SECONDS", str(8 * 3600))),
        "REMEMBER_COOKIE_DURATION": 0,
        "WTF_CSRF_TIME_LIMIT": None,  # bound to the session instead; forms left open stay valid
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_LIMIT": env.get("LEKWIJZER_LOGIN_LIMIT", "5 per 15 minutes"),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "TRUST_PROXY": _bool(env.get("LEKWIJZER_TRUST_PROXY"), default=False),
        # flask-smorest
        "API_TITLE": "Lekwijzer API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
