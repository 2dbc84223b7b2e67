# ruff: noqa: S603, S607  (runs our own tools: wrk, phuket, py-spy, pgrep, apt-get)
"""`make bench`: start the service production-style and load it with wrk from a separate process.

PostgreSQL + Redis on 127.0.0.1 when both answer (database `phuket_bench`, recreated), SQLite otherwise;
`phuket serve --workers 2`, rate limits off, bcrypt at its production cost, the bundled catalog seeded.
Every scenario is also expressed as a ratio to a bare endpoint of the same stack (/health/live), since
absolute numbers differ between machines. Writes bench/results/*.json and docs/benchmarks.md.
Load goes to 127.0.0.1 only, each run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua"
RESULTS = ROOT / "bench" / "results"
PHUKET = str(Path(sys.executable).parent / "phuket")
PG_ADMIN = os.environ.get("PHUKET_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("PHUKET_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "Bench-password-42"
sys.path.insert(0, str(ROOT / "bench"))

from report import summarize_profile, write_report  # noqa: E402

from phuket.cli import raise_open_files_limit  # noqa: E402


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing the Debian package")
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=apt_env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, env=apt_env)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is not installed and could not be installed (apt-get install -y wrk)")
    return found


async def _services_up() -> bool:
    try:
        import asyncpg
        from redis.asyncio import Redis

        conn = await asyncpg.connect(PG_ADMIN, timeout=3)
        await conn.execute("DROP DATABASE IF EXISTS phuket_bench WITH (FORCE)")
        await conn.execute("CREATE DATABASE phuket_bench")
        await conn.close()
        client = Redis.from_url(REDIS, socket_connect_timeout=2)
        await client.ping()
        await client.aclose()
        return True
    except Exception as exc:
        log(f"PostgreSQL/Redis not reachable ({type(exc).__name__}): SQLite")
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def worker_pids(parent: int) -> list[int]:
    """The server's children, busiest first (uvicorn's workers; not multiprocessing's idle helpers)."""
    out = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True, check=False).stdout

    def cpu(pid: int) -> int:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            return 0

    return sorted((int(p) for p in out.split()), key=cpu, reverse=True)


class Service:
    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def run(self, *args: str) -> None:
        subprocess.run([PHUKET, *args], env=self.env, check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                [PHUKET, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "2"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        sys.exit(f"the server did not become ready; see {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                self.process.kill()


async def prepare(base: str, workdir: Path, users: int) -> dict[str, Any]:
    """Bench users (real bcrypt) and the ids the scenarios pick from; probes which endpoints exist."""
    data: dict[str, Any] = {"available": {}}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        tokens, emails = [], []
        for i in range(users):
            email = f"bench-{i}-{secrets.token_hex(3)}@example.com"
            r = await client.post(
                "/v1/auth/register", json={"email": email, "password": PASSWORD, "fullName": f"Bench {i}"}
            )
            if r.status_code != 201:
                sys.exit(f"could not register bench users: {r.status_code} {r.text[:200]}")
            tokens.append(r.json()["data"]["accessToken"])
            emails.append(email)
        ids: dict[str, list[str]] = {}
        for kind, path in (
            ("vehicle", "/v1/vehicles"),
            ("property", "/v1/properties"),
            ("tour", "/v1/tours"),
        ):
            r = await client.get(path, params={"per_page": 100})
            ids[kind] = [item["id"] for item in r.json().get("data", [])] if r.status_code == 200 else []
        vehicle = ids["vehicle"][0] if ids["vehicle"] else "00000000-0000-0000-0000-000000000000"
        start = date.today() + timedelta(days=30)
        probes = {
            "catalog_list": ("GET", "/v1/vehicles"),
            "catalog_detail": ("GET", f"/v1/vehicles/{vehicle}"),
            "search": ("GET", "/v1/search?q=beach"),
            "availability": (
                "GET",
                f"/v1/vehicles/{vehicle}/availability?from={start}&to={start + timedelta(days=30)}",
            ),
            "booking_create": ("POST", "/v1/bookings"),
        }
        for name, (method, path) in probes.items():
            headers = {"Authorization": f"Bearer {tokens[0]}"}
            r = await client.request(method, path, headers=headers, json={} if method == "POST" else None)
            # 404/405 from a route that is not there; a detail needs a seeded vehicle to mean anything.
            data["available"][name] = r.status_code not in (404, 405) and (
                name == "search" or bool(ids["vehicle"])
            )
    files = {
        "tokens": tokens,
        "emails": emails,
        "lists": [f"/v1/vehicles?page={p}" for p in (1, 2, 3)]
        + ["/v1/vehicles?type=scooter", "/v1/properties", "/v1/tours", "/v1/vehicles?sort=price"],
        "details": [f"/v1/vehicles/{i}" for i in ids["vehicle"]]
        + [f"/v1/properties/{i}" for i in ids["property"]]
        + [f"/v1/tours/{i}" for i in ids["tour"]],
        "searches": [
            f"/v1/search?q={w}" for w in ("beach", "scooter", "villa", "island", "patong", "boat", "diving")
        ],
        "availability": [
            f"/v1/vehicles/{i}/availability?from={start + timedelta(days=d)}&to={start + timedelta(days=d + 30)}"
            for i in ids["vehicle"]
            for d in (0, 30, 60)
        ],
        "items": [f"vehicle {i}" for i in ids["vehicle"]] + [f"tour {i}" for i in ids["tour"]],
        "vehicles": [f"vehicle {i}" for i in ids["vehicle"]],
        "bare": ["/health/live"],
    }
    for name, lines in files.items():
        (workdir / f"{name}.txt").write_text("\n".join(lines) + "\n")
    data["counts"] = {k: len(v) for k, v in ids.items()}
    return data


def wrk(
    binary: str, base: str, script: str, args: list[str], connections: int, duration: int
) -> dict[str, Any]:
    threads = 2
    command = [
        binary,
        f"-t{threads}",
        f"-c{max(connections, threads)}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        script,
        base,
        "--",
        *args,
    ]
    out = subprocess.run(command, cwd=LUA, capture_output=True, text=True, timeout=duration + 120)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk produced no result: {out.stdout[-500:]} {out.stderr[-500:]}")
    result: dict[str, Any] = json.loads(line[len("BENCH_JSON ") :])
    seconds = result["duration_us"] / 1e6
    result["rps"] = result["requests"] / seconds if seconds else 0.0
    result["connections"] = connections
    result["latency_ms"] = {k: v / 1000 for k, v in result.pop("latency_us").items()}
    result["error_count"] = sum(result["errors"].values())
    return result


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def soak(binary: str, service: Service, args: list[str], seconds: int, connections: int = 1000) -> dict[str, Any]:
    """Issue 9's soak: the mixed journey at 1,000 connections for `seconds`, sampling every worker's
    resident memory every 2 s. Errors are socket errors, timeouts and 5xx answers; 422 is a booking the
    business refused (dates taken), not a failure. Memory is flat when the last quarter of the run holds
    no more than 10% above the second quarter (the first quarter is warm-up: pools, caches)."""
    pids = worker_pids(service.process.pid) if service.process else []
    samples: list[tuple[float, int]] = []
    outcome: dict[str, Any] = {}
    runner = threading.Thread(
        target=lambda: outcome.update(wrk(binary, service.base, "journey.lua", args, connections, seconds))
    )
    started = time.monotonic()
    runner.start()
    while runner.is_alive():
        samples.append((round(time.monotonic() - started, 1), sum(rss_kib(p) for p in pids)))
        runner.join(timeout=2)
    statuses = {int(k): v for k, v in outcome.get("statuses", {}).items()}
    errors = outcome["errors"]
    failed = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    failed += sum(v for k, v in statuses.items() if k >= 500)
    quarter = max(1, len(samples) // 4)
    second = [kib for _, kib in samples[quarter : 2 * quarter]] or [samples[0][1]]
    last = [kib for _, kib in samples[-quarter:]]
    base_mib = sum(second) / len(second) / 1024
    end_mib = sum(last) / len(last) / 1024
    return {
        **outcome,
        "seconds": seconds,
        "workers": len(pids),
        "failed": failed,
        "error_rate": failed / outcome["requests"] if outcome.get("requests") else 1.0,
        "rss_mib": [[t, round(kib / 1024, 1)] for t, kib in samples],
        "rss_second_quarter_mib": round(base_mib, 1),
        "rss_last_quarter_mib": round(end_mib, 1),
        "rss_growth_pct": round((end_mib - base_mib) / base_mib * 100, 1) if base_mib else 0.0,
    }


def wait_idle(base: str, limit: float = 90) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        text = httpx.get(base + "/metrics", timeout=10).text
        line = next(
            (ln for ln in text.splitlines() if ln.startswith("phuket_http_requests_in_flight ")), "x 0"
        )
        if float(line.split()[1]) <= 1:
            return
        time.sleep(1)


def profile(pid: int, seconds: int, out: Path) -> str | None:
    spy = Path(sys.executable).parent / "py-spy"
    if not spy.exists():
        return None
    subprocess.run(
        [
            str(spy),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(seconds),
            "--format",
            "raw",
            "--output",
            str(out),
            "--gil",
        ],
        capture_output=True,
        check=False,
        timeout=seconds + 60,
    )
    return str(out) if out.exists() else None


def machine() -> dict[str, str]:
    model = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(ln.split()[1])
        for ln in Path("/proc/meminfo").read_text().splitlines()
        if ln.startswith("MemTotal")
    )
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split(
        "\n"
    )[0]
    return {
        "nproc": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "cpu": model,
        "python": platform.python_version(),
        "os": platform.platform(),
        "wrk": wrk_version.strip(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=15, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--report", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--sqlite", action="store_true", help="force SQLite even when PostgreSQL is up")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from bench/results/")
    parser.add_argument("--soak", type=int, default=90, help="seconds of the 1,000-connection soak (0: skip)")
    parser.add_argument(
        "--only", default="", help="comma-separated scenarios to run (e.g. 'soak' or 'bare,catalog_list'); all by default"
    )
    args = parser.parse_args()
    if args.report_only:
        summary = json.loads((RESULTS / "summary.json").read_text())
        notes = [str(p) for p in sorted(RESULTS.glob("profile-*.md"))]
        write_report(Path(args.report), summary["meta"], summary["results"], notes)
        return
    binary = ensure_wrk()
    load_before = os.getloadavg()
    raise_open_files_limit()  # wrk, a child of this process, opens a thousand connections
    RESULTS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="phuket-bench-"))
    postgres = not args.sqlite and asyncio.run(_services_up())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PHUKET_", "PROMETHEUS_", "OTEL_"))}
    env.update(
        {
            "PHUKET_ENV": "production",
            "PHUKET_SECRET_KEY": secrets.token_hex(32),
            "PHUKET_RATE_LIMIT_ENABLED": "false",
            "PHUKET_LOG_LEVEL": "INFO",
            "PHUKET_DATA_DIR": str(workdir / "data"),
        }
    )
    if postgres:
        env["PHUKET_DATABASE_URL"] = (
            PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/phuket_bench"
        )
        env["PHUKET_REDIS_URL"] = REDIS
        env["PHUKET_REDIS_PREFIX"] = f"phuket-bench-{secrets.token_hex(3)}:"
    else:
        env["PHUKET_DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    backend = "PostgreSQL + Redis" if postgres else "SQLite, in-process cache"
    service = Service(env, workdir)
    log(f"backend: {backend}; migrating and seeding")
    service.run("db", "upgrade")
    service.run("seed")
    service.start()
    results: dict[str, Any] = {}
    notes: list[str] = []
    try:
        prepared = asyncio.run(prepare(service.base, workdir, users=20))
        avail = prepared["available"]
        f = {
            name: str(workdir / f"{name}.txt")
            for name in (
                "tokens",
                "emails",
                "lists",
                "details",
                "searches",
                "availability",
                "items",
                "vehicles",
                "bare",
            )
        }
        d, c = args.duration, args.connections
        only = {name.strip() for name in args.only.split(",") if name.strip()}

        def wanted(name: str) -> bool:
            return not only or name in only
        plan: list[tuple[str, str, list[str], int, str | None]] = [
            ("bare", "get.lua", [f["bare"]], c, None),
            ("catalog_list", "get.lua", [f["lists"]], c, "catalog_list"),
            ("catalog_detail", "get.lua", [f["details"]], c, "catalog_detail"),
            ("search", "get.lua", [f["searches"]], c, "search"),
            ("availability", "get.lua", [f["availability"]], c, "availability"),
            ("booking_create", "bookings.lua", [f["items"], f["tokens"]], c, "booking_create"),
            ("journey", "journey.lua", [f["vehicles"], f["tokens"]], c, "booking_create"),
        ]
        for name, script, script_args, conns, needs in plan:
            if not wanted(name):
                continue
            if needs and not avail.get(needs):
                results[name] = {"available": False}
                log(f"{name}: not available")
                continue
            log(f"{name}: {conns} connections, {d} s")
            results[name] = wrk(binary, service.base, script, script_args, conns, d)
            time.sleep(1)
        if avail.get("catalog_list") and wanted("catalog_list_1000"):
            log("catalog_list at 1000 open connections")
            results["catalog_list_1000"] = wrk(binary, service.base, "get.lua", [f["lists"]], 1000, d)
            log("login burst (8 connections, bcrypt 12 rounds) beside catalog_list")
            with tempfile.TemporaryDirectory() as tmp:
                burst = subprocess.Popen(
                    [
                        binary,
                        "-t1",
                        "-c8",
                        f"-d{d}s",
                        "--timeout",
                        "10s",
                        "-s",
                        "login.lua",
                        service.base,
                        "--",
                        f["emails"],
                    ],
                    cwd=LUA,
                    stdout=(Path(tmp) / "login.out").open("w"),
                    stderr=subprocess.STDOUT,
                )
                time.sleep(0.5)
                beside = wrk(binary, service.base, "get.lua", [f["lists"]], c, max(d - 1, 1))
                burst.wait(timeout=d + 60)
                text = (Path(tmp) / "login.out").read_text()
            line = next((ln for ln in text.splitlines() if ln.startswith("BENCH_JSON ")), None)
            login = json.loads(line[len("BENCH_JSON ") :]) if line else {}
            if login:
                login["rps"] = login["requests"] / (login["duration_us"] / 1e6)
                login["latency_ms"] = {k: v / 1000 for k, v in login.pop("latency_us").items()}
                login["error_count"] = sum(login["errors"].values())
                login["connections"] = 8
            results["login_burst"] = login
            results["catalog_list_beside_logins"] = beside
        if "catalog_list" in results and "bare" in results and avail.get("catalog_list"):
            list_p95 = results["catalog_list"]["latency_ms"]["p95"]
            if list_p95 >= 50 or results["catalog_list"]["rps"] < 0.5 * results["bare"]["rps"]:
                wait_idle(service.base)  # abandoned logins keep hashing after wrk stops
                pids = worker_pids(service.process.pid) if service.process else []
                if pids:
                    log(f"catalog_list misses a target: profiling worker {pids[0]} with py-spy")
                    holder = subprocess.Popen(
                        [binary, "-t2", f"-c{c}", f"-d{d}s", "-s", "get.lua", service.base, "--", f["lists"]],
                        cwd=LUA,
                        stdout=subprocess.DEVNULL,
                    )
                    raw = profile(pids[0], max(d - 3, 3), workdir / "profile-catalog_list.txt")
                    holder.wait(timeout=d + 60)
                    if raw:  # the raw stacks are large: keep the summary
                        summary_path = RESULTS / "profile-catalog_list.md"
                        summary_path.write_text("\n".join(summarize_profile(raw)) + "\n")
                        notes.append(str(summary_path))
        if args.soak and avail.get("booking_create") and wanted("soak"):
            wait_idle(service.base)
            log(f"soak: mixed journey at 1000 connections for {args.soak} s, sampling worker memory")
            results["soak"] = soak(binary, service, [f["vehicles"], f["tokens"]], args.soak)
    finally:
        service.stop()
    meta = {
        "machine": machine(),
        "backend": backend,
        "workers": 2,
        "duration_s": args.duration,
        "connections": args.connections,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "catalog": prepared.get("counts", {}) if "prepared" in locals() else {},
        "load": f"{load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after (1-minute load average)",
    }
    if args.only:  # a partial run: print its figures, keep the full run's results and report
        for name, result in results.items():
            brief = {k: v for k, v in result.items() if k not in ("rss_mib", "latency_us")}
            log(f"{name}: {json.dumps(brief)}")
        shutil.rmtree(workdir, ignore_errors=True)
        return
    for name, result in results.items():
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "summary.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    write_report(Path(args.report), meta, results, notes)
    shutil.rmtree(workdir, ignore_errors=True)
    log(f"report: {args.report}")


if __name__ == "__main__":
    main()
