"""Load during writes: reads keep working while documents are added and removed.

The real server (`citeqa serve`, with a bearer token) in a subprocess, on a COPY of an
ingested data dir (the user's data is never changed). For `--seconds` seconds, at once:

- `--clients` client threads send `POST /ask` and `POST /search` (in turn) with the paper's
  dev questions (eval/paper_dev.jsonl), one keep-alive connection each;
- a writer thread uploads a small report (`POST /documents`) and deletes it again
  (`DELETE /documents/{id}`), over and over, with the token;
- `citeqa ingest` processes ingest another small file into the same data dir, one after the
  other, the file changed before each run (so each is a real write, `updated`).

All writers take the data dir's cross-process write lock (index/writer.py) and wait for each
other. Prints, per endpoint: requests, errors by kind (a status other than the expected one,
or an exception), p50/p95 latency; the writes done; the server's state at the end. Exit
status 1 when any read request failed (or the server died); write errors are reported but
only fail the run with `--strict-writes`. With `--json`, the last line is one JSON object.

    make load                      # or: python -m scripts.load --data-dir data --seconds 60
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import httpx  # noqa: E402

from index.writer import LOCK_NAME, OWNER_NAME  # noqa: E402
from scripts.bench_service import (  # noqa: E402
    cpu_ticks,
    cpu_use,
    ensure_data,
    free_port,
    pct,
    server_env,
    stop_server,
    tail,
    wait_healthy,
)
from service.evaluation import load_questions  # noqa: E402
from service.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEV_QUESTIONS = ROOT / "eval" / "paper_dev.jsonl"
READS = ("/ask", "/search")

UPLOAD_NAME = "load-test-ferries.md"
UPLOAD_ID = "load-test-ferries"
UPLOAD = """# Harbor City Transit Review 2023

## Ferries

Ferry ridership recovered strongly in 2023, led by the North Line.

**Table 1: Ferry passengers by route (unit: thousand passengers)**

| Route | 2021 | 2022 | 2023 |
|---|---|---|---|
| North Line | 310 | 402 | 455 |
| Island Loop | 120 | 151 | 188 |

Source: Harbor City Port Authority.
"""

CLI_NAME = "load-test-orchards.md"
CLI_REPORT = """# Valley Orchards Bulletin (run {run})

## Harvest

Apple harvests grew in every district between 2021 and 2023.

**Table 1: Apple harvest by district (unit: tonnes)**

| District | 2021 | 2022 | 2023 |
|---|---|---|---|
| North Valley | 1200 | 1310 | {north} |
| River Bend | 860 | 905 | 990 |

Source: Valley Growers Association.
"""


class Tally:
    """Requests, errors by kind and latencies of one endpoint; shared by threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.errors: Counter[str] = Counter()
        self.latencies: list[float] = []

    def record(self, started: float, error: str | None) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.requests += 1
            if error:
                self.errors[error] += 1
            else:
                self.latencies.append(elapsed)

    def figures(self, seconds: float) -> dict:
        ok = self.requests - sum(self.errors.values())
        return {
            "requests": self.requests,
            "ok": ok,
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors.most_common()),
            "rps": round(ok / seconds, 1) if seconds else None,
            "p50_ms": pct(self.latencies, 50),
            "p95_ms": pct(self.latencies, 95),
        }


def call(tally: Tally, send, expected: tuple[int, ...]) -> httpx.Response | None:
    """One request through `send()`; an unexpected status or an exception is an error of its kind."""
    started = time.perf_counter()
    try:
        response = send()
    except httpx.HTTPError as exc:
        tally.record(started, type(exc).__name__)
        return None
    if response.status_code not in expected:
        try:
            code = response.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = "?"
        tally.record(started, f"{response.status_code} {code}")
        return None
    tally.record(started, None)
    return response


def reader(base_url: str, questions: list[str], offset: int, deadline: float, tallies: dict[str, Tally]) -> None:
    with httpx.Client(base_url=base_url, timeout=120) as client:
        for i in itertools.count(offset):
            if time.perf_counter() >= deadline:
                return
            endpoint = READS[i % 2]
            question = questions[(i // 2) % len(questions)]
            key = "question" if endpoint == "/ask" else "query"
            call(tallies[endpoint], partial(client.post, endpoint, json={key: question, "top_k": 5}), (200,))


def writer(base_url: str, token: str, deadline: float, tallies: dict[str, Tally]) -> None:
    """Upload the report, delete it, again, until the deadline (a cycle already begun finishes)."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, timeout=900, headers=headers) as client:
        while time.perf_counter() < deadline:
            files = {"file": (UPLOAD_NAME, UPLOAD.encode(), "text/markdown")}
            # 201 added; 200 when it is still there (a delete that failed), not an error of the upload
            if call(tallies["upload"], partial(client.post, "/documents", files=files), (201, 200)) is None:
                time.sleep(0.5)
            call(tallies["delete"], partial(client.delete, f"/documents/{UPLOAD_ID}"), (200,))


def cli_ingester(data_dir: Path, folder: Path, env: dict, deadline: float, tally: Tally, log: Path) -> None:
    """`citeqa ingest` of a small file, changed before each run, until the deadline."""
    command = [sys.executable, "-m", "service.cli", "ingest", str(folder / CLI_NAME), "--data-dir", str(data_dir)]
    for run in itertools.count(1):
        if time.perf_counter() >= deadline:
            return
        (folder / CLI_NAME).write_text(CLI_REPORT.format(run=run, north=1400 + run))
        started = time.perf_counter()
        with log.open("ab") as out:
            code = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
        tally.record(started, None if code == 0 else f"exit {code}")


def copy_data(source: Path, target: Path) -> None:
    """The ingested data dir without its lock files; the `index` link stays a (relative) link."""
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(LOCK_NAME, OWNER_NAME))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="data", help="ingested data dir to copy (ingests corpus/ when missing)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the reads and writes run")
    parser.add_argument("--clients", type=int, default=16, help="concurrent reading clients")
    parser.add_argument("--strict-writes", action="store_true", help="exit 1 when a write failed too")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args(argv)

    source = Path(args.data_dir).resolve()
    ensure_data(source, Settings(embedding_threads=1))
    questions = [item["question"] for item in load_questions(DEV_QUESTIONS)]

    work = Path(tempfile.mkdtemp(prefix="citeqa-load-"))
    data_dir = work / "data"
    copy_data(source, data_dir)
    folder = work / "cli-files"
    folder.mkdir()
    token = os.urandom(18).hex()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = server_env(data_dir, CITEQA_API_TOKEN=token)
    server_log, cli_log = work / "server.log", work / "ingest.log"
    figures: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_dir": str(source),
        "cpus": os.cpu_count(),
        "clients": args.clients,
        "questions": len(questions),
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    with server_log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    tallies = {name: Tally() for name in (*READS, "upload", "delete", "cli_ingest")}
    try:
        with httpx.Client(base_url=base_url) as client:
            figures["startup_s"] = round(wait_healthy(client, proc, server_log), 2)
            for q in questions[:4]:  # warm-up
                client.post("/ask", json={"question": q}, timeout=60)
                client.post("/search", json={"query": q}, timeout=60)
            before = cpu_ticks(proc.pid)
            started = time.perf_counter()
            deadline = started + args.seconds
            threads = [
                threading.Thread(target=reader, args=(base_url, questions, 2 * k, deadline, tallies), daemon=True)
                for k in range(args.clients)
            ]
            threads.append(threading.Thread(target=writer, args=(base_url, token, deadline, tallies), daemon=True))
            threads.append(
                threading.Thread(
                    target=cli_ingester,
                    args=(data_dir, folder, env, deadline, tallies["cli_ingest"], cli_log),
                    daemon=True,
                )
            )
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
            figures["cpu"] = cpu_use(before, cpu_ticks(proc.pid))
            figures["seconds"] = round(elapsed, 1)
            # the server afterwards: alive, and serving what the writers left
            try:
                health = client.get("/health", timeout=60)
                documents = client.get("/documents", timeout=60).json()["documents"]
                figures["after"] = {
                    "health": health.json().get("status") if health.status_code == 200 else health.status_code,
                    "documents": len(documents),
                    "cli_document": any(d["path"] == CLI_NAME for d in documents),
                    "upload_left": any(d["id"] == UPLOAD_ID for d in documents),
                }
            except httpx.HTTPError as exc:
                figures["after"] = {"health": type(exc).__name__, "documents": None, "cli_document": False}
    finally:
        stop_server(proc)
        server_tail, cli_tail = tail(server_log), tail(cli_log)
        shutil.rmtree(work, ignore_errors=True)

    for name, tally in tallies.items():
        figures[name.strip("/")] = tally.figures(figures["seconds"])
    read_errors = sum(figures[e.strip("/")]["errors"] for e in READS)
    write_errors = sum(figures[w]["errors"] for w in ("upload", "delete", "cli_ingest"))
    figures["read_errors"], figures["write_errors"] = read_errors, write_errors

    print(
        f"load during writes: {args.clients} clients, {figures['seconds']} s (server ready in {figures['startup_s']} s)"
    )
    print(f"{'':17} {'requests':>8} {'ok':>6} {'errors':>6} {'req/s':>6} {'p50 ms':>8} {'p95 ms':>8}  error kinds")
    for name in tallies:
        f = figures[name.strip("/")]
        kinds = ", ".join(f"{k} ×{n}" for k, n in f["error_kinds"].items()) or "-"
        label = {"cli_ingest": "citeqa ingest", "upload": "POST /documents", "delete": "DELETE /documents"}.get(
            name, f"POST {name}"
        )
        print(
            f"{label:<17} {f['requests']:>8} {f['ok']:>6} {f['errors']:>6} {f['rps']:>6} "
            f"{f['p50_ms']!s:>8} {f['p95_ms']!s:>8}  {kinds}"
        )
    writes = figures["upload"]["ok"] + figures["delete"]["ok"] + figures["cli_ingest"]["ok"]
    print(
        f"writes done: {figures['upload']['ok']} uploads, {figures['delete']['ok']} deletes, "
        f"{figures['cli_ingest']['ok']} CLI ingests ({writes} in all)"
    )
    after = figures["after"]
    print(
        f"afterwards: /health {after['health']}, {after['documents']} documents "
        f"(the CLI's file {'in' if after['cli_document'] else 'NOT in'} the list)"
        + (
            "; stale: the CLI wrote after the server last reloaded (it serves its last index; the next write rebuilds)"
            if after["health"] == "stale"
            else ""
        )
    )
    cpu = figures["cpu"]
    print(
        f"CPU: server {cpu['server_cpu_s']} s, this script {cpu['bench_cpu_s']} s, other processes "
        f"{cpu['other_cpu_s']} s (the CLI ingests and anything else on the machine)"
    )
    if read_errors or write_errors:
        print(f"server log (last lines):\n{server_tail}")
        if figures["cli_ingest"]["errors"]:
            print(f"citeqa ingest output (last lines):\n{cli_tail}")
    failed = bool(read_errors) or (args.strict_writes and bool(write_errors))
    print("FAILED: read requests failed during writes" if read_errors else "ok: no read request failed")
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
