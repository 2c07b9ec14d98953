"""Scale benchmark (issue 15): a dataset of a million rows, shaped like the World Bank's WDI
(`source_id, source_title, indicator_code, indicator_name, country, year, value, unit`: 80
indicators × 249 countries × 63 years, cut at `--rows`), ingested beside the default corpus.

Prints, for the default corpus and then with the dataset added: the dataset's ingest (seconds,
rows a second, the ingest process's peak RSS), and, in a fresh serving process each time, the
engine's load time and RSS and `/ask`'s p50 in process (`Engine.ask`, the server's own path)
over fact lookups — questions about the corpus's own datasets and about the generated one.
Then a library of reports (`--report-copies`, default 13: ~50,000 chunks): the TAT-QA kit's
277 real annual-report excerpts copied under other file names (each copy a document of its
own; the same texts, so they are embedded once) beside the default corpus; the serving
process's load time, RSS and `/ask` p50 over the paper's dev questions against the default
corpus alone (the targets: p50 ≤ 1.2×, RSS ≤ 700 MB). Records nothing itself
(docs/benchmarks.md). `make bench-scale`.

The default corpus is copied from `--data-dir` when it holds one (else ingested first).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
TOPICS = [
    "Access to electricity", "Mobile cellular subscriptions", "Fixed broadband subscriptions",
    "Individuals using the Internet", "Manufacturing, value added", "High-technology exports",
    "Research and development expenditure", "Secure Internet servers", "Fixed telephone subscriptions",
    "ICT goods exports", "ICT service exports", "Medium and high-tech manufacturing value added",
    "Scientific and technical journal articles", "Patent applications, residents",
    "Trademark applications, total", "Charges for the use of intellectual property",
    "Computer, communications and other services", "Foreign direct investment, net inflows",
    "GDP per capita", "Exports of goods and services",
]  # fmt: skip
UNITS = ["% of GDP", "current US$", "per 100 people", "% of population"]
YEARS = range(1960, 2023)
# fact lookups: three about the corpus's own datasets, three about the generated one
QUESTIONS = [
    "What share of Russia's population used the internet in 2015?",
    "How many mobile cellular subscriptions per 100 people did China have in 2018?",
    "What was manufacturing value added as a share of GDP in Russia in 2019?",
    "What was ICT goods exports (current US$) in Germany in 2015?",
    "What were Patent applications, residents (per 100 people) in Brazil in 2001?",
    "What was Secure Internet servers (% of population) in Japan in 1999?",
]


def indicators() -> list[tuple[str, str, str]]:
    """(name, code, unit) of each generated indicator."""
    return [(f"{t} ({u})", f"BENCH.{i:02d}.{j}", u) for i, t in enumerate(TOPICS) for j, u in enumerate(UNITS)]


def write_wdi_csv(path: Path, rows: int) -> Path:
    """`rows` rows of a WDI-shaped tidy dataset, written as a stream: indicator by indicator,
    each for every country over 1960–2022 (real country names: pycountry's)."""
    import pycountry

    countries = [c.name for c in pycountry.countries]
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("source_id,source_title,indicator_code,indicator_name,country,year,value,unit\n")
        for name, code, unit in indicators():
            for country in countries:
                for year in YEARS:
                    if n == rows:
                        return path
                    value = (n * 7919) % 100_000 / 100
                    fh.write(
                        f'BENCH_WDI,"World Bank WDI (generated)",{code},"{name}","{country}",{year},{value},{unit}\n'
                    )
                    n += 1
    return path


def ingest(paths: list[Path], data: Path) -> dict:
    """`citeqa ingest` in a child process: its wall time and peak RSS."""
    started = time.perf_counter()
    before = _children_peak_kb()
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "ingest", *map(str, paths), "--data-dir", str(data), "--json"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if run.returncode != 0:
        raise SystemExit(f"the ingest failed ({run.returncode}):\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    report = json.loads(run.stdout)
    peak = _children_peak_kb()
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "embedded": report.get("embedded"),
        "chunks": report.get("chunks"),
        # the largest child so far: this ingest's when it is the largest (the dataset's is)
        "peak_rss_mb": round(max(peak, before) / 1024, 1),
    }


def _children_peak_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


PAPER_QUESTIONS = ROOT / "eval" / "paper_dev.jsonl"
KIT = ROOT / "eval" / "tatqa" / "corpus"


def paper_questions() -> list[str]:
    return [json.loads(line)["question"] for line in PAPER_QUESTIONS.read_text().splitlines() if line.strip()]


def write_report_copies(folder: Path, copies: int) -> int:
    """`copies` copies of the kit's excerpts, each file a document of its own; how many files."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for k in range(1, copies + 1):
        for path in sorted(KIT.glob("*.md")):
            shutil.copyfile(path, folder / f"copy{k}-{path.name}")
            n += 1
    return n


def serve_probe(data: Path, repeats: int, questions: list[str] | None = None) -> dict:
    """In this (fresh) process: load the engine, ask each question `repeats` times."""
    from service.answering.engine import Engine
    from service.settings import get_settings

    embedder = get_settings().embedder()
    embedder.embed(["warm up"])
    rss_before = _rss_mb()
    started = time.perf_counter()
    engine = Engine.load(data, embedder)
    load_s = time.perf_counter() - started
    rss_loaded = _rss_mb()
    answers, times = {}, []
    questions = questions or QUESTIONS
    for q in questions:
        engine.ask(q)  # the first asking fills the per-word memos
    for _ in range(repeats):
        for q in questions:
            t = time.perf_counter()
            a = engine.ask(q)
            times.append((time.perf_counter() - t) * 1000)
            answers[q] = f"{a.value} {a.unit or ''}".strip() if a.answered else "—"
    embed = []
    for _ in range(repeats):
        for q in questions:
            t = time.perf_counter()
            embedder.embed([q])
            embed.append((time.perf_counter() - t) * 1000)
    return {
        "engine_load_s": round(load_s, 2),
        "engine_rss_mb": round(rss_loaded - rss_before, 1),
        "rss_mb": round(_rss_mb(), 1),
        "ask_p50_ms": round(statistics.median(times), 2),
        "embed_p50_ms": round(statistics.median(embed), 2),
        "facts": engine.corpus.facts.__len__(),
        "series": len(engine.corpus.facts.series),
        "answers": answers,
    }


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def probe(data: Path, repeats: int, paper: bool = False) -> dict:
    command = [sys.executable, "-m", "scripts.bench_scale", "--probe", str(data), "--repeats", str(repeats)]
    run = subprocess.run(command + ["--paper"] * paper, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(run.stdout.splitlines()[-1])


def reports_library(base_data: Path, tmp: Path, copies: int, repeats: int) -> dict:
    """The default corpus alone, then with `copies` copies of the kit's excerpts: serving."""
    data = tmp / "library"
    shutil.copytree(base_data, data, symlinks=True, ignore=shutil.ignore_patterns("*.lock"))
    alone = probe(data, repeats, paper=True)
    print("default corpus, paper questions:", json.dumps(alone), flush=True)
    files = write_report_copies(tmp / "reports", copies)
    print(f"ingesting {files:,} report excerpts ({copies} copies of the kit) …", flush=True)
    added = ingest([tmp / "reports"], data)
    print("reports ingest:", json.dumps(added), flush=True)
    grown = probe(data, repeats, paper=True)
    print(f"+ {files:,} reports:", json.dumps(grown), flush=True)
    ratio = grown["ask_p50_ms"] / alone["ask_p50_ms"]
    print(
        f"\n{added['chunks']:,} chunks: /ask p50 {alone['ask_p50_ms']} → {grown['ask_p50_ms']} ms ({ratio:.2f}×, "
        f"target ≤ 1.2×); serving RSS {alone['rss_mb']} → {grown['rss_mb']} MB (target ≤ 700); "
        f"engine {alone['engine_rss_mb']} → {grown['engine_rss_mb']} MB, load {alone['engine_load_s']} → "
        f"{grown['engine_load_s']} s",
        flush=True,
    )
    return {"files": files, "ingest": added, "default": alone, "with_reports": grown, "p50_ratio": round(ratio, 2)}


def dataset(data: Path, tmp: Path, rows: int, repeats: int) -> dict:
    """The default corpus alone, then with a generated dataset of `rows` rows: ingest and serving."""
    base = probe(data, repeats)
    print("default corpus:", json.dumps(base), flush=True)
    csv_path = write_wdi_csv(tmp / "bench-wdi.csv", rows)
    mb = csv_path.stat().st_size / 1e6
    print(f"ingesting {rows:,} rows ({mb:.0f} MB) …", flush=True)
    added = ingest([csv_path], data)
    added["rows_per_s"] = round(rows / added["seconds"])
    print("dataset ingest:", json.dumps(added), flush=True)
    grown = probe(data, repeats)
    print(f"+ {rows:,} rows:", json.dumps(grown), flush=True)
    figures = {
        "rows": rows,
        "csv_mb": round(mb, 1),
        "ingest": added,
        "default": base,
        "with_dataset": grown,
        "fact_lookup_added_ms": round(grown["ask_p50_ms"] - base["ask_p50_ms"], 2),
    }
    print(
        f"\ningest {added['seconds']} s (target ≤ 600), peak RSS {added['peak_rss_mb']} MB; "
        f"/ask p50 {base['ask_p50_ms']} → {grown['ask_p50_ms']} ms "
        f"(+{figures['fact_lookup_added_ms']} ms, target ≤ 5); serving RSS {base['rss_mb']} → {grown['rss_mb']} MB; "
        f"engine load {base['engine_load_s']} → {grown['engine_load_s']} s",
        flush=True,
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="rows of the generated dataset (default 1,000,000; 0: none)"
    )
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data", help="the default corpus's data dir, copied")
    parser.add_argument("--repeats", type=int, default=20, help="times each question is asked (default 20)")
    parser.add_argument(
        "--report-copies",
        type=int,
        default=13,
        help="copies of the TAT-QA excerpts added (default 13: ~50k chunks; 0: none)",
    )
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)  # one serving measure, in this process
    parser.add_argument("--paper", action="store_true", help=argparse.SUPPRESS)  # the probe asks the paper's questions
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(serve_probe(args.probe, args.repeats, paper_questions() if args.paper else None)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        if (args.data_dir / "citeqa.db").exists():
            # the index is a symlink to its current generation: copied as a link (its swap replaces it)
            shutil.copytree(args.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("*.lock"))
        else:
            print("ingesting the default corpus first …", flush=True)
            ingest([ROOT / "corpus"], data)
        figures: dict = {}
        if args.report_copies > 0:
            figures["reports"] = reports_library(data, Path(tmp), args.report_copies, args.repeats)
        if args.rows > 0:
            figures["dataset"] = dataset(data, Path(tmp), args.rows, args.repeats)
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
