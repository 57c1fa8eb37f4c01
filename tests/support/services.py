"""Real PostgreSQL, Redis and SMTP for the tests.

The machine's services are used when they answer (PostgreSQL on 127.0.0.1:5432 as
`postgres`, Redis on 127.0.0.1:6379); otherwise throwaway instances are started from the
installed binaries on unusual ports and stopped afterwards. Everything the tests create
(databases, roles, Redis keys) carries a unique name and is removed at the end.
"""
from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from contextlib import closing
from pathlib import Path

import psycopg

PG_ADMIN_URL = os.environ.get("LEKWIJZER_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("LEKWIJZER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with closing(socket.socket()) as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


# --- PostgreSQL ---------------------------------------------------------------------

def _pg_answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def _pg_bin() -> Path:
    for version in ("17", "16", "15", "14"):
        path = Path(f"/usr/lib/postgresql/{version}/bin")
        if (path / "initdb").exists():
            return path
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL is not installed (initdb not found); run scripts/test, which installs it")


class ThrowawayPostgres:
    """A private cluster in a temp dir on an unusual port (runs as `postgres` when root)."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="lw-pg-"))
        self.data = self.dir / "data"
        self.bin = _pg_bin()
        self.as_root = os.geteuid() == 0

    def _run(self, *args):
        cmd = [str(a) for a in args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        os.chmod(self.dir, 0o700)
        self._run(self.bin / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        opts = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.dir / "log", "-w", "-o", opts, "start")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def postgres_admin_url():
    """(admin url, stop function or None)."""
    if _pg_answers(PG_ADMIN_URL):
        return PG_ADMIN_URL, None
    server = ThrowawayPostgres()
    return server.start(), server.stop


class PgDatabase:
    """A database with its own owner, app and oversight roles, all uniquely named."""

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.name = unique("lw_test")
        self.owner = f"{self.name}_owner"
        self.app_role = f"{self.name}_app"
        self.oversight_role = f"{self.name}_ovs"
        self.password = uuid.uuid4().hex
        host = admin_url.split("@", 1)[1].split("/", 1)[0]
        self.host = host

    def url(self, role: str) -> str:
        return f"postgresql://{role}:{self.password}@{self.host}/{self.name}"

    @property
    def owner_url(self):
        return self.url(self.owner)

    @property
    def app_url(self):
        return self.url(self.app_role)

    @property
    def oversight_url(self):
        return self.url(self.oversight_role)

    def create(self) -> "PgDatabase":
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for role in (self.owner, self.app_role, self.oversight_role):
                conn.execute(f'CREATE ROLE "{role}" LOGIN PASSWORD \'{self.password}\' '
                             "NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
            conn.execute(f'CREATE DATABASE "{self.name}" OWNER "{self.owner}"')
        return self

    def drop(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            for role in (self.owner, self.app_role, self.oversight_role):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')

    def config(self) -> dict:
        return {
            "SQLALCHEMY_DATABASE_URI": self.app_url,
            "SQLALCHEMY_BINDS": {"oversight": self.oversight_url},
            "DATABASE_OWNER_URL": self.owner_url,
            "DB_APP_ROLE": self.app_role,
            "DB_OVERSIGHT_ROLE": self.oversight_role,
        }


# --- Folders --------------------------------------------------------------------------

def throwaway_dir(prefix: str) -> Path:
    """A temporary folder that is removed when this process exits."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, True)
    return Path(path)


def use_instance_dir() -> None:
    """Give this process an instance folder (the embedded secret key) unless it has one."""
    if "LEKWIJZER_INSTANCE" not in os.environ:
        os.environ["LEKWIJZER_INSTANCE"] = str(throwaway_dir("lw-instance-"))


# --- Redis --------------------------------------------------------------------------

class ThrowawayRedis:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="lw-redis-"))
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "ThrowawayRedis":
        binary = shutil.which("redis-server")
        if not binary:
            raise RuntimeError("redis-server is not installed; run scripts/test, which installs it")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def redis_url():
    """(url, stop function or None)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return REDIS_URL, None
    except redis.RedisError:
        server = ThrowawayRedis().start()
        return server.url, server.cleanup


# --- SMTP ---------------------------------------------------------------------------

class SmtpSink:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                from email import message_from_bytes, policy

                sink.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages
