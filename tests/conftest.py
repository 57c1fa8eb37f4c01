"""Fixtures: apps on SQLite and on real PostgreSQL, Redis, SMTP, a small sector, clients."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support import services
from tests.support.web import ApiClient, WebClient
from tests.support.world import PASSWORD, build_world

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
BASE_CONFIG = {
    "LEKWIJZER_MODE": "test",
    "SECRET_KEY": "test-secret-key-that-is-long-enough-000000",
    "JOBS_INLINE": True,
    "MAIL_BACKEND": "log",
    "RATELIMIT_STORAGE_URI": "memory://",
    "SERVER_NAME": None,
}


def _make_app(config: dict):
    from lekwijzer.app import create_app

    services.use_instance_dir()  # one for the whole run, removed at exit
    return create_app({**BASE_CONFIG, **config})


def _upgrade(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


# --- SQLite (fast, the embedded default) ----------------------------------------------

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    app = _make_app(_sqlite_config(path))
    _upgrade(app)
    with app.app_context():
        from lekwijzer.db import db

        db.engine.dispose()
    return path


def _sqlite_config(path: Path) -> dict:
    url = f"sqlite:///{path}"
    return {"SQLALCHEMY_DATABASE_URI": url, "DATABASE_OWNER_URL": url, "SQLALCHEMY_BINDS": {"oversight": url}}


def _close(application) -> None:
    with application.app_context():
        from lekwijzer.db import db

        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def app(sqlite_template, tmp_path):
    """The embedded configuration on a fresh, migrated SQLite file."""
    path = tmp_path / "lekwijzer.db"
    shutil.copy(sqlite_template, path)
    application = _make_app(_sqlite_config(path))
    yield application
    _close(application)


DEMO_PASSWORD = "demo"


@pytest.fixture(scope="session")
def demo_template(sqlite_template, tmp_path_factory) -> Path:
    """The demo sector (`lekwijzer demo seed`, password "demo"), seeded once per run."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copy(sqlite_template, path)
    application = _make_app(_sqlite_config(path))
    with application.app_context():
        from lekwijzer.demo import seed

        seed(DEMO_PASSWORD)
    _close(application)
    return path


@pytest.fixture
def demo(app, demo_template):
    """`app` holding its own copy of the demo sector: a test may change it freely."""
    _close(app)
    shutil.copy(demo_template, app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    return app


# --- PostgreSQL (isolation proven with row-level security) ----------------------------

@pytest.fixture(scope="session")
def pg_admin_url():
    url, stop = services.postgres_admin_url()
    yield url
    if stop:
        stop()


@pytest.fixture(scope="session")
def pg_database(pg_admin_url):
    """A migrated database with its own owner/app/oversight roles, dropped at the end."""
    database = services.PgDatabase(pg_admin_url).create()
    app = _make_app(database.config())
    _upgrade(app)
    with app.app_context():
        from lekwijzer.db import db

        for engine in db.engines.values():
            engine.dispose()
    yield database
    database.drop()


def truncate_all(database) -> None:
    from lekwijzer.db import db

    engine = sa.create_engine(database.owner_url, poolclass=sa.pool.NullPool)
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {names} CASCADE")
    engine.dispose()


@pytest.fixture
def pg_app(pg_database):
    """The app connected as its non-owner role to PostgreSQL with RLS; emptied after use."""
    application = _make_app(pg_database.config())
    yield application
    with application.app_context():
        from lekwijzer.db import db

        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    truncate_all(pg_database)


# --- Redis and SMTP -------------------------------------------------------------------

@pytest.fixture(scope="session")
def redis_url():
    url, stop = services.redis_url()
    yield url
    if stop:
        stop()


@pytest.fixture
def queue_name(redis_url):
    """A unique rq queue on the shared Redis; its keys are removed afterwards."""
    import redis

    name = services.unique("lw_test_queue")
    yield name
    conn = redis.Redis.from_url(redis_url)
    for key in conn.scan_iter(f"*{name}*"):
        conn.delete(key)
    # rq lists every queue it has seen in one shared set: take ours out of it too.
    conn.srem("rq:queues", f"rq:queue:{name}")
    if not conn.scard("rq:queues"):
        conn.delete("rq:queues")


@pytest.fixture
def smtp():
    sink = services.SmtpSink().start()
    yield sink
    sink.stop()


# --- People and clients ---------------------------------------------------------------

def _world(application):
    with application.app_context():
        w = build_world()
        from lekwijzer.db import db

        db.session.commit()
        # Keep plain ids and emails: ORM objects do not outlive the app context.
        for obj in list(w.orgs.values()) + list(w.users.values()):
            db.session.refresh(obj)
            db.session.expunge(obj)
        return w


@pytest.fixture
def world(app):
    return _world(app)


@pytest.fixture
def pg_world(pg_app):
    return _world(pg_app)


@pytest.fixture
def login():
    """login(app, user) -> a WebClient signed in as that user."""
    def sign_in(application, user, password=PASSWORD):
        return WebClient(application).login(user.email, password)
    return sign_in


@pytest.fixture
def api():
    """api(app, world, org_key, role) -> an ApiClient with a fresh token."""
    def make(application, w, org_key, role):
        with application.app_context():
            from lekwijzer.db import db

            token = w.token(org_key, role)
            db.session.commit()
        return ApiClient(application, token)
    return make


@pytest.fixture(scope="session")
def artifacts() -> Path:
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# --- A real browser -------------------------------------------------------------------

CHROMIUM = os.environ.get("LEKWIJZER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium package")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class LiveServer:
    def __init__(self, application):
        import threading

        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, application, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        application.config["BASE_URL"] = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def page(browser, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    pg = context.new_page()
    errors = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.console_errors = errors
    yield pg
    context.close()


def screenshot(pg, name: str) -> Path:
    """Keep a full-page screenshot as a test artefact (test-artifacts/screenshots)."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(path), full_page=True)
    return path
