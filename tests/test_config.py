"""Safe defaults for the embedded mode; production refuses to start half-configured."""
from __future__ import annotations

from pathlib import Path

import pytest

from lekwijzer.config import ConfigError, load

GOOD = {
    "LEKWIJZER_MODE": "production",
    "SECRET_KEY": "x" * 40,
    "DATABASE_URL": "postgresql://app@db/lekwijzer",
    "REDIS_URL": "redis://redis:6379/0",
    "LEKWIJZER_ENCRYPTION_KEY": "k" * 44,
}


def test_embedded_defaults_need_no_services(tmp_path: Path):
    cfg = load(tmp_path, env={})
    assert cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert cfg["JOBS_INLINE"] is True and cfg["REDIS_URL"] is None
    assert cfg["MAIL_BACKEND"] == "log"
    # the generated secret is kept, so sessions survive a restart
    assert load(tmp_path, env={})["SECRET_KEY"] == cfg["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("missing, expected", [
    ("SECRET_KEY", "SECRET_KEY"),
    ("DATABASE_URL", "DATABASE_URL"),
    ("REDIS_URL", "REDIS_URL"),
    ("LEKWIJZER_ENCRYPTION_KEY", "LEKWIJZER_ENCRYPTION_KEY"),
])
def test_production_refuses_to_start_without(tmp_path, missing, expected):
    env = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(ConfigError, match=expected):
        load(tmp_path, env=env)


@pytest.mark.parametrize("env_update", [
    {"SECRET_KEY": "dev"},
    {"SECRET_KEY": "short-but-not-weak"},
    {"DATABASE_URL": "sqlite:///prod.db"},
])
def test_production_refuses_weak_or_embedded_settings(tmp_path, env_update):
    with pytest.raises(ConfigError):
        load(tmp_path, env={**GOOD, **env_update})


def test_production_with_everything_set_starts_with_secure_cookies(tmp_path):
    cfg = load(tmp_path, env=GOOD)
    assert cfg["SESSION_COOKIE_SECURE"] is True and cfg["SESSION_COOKIE_HTTPONLY"] is True
    assert cfg["JOBS_INLINE"] is False and cfg["MAIL_BACKEND"] == "smtp"


def test_the_app_factory_refuses_too(tmp_path, monkeypatch):
    from lekwijzer.app import create_app

    monkeypatch.setenv("LEKWIJZER_MODE", "production")
    monkeypatch.setenv("LEKWIJZER_INSTANCE", str(tmp_path))
    for key in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(ConfigError):
        create_app()
