"""Service benchmark: the real server (`citeqa serve`) in a subprocess, measured over HTTP.

- p50 / p95 latency of `POST /ask` and `POST /search`, sequential, one client;
- right after the `/ask` requests, the bare query-embedding time: the server's embedder,
  loaded here with the server's settings, embeds the same questions one at a time; p50
  `/ask` as a multiple of it is what answering adds on top of embedding the question;
- throughput of `/ask` with 16 concurrent clients for `--duration` seconds (requests, errors);
- the server's memory (VmRSS now, VmHWM peak) from /proc.

Requests go through a thin keep-alive HTTP/1.1 client over a plain socket
(`scripts/thin_http.py`), as a load generator such as wrk does; the `/ask` p50 through httpx
is reported beside it.

Uses an ingested data dir (`--data-dir`, default `data`); ingests corpus/ into it first
when it holds no store or index. Talks to 127.0.0.1 only, stops by itself, and always
stops the server. Prints figures, then one JSON line; records nothing itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import httpx  # noqa: E402
import numpy as np  # noqa: E402

from index.embedder import Embedder  # noqa: E402
from index.folder import IndexMissing, load_index  # noqa: E402
from index.store import DB_NAME
from scripts.thin_http import AsyncConnection, SyncClient, post_bytes  # noqa: E402
from service.ingesting import run_ingest  # noqa: E402
from service.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

# Generic questions of the kinds users ask; deliberately not the evaluation questions.
QUESTIONS = [
    "What was the digital economy's share of GDP in 2020?",
    "How large was the digital economy of Germany in 2021?",
    "How many Internet users were there in 2019?",
    "What was the mobile Internet user count in 2018?",
    "How many fixed broadband subscriptions per 100 people were there in 2016?",
    "Which country ranks higher on e-government development?",
    "What was the E-Participation Index rank in 2018?",
    "How much did online retail sales reach in 2021?",
    "What share of retail sales was made online in 2019?",
    "What was the growth rate of the digital economy in 2021?",
    "What is the ICT industry score in the connectivity index?",
    "What was the cybersecurity index rank in 2018?",
    "How big was the UK digital economy in 2019?",
    "What was manufacturing value added in 2020?",
    "Which source do the broadband figures come from?",
    "What proportion of the population used the Internet in 2018?",
    "What was Brazil's digital economy size in 2020?",
    "Who publishes the digital competitiveness ranking?",
]
# the same kinds in Russian and Chinese: searched in the cross-lingual space (`index.spaces`)
FOREIGN_QUESTIONS = [
    "Каков объём цифровой экономики России?",
    "Сколько пользователей интернета было в России в 2019 году?",
    "Какое место занимал Китай в рейтинге электронного правительства?",
    "Каков объём цифровой экономики Германии в 2021 году?",
    "Какую долю розничных продаж составляли онлайн-продажи в 2019 году?",
    "2021年数字经济占GDP比重是多少？",
    "2019年俄罗斯互联网用户有多少？",
    "2020年制造业增加值是多少？",
    "英国2019年数字经济规模有多大？",
    "2018年电子政务发展指数排名是多少？",
]

TARGETS = {
    "ask_over_embed_p50": 1.5,
    "ask_throughput_rps": 100.0,
    "server_rss_mb": 700.0,
    "foreign_over_english_p50": 2.0,  # a Russian or Chinese question may cost up to twice an English one
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_server(proc: subprocess.Popen) -> None:
    """Stop a server started in its own process group: SIGTERM, then SIGKILL after 15 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment `citeqa serve` runs in for a benchmark: offline, one thread a query."""
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "CITEQA_EMBEDDING_THREADS": "1",
        "CITEQA_DATA_DIR": str(data_dir),
        **extra,
    }


def ensure_data(data_dir: Path, settings: Settings) -> bool:
    """Ingest corpus/ when the data dir has no store or no index; True when it did."""
    try:
        if (data_dir / DB_NAME).exists():
            load_index(data_dir)
            return False
    except IndexMissing:
        pass
    print(f"no ingested data in {data_dir}; ingesting {CORPUS} …", flush=True)
    bulk = settings.embedder(bulk=True)
    report = run_ingest([CORPUS], data_dir, lambda: bulk, settings.model, progress=False, spaces=settings.spaces())
    if report.failed:
        raise SystemExit(f"bench_service: ingest failed: {report.failed}")
    return True


def process_tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return pids


def memory_mb(pid: int) -> dict:
    """VmRSS and VmHWM (peak RSS) of the server and any processes it started, in MB."""
    rss = hwm = 0
    pids = process_tree(pid)
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm += int(line.split()[1])
        except OSError:
            continue
    return {"rss_mb": round(rss / 1024, 1), "hwm_mb": round(hwm / 1024, 1), "processes": len(pids)}


def cpu_ticks(server_pid: int) -> dict:
    """Busy CPU ticks of the whole machine, of the server's processes, and of this process."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
    server = 0
    for p in process_tree(server_pid):
        try:
            stat = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            server += int(stat[11]) + int(stat[12])  # utime, stime
        except (OSError, IndexError):
            continue
    times = os.times()
    own = round((times.user + times.system) * os.sysconf("SC_CLK_TCK"))
    return {"busy": busy, "server": server, "own": own}


def cpu_use(before: dict, after: dict) -> dict:
    """CPU seconds used by the server, by this benchmark, and by anything else on the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    delta = {k: (after[k] - before[k]) / tick for k in before}
    return {
        "server_cpu_s": round(delta["server"], 1),
        "bench_cpu_s": round(delta["own"], 1),
        "other_cpu_s": round(max(0.0, delta["busy"] - delta["server"] - delta["own"]), 1),
    }


def pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if values else None


def wait_healthy(client: httpx.Client, proc: subprocess.Popen, log: Path, timeout: float = 180) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"bench_service: server exited with {proc.returncode}:\n{tail(log)}")
        try:
            if client.get("/health", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"bench_service: no healthy /health after {timeout:.0f} s:\n{tail(log)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def body(endpoint: str, question: str) -> dict:
    key = "question" if endpoint == "/ask" else "query"
    return {key: question, "top_k": 5}


def sequential(client: SyncClient, endpoint: str, n: int, questions: list[str] = QUESTIONS) -> dict:
    latencies, errors, answered = [], 0, 0
    server_ms: dict[str, list[float]] = {}
    for i in range(n):
        question = questions[i % len(questions)]
        started = time.perf_counter()
        try:
            status, content = client.post(endpoint, body(endpoint, question))
        except (OSError, ConnectionError, ValueError):
            errors += 1
            continue
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            errors += 1
            continue
        latencies.append(elapsed)
        if endpoint == "/ask":
            payload = json.loads(content)
            answered += bool(payload.get("answered"))
            for key, ms in (payload.get("timings_ms") or {}).items():
                if isinstance(ms, int | float):
                    server_ms.setdefault(key, []).append(ms)
    out: dict[str, object] = {
        "p50_ms": pct(latencies, 50),
        "p95_ms": pct(latencies, 95),
        "requests": n,
        "errors": errors,
    }
    if endpoint == "/ask":
        out["answered"] = answered  # how many got an answer rather than "the documents do not say"
        out["server_p50_ms"] = {key: pct(values, 50) for key, values in server_ms.items()}  # its timings_ms
    return out


def sequential_httpx(client: httpx.Client, n: int) -> dict:
    """The same `/ask` requests through httpx, for comparison with the thin client."""
    latencies = []
    for i in range(n):
        started = time.perf_counter()
        if client.post("/ask", json=body("/ask", QUESTIONS[i % len(QUESTIONS)]), timeout=60).status_code == 200:
            latencies.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": pct(latencies, 50), "requests": n, "errors": n - len(latencies)}


async def _throughput(port: int, clients: int, duration: float) -> dict:
    done = errors = 0
    latencies: list[float] = []
    host = f"127.0.0.1:{port}"
    requests = [post_bytes("/ask", body("/ask", q), host) for q in QUESTIONS]
    deadline = time.perf_counter() + duration

    async def worker(offset: int) -> None:
        nonlocal done, errors
        connection = await AsyncConnection.open("127.0.0.1", port)
        i = offset
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    status, _ = await connection.send(requests[i % len(requests)])
                except (OSError, ConnectionError, asyncio.IncompleteReadError):
                    errors += 1
                    await connection.close()
                    connection = await AsyncConnection.open("127.0.0.1", port)
                    continue
                if status == 200:
                    done += 1
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    errors += 1
                i += 1
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": done,
        "errors": errors,
        "rps": round(done / elapsed, 1),
        "p50_ms": pct(latencies, 50),
        "p95_ms": pct(latencies, 95),
    }


def bare_embedding(embedder: Embedder, n: int) -> dict:
    for q in QUESTIONS[:5]:
        embedder.embed([q])
    times = []
    for i in range(n):
        started = time.perf_counter()
        embedder.embed([QUESTIONS[i % len(QUESTIONS)]])
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": pct(times, 50), "p95_ms": pct(times, 95)}


def verdict(value: float | None, target: float, *, at_most: bool) -> str:
    if value is None:
        return "n/a"
    met = value <= target if at_most else value >= target
    return f"{'met' if met else 'MISSED'} (target {'≤' if at_most else '≥'} {target:g})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="data", help="ingested data dir (ingests corpus/ when missing)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of the concurrent /ask run")
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per endpoint")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients for the throughput run")
    args = parser.parse_args(argv)

    data_dir = Path(args.data_dir).resolve()
    settings = Settings(embedding_threads=1)  # the server's configuration, below
    ingested = ensure_data(data_dir, settings)
    embedder = settings.embedder()  # as the server embeds one query

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = server_env(data_dir)
    log = Path(tempfile.mkstemp(prefix="citeqa-bench-server-", suffix=".log")[1])
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    figures: dict = {
        "data_dir": str(data_dir),
        "ingested_first": ingested,
        "cpus": os.cpu_count(),
        "embedder": type(embedder).__name__,
    }
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        with httpx.Client(base_url=base_url) as client:
            figures["startup_s"] = round(wait_healthy(client, proc, log), 2)
            figures["rss_after_start"] = memory_mb(proc.pid)
            for i in range(10):  # warm-up
                q = QUESTIONS[i % len(QUESTIONS)]
                client.post("/ask", json=body("/ask", q), timeout=60)
                client.post("/search", json=body("/search", q), timeout=60)
            thin = SyncClient("127.0.0.1", port)
            before = cpu_ticks(proc.pid)
            figures["ask"] = sequential(thin, "/ask", args.requests)
            figures["embed"] = bare_embedding(embedder, args.requests)  # in the same minute
            figures["search"] = sequential(thin, "/search", args.requests)
            for q in FOREIGN_QUESTIONS:  # warm-up: the cross-lingual model loads on first use
                client.post("/ask", json=body("/ask", q), timeout=60)
            figures["ask_foreign"] = sequential(thin, "/ask", args.requests, FOREIGN_QUESTIONS)
            thin.close()
            figures["ask_httpx"] = sequential_httpx(client, min(100, args.requests))
        figures["cpu_sequential"] = cpu_use(before, before := cpu_ticks(proc.pid))
        figures["throughput"] = asyncio.run(_throughput(port, args.clients, args.duration))
        figures["cpu_throughput"] = cpu_use(before, cpu_ticks(proc.pid))
        figures["memory"] = memory_mb(proc.pid)
    finally:
        stop_server(proc)
        server_log = tail(log)
        log.unlink(missing_ok=True)

    ask, search, embed, tp, mem = (figures[k] for k in ("ask", "search", "embed", "throughput", "memory"))
    ratio = round(ask["p50_ms"] / embed["p50_ms"], 2) if ask["p50_ms"] and embed["p50_ms"] else None
    figures["ask_over_embed_p50"] = ratio
    foreign = figures["ask_foreign"]
    foreign_ratio = round(foreign["p50_ms"] / ask["p50_ms"], 2) if foreign["p50_ms"] and ask["p50_ms"] else None
    figures["foreign_over_english_p50"] = foreign_ratio
    figures["targets"] = TARGETS
    figures["met"] = {
        "ask_over_embed_p50": ratio is not None and ratio <= TARGETS["ask_over_embed_p50"],
        "ask_throughput_rps": tp["rps"] >= TARGETS["ask_throughput_rps"],
        "server_rss_mb": mem["hwm_mb"] <= TARGETS["server_rss_mb"],  # judged on the peak
        "foreign_over_english_p50": foreign_ratio is not None and foreign_ratio <= TARGETS["foreign_over_english_p50"],
    }

    print(f"server startup (to healthy)  {figures['startup_s']} s")
    print(
        f"/ask    p50 {ask['p50_ms']} ms · p95 {ask['p95_ms']} ms · {ask['requests']} requests, "
        f"{ask['errors']} errors, {ask['answered']} answered"
    )
    print(
        f"/search p50 {search['p50_ms']} ms · p95 {search['p95_ms']} ms · {search['requests']} requests, "
        f"{search['errors']} errors"
    )
    print(
        f"/ask    p50 {figures['ask_httpx']['p50_ms']} ms through httpx (for comparison; the figures use a thin client)"
    )
    print(
        f"/ask    p50 {foreign['p50_ms']} ms · p95 {foreign['p95_ms']} ms for Russian and Chinese questions "
        f"({foreign['answered']} of {foreign['requests']} answered): {foreign_ratio}× the English p50  "
        f"{verdict(foreign_ratio, TARGETS['foreign_over_english_p50'], at_most=True)}"
    )
    print(f"bare query embedding p50 {embed['p50_ms']} ms · p95 {embed['p95_ms']} ms")
    print(f"/ask p50 ÷ embedding p50  {ratio}×  {verdict(ratio, TARGETS['ask_over_embed_p50'], at_most=True)}")
    print(
        f"throughput /ask ({tp['clients']} clients, {tp['seconds']} s)  {tp['rps']} req/s · {tp['requests']} ok, "
        f"{tp['errors']} errors · p50 {tp['p50_ms']} ms · p95 {tp['p95_ms']} ms  "
        f"{verdict(tp['rps'], TARGETS['ask_throughput_rps'], at_most=False)}"
    )
    print(
        f"server memory  RSS {mem['rss_mb']} MB (after start {figures['rss_after_start']['rss_mb']} MB) · "
        f"peak {mem['hwm_mb']} MB  peak {verdict(mem['hwm_mb'], TARGETS['server_rss_mb'], at_most=True)}"
    )
    print(f"/ask server-side p50 (timings_ms)  {ask.get('server_p50_ms')}")
    for phase in ("cpu_sequential", "cpu_throughput"):
        use = figures[phase]
        print(
            f"CPU during {phase.removeprefix('cpu_')} phase: server {use['server_cpu_s']} s, "
            f"benchmark {use['bench_cpu_s']} s, other processes {use['other_cpu_s']} s"
            + ("  (machine was not idle: figures are pessimistic)" if use["other_cpu_s"] > 1 else "")
        )
    if ask["errors"] or search["errors"] or tp["errors"]:
        print(f"server log (last lines):\n{server_log}")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
