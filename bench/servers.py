"""Start and stop real `ptsp run` processes for the benchmark and the scale-out tests.

A `Deployment` is one database (a SQLite file, or a fresh PostgreSQL schema), optionally one
Redis channel, a bench office loaded with `ptsp setup load`, device tokens made with
`ptsp device add`, and any number of server processes on free ports.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ALL_DAY = {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CLERK_PASSWORD = "bench-password"
PG_BASE = os.environ.get("PTSP_BENCH_PG", os.environ.get("PTSP_TEST_PG", "postgresql://127.0.0.1:5432/test"))
REDIS_URL = os.environ.get("PTSP_BENCH_REDIS", os.environ.get("PTSP_TEST_REDIS", "redis://127.0.0.1:6379/0"))
PTSP = [sys.executable, "-c", "import sys; sys.argv[0] = 'ptsp'; from ptsp.cli import main; main()"]


def bench_office(counters: int = 10, slug: str = "bench", others: int = 0) -> dict[str, Any]:
    """An office open all day with three services, `counters` counters and one clerk per counter.

    `others` more offices (`bench-2`, …) with the same services and two counters, no staff: a city's
    load is spread over many offices, and the throughput phase issues tickets in all of them.
    """
    def office(slug: str, name: str, counters: int, staff: bool) -> dict[str, Any]:
        return {
            "slug": slug, "name": name, "kind": "kelurahan", "hours": ALL_DAY, "last_ticket_minutes": 0,
            "services": [{"prefix": p, "name_id": p, "name_en": p, "standard_minutes": 5} for p in "ABC"],
            "counters": [{"number": n, "services": ["A", "B", "C"]} for n in range(1, counters + 1)],
            "staff": [{"username": f"clerk{n}", "name": f"Petugas {n}", "role": "clerk",
                       "password": CLERK_PASSWORD} for n in range(1, counters + 1)] if staff else [],
        }

    return {"offices": [office(slug, "Kelurahan Bench", counters, True)]
            + [office(f"{slug}-{i}", f"Kelurahan Bench {i}", 2, False) for i in range(2, others + 2)]}


_KIOSKS_FOR_OTHER_OFFICES = """
import json
from datetime import UTC, datetime
from sqlalchemy import select
from ptsp.app import create_app
from ptsp.models import Office
from ptsp.services.accounts import make_device_token
app = create_app()
with app.extensions["ptsp.sessions"]() as session:
    tokens = {o.slug: make_device_token(session, office=o, kind="kiosk", name="kiosk", now=datetime.now(UTC))[1]
              for o in session.scalars(select(Office).where(Office.slug.like("bench-%")).order_by(Office.id))}
    session.commit()
print(json.dumps(tokens))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_up(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def new_pg_schema(base: str = PG_BASE) -> tuple[str, str]:
    """Create an empty schema; return its name and a database URL whose search_path is that schema."""
    from sqlalchemy import text

    from ptsp.db import make_engine

    schema = f"ptsp_scale_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return schema, f"{base}?options=-csearch_path%3D{schema}"


def drop_pg_schema(schema: str, base: str = PG_BASE) -> None:
    from sqlalchemy import text

    from ptsp.db import make_engine

    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


@dataclass
class Server:
    """One `ptsp run` process."""

    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen([*PTSP, "run", "--port", str(self.port)], env=self.env,
                                         stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log()[-2000:]}")
            try:
                requests.get(f"{self.base}/api/v1/openapi.json", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start in {timeout:.0f} s: {self.log()[-2000:]}")

    def kill(self) -> None:
        """`kill -9`: no cleanup, no flush, the way a crash or the OOM killer ends a process."""
        if self.proc is not None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self.proc = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def rss_kb(self) -> int:
        """Resident memory of the server process, from /proc (kB)."""
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def open_fds(self) -> int:
        assert self.proc is not None
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def cpu_seconds(self) -> float:
        """User + system CPU time the server has used so far."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Deployment:
    """A database, an optional Redis channel, the bench office, and the servers in front of them."""

    workdir: Path
    database_url: str
    redis_url: str | None = None
    counters: int = 10
    other_offices: int = 0
    other_kiosks: list[str] = field(default_factory=list)
    schema: str | None = None
    servers: list[Server] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    channel: str = field(default_factory=lambda: f"ptsp-bench-{uuid.uuid4().hex[:10]}")

    @classmethod
    def sqlite(cls, workdir: Path, **kwargs: Any) -> Deployment:
        return cls(workdir, f"sqlite:///{workdir / 'ptsp.db'}", **kwargs)

    @classmethod
    def postgresql(cls, workdir: Path, redis: bool = True, **kwargs: Any) -> Deployment:
        schema, url = new_pg_schema()
        return cls(workdir, url, REDIS_URL if redis else None, schema=schema, **kwargs)

    @property
    def mode(self) -> str:
        db = "SQLite" if self.database_url.startswith("sqlite") else "PostgreSQL"
        return f"{db}{' + Redis' if self.redis_url else ''}, {len(self.servers)} process(es)"

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "PTSP_DATABASE_URL": self.database_url, "PTSP_ENV": "development",
               "PTSP_SECRET_KEY": "bench-secret", "PTSP_RATELIMIT_ISSUE": "1000000 per minute",
               "PTSP_RATELIMIT_LOGIN": "100000 per minute", "PTSP_REDIS_CHANNEL": self.channel}
        env.pop("PTSP_REDIS_URL", None)
        if self.redis_url:
            env["PTSP_REDIS_URL"] = self.redis_url
        return env

    def cli(self, *args: str) -> str:
        done = subprocess.run([*PTSP, *args], env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"ptsp {' '.join(args)} failed: {done.stderr[-2000:]}")
        return done.stdout.strip()

    def prepare(self) -> None:
        """Load the bench office and make a kiosk and a display token."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        setup = self.workdir / "office.json"
        setup.write_text(json.dumps(bench_office(self.counters, others=self.other_offices)))
        self.cli("setup", "load", str(setup))
        for kind in ("kiosk", "display"):
            self.tokens[kind] = self.cli("device", "add", "--office", "bench", "--kind", kind, "--name", kind)
        if self.other_offices:
            done = subprocess.run([sys.executable, "-c", _KIOSKS_FOR_OTHER_OFFICES], env=self.env,
                                  capture_output=True, text=True, check=True)
            self.other_kiosks = list(json.loads(done.stdout.strip().splitlines()[-1]).values())

    def start(self, processes: int = 1) -> list[Server]:
        for _ in range(processes):
            server = Server(self.env, self.workdir / f"server{len(self.servers)}.log")
            server.start()
            self.servers.append(server)
        return self.servers

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers.clear()
        if self.schema:
            drop_pg_schema(self.schema)
            self.schema = None
        if self.redis_url:
            _forget_limits(self.redis_url, self.channel)

    def engine(self):
        """A SQLAlchemy engine on the deployment's database, for checking invariants."""
        from ptsp.db import make_engine

        return make_engine(self.database_url)

    def __enter__(self) -> Deployment:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _forget_limits(redis_url: str, prefix: str) -> None:
    """Drop the rate-limit counters this deployment left in Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def cpu_seconds_of(names: tuple[str, ...]) -> float:
    """User + system CPU used so far by every process on this machine whose name is in `names` (e.g. the
    PostgreSQL backends and Redis, which share the cores with the servers when they run locally).

    A PostgreSQL backend lives only as long as its connection: when it exits, the postmaster reaps it
    and its CPU moves to the postmaster's children's times, which are counted too, so a difference of
    two readings keeps the work of backends that ended in between."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, rest = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:  # the process ended meanwhile
            continue
        if head.split("(", 1)[1] in names:
            fields = rest.split()  # utime, stime, then the reaped children's cutime, cstime
            total += sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick
    return total

