"""The application factory."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from . import config as config_mod
from .extensions import api, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app. `overrides` (tests) are applied on top of the environment's config."""
    instance = Path(os.environ.get("LEKWIJZER_INSTANCE", Path.cwd() / "instance"))
    app = Flask("lekwijzer", root_path=str(ROOT), instance_path=str(instance.resolve()),
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config.update(config_mod.load(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)
    logging.basicConfig(level=os.environ.get("LEKWIJZER_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("weasyprint", "fontTools", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    if app.config["TRUST_PROXY"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    _init_database(app)
    migrate.init_app(app, db, directory=str(ROOT.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)

    from . import i18n, web

    i18n.init_app(app)
    login_manager.init_app(app)
    api.init_app(app, spec_kwargs={"security": [{"bearerAuth": []}]})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer",
                       "description": "An organisation's API token (Beheer → API-tokens)."})
    web.init_app(app)  # security headers, errors, ui shell, auth, org edge, health

    _register_areas(app)

    from . import cli

    cli.init_app(app)
    return app


def _init_database(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    from sqlalchemy import event

    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")  # composite FKs are part of tenant isolation
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _register_areas(app: Flask) -> None:
    # The only place where the platform knows the areas: it registers their blueprints.
    import commissioners
    import regulator
    import tenants

    for area in (tenants, commissioners, regulator):
        area.init_app(app)
