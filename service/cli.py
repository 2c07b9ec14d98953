"""`citeqa` command line: ingest, stats, search, ask, tables, verify, remove, eval, eval-robust, serve, ui.

With `--json`, stdout is one JSON object on one line and nothing else, for scripts (`| jq`);
the human lines and the progress go to stderr.

Exit codes: 0 success; 1 the command ran but the result is not a success (a file failed to
ingest, the documents do not say, the index does not serve the store); 2 a usage problem,
e.g. an unknown document id (the message, on stderr, lists the known ones).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from service.settings import get_settings  # noqa: E402


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def _data_dir(args) -> Path:
    return Path(args.data_dir) if args.data_dir else get_settings().data_dir


def _embedder_factory(*, bulk: bool = False):
    """Bulk embedding (ingest) uses every core; a single query is fastest on one thread."""
    settings = get_settings()

    return lambda: settings.embedder(bulk=bulk)


def _emit(args, payload: dict, human: str) -> None:
    """Without `--json`: the human lines on stdout. With it: stdout is the JSON object alone,
    on one line, and the human lines go to stderr."""
    if args.json:
        if human:
            print(human, file=sys.stderr, flush=True)
        print(json.dumps(payload, ensure_ascii=False))
    elif human:
        print(human)


def _check_doc_ids(store, doc_ids: list[str] | None) -> list[str]:
    """The ids, deduplicated; an unknown one is a usage error naming the known ids."""
    ids = list(dict.fromkeys(doc_ids or []))
    unknown = [d for d in ids if store.document(d) is None]
    if unknown:
        known = ", ".join(d.id for d in store.documents()) or "none"
        names = ", ".join(repr(d) for d in unknown)
        raise CliError(f"no document {names}; documents: {known}")
    return ids


# -- ingest ---------------------------------------------------------------------------
def cmd_ingest(args) -> int:
    from index.writer import WriterBusy
    from service.ingesting import run_ingest

    def waiting(holder: str) -> None:
        print(f"citeqa: waiting for {holder} to finish writing to {_data_dir(args)} …", file=sys.stderr, flush=True)

    try:
        report = run_ingest(
            [Path(p) for p in args.paths],
            _data_dir(args),
            _embedder_factory(bulk=True),
            get_settings().model,
            prune=args.prune,
            progress=None if sys.stderr.isatty() else False,
            wait=0 if args.no_wait else None,
            on_wait=waiting,
            spaces=get_settings().spaces(),
        )
    except WriterBusy as exc:
        raise CliError(f"{exc} (--no-wait)") from None
    summary = report.summary()
    lines = []
    for o in report.outcomes:
        if o.status in ("failed", "skipped"):
            lines.append(f"{o.status}: {o.path}: {o.message}")
        elif o.status in ("added", "updated", "removed"):
            extra = f" ({o.chunks} chunks, {o.embedded} embedded)" if o.status != "removed" else ""
            lines.append(f"{o.status}: {o.doc_id} ← {o.path}{extra}")
            if o.message:
                lines.append(f"  note: {o.message}")
    lines.append(
        "added {added} · updated {updated} · unchanged {unchanged} · removed {removed} · failed {failed}"
        " — {chunks} chunks ({table_rows} table rows), {embedded} embedded, {seconds:.1f} s".format(**summary)
    )
    if report.space_embedded:
        lines.append(f"cross-lingual space: {report.space_embedded} texts embedded")
    if report.repaired:
        lines.append(f"index repaired: {report.repaired}; rebuilt from the store")
    for change in report.verdicts_changed or []:
        old, new = change["before"], change["after"]
        lines.append(
            f"source check changed: {change['doc_id']} · {change['table']} · {change['row']} · {change['column']}:"
            f" {old['verdict']} ({old['vintage'] or '—'}) → {new['verdict']} ({new['vintage'] or '—'})"
        )
    _emit(args, summary, "\n".join(lines))
    return 1 if report.failed else 0


# -- stats ----------------------------------------------------------------------------
def _open_store(args):
    from index.store import DB_NAME, Store

    path = _data_dir(args) / DB_NAME
    if not path.exists():
        raise CliError(f"no store at {path}; run `citeqa ingest PATH` first")
    return Store(path, readonly=True)


def cmd_stats(args) -> int:
    """Exit 1 when the index does not serve the store as it is (the next ingest or start repairs it)."""
    from index.folder import index_manifest, index_state

    store = _open_store(args)
    counts = store.counts()
    manifest = index_manifest(_data_dir(args))
    state = index_state(store, _data_dir(args))
    payload = {**counts, "index": manifest, "index_ok": state.ok, "index_problem": state.problem}
    width = max(map(len, counts))
    human = "\n".join(f"{k:<{width}}  {v:>8,}" for k, v in counts.items())
    if manifest:
        human += (
            f"\nindex: {manifest['counts']['chunks']:,} chunks, model {manifest['model']}, built {manifest['built_at']}"
        )
    if not state.ok:
        human += f"\nindex NOT OK: {state.problem}; `citeqa ingest` or `citeqa serve` rebuilds it from the store"
    _emit(args, payload, human)
    return 0 if state.ok else 1


# -- search ---------------------------------------------------------------------------
def cmd_search(args) -> int:
    from index.folder import IndexMissing, load_index
    from index.search import Searcher

    store = _open_store(args)
    try:
        index = load_index(_data_dir(args))
    except IndexMissing as exc:
        raise CliError(str(exc)) from exc
    doc_ids = _check_doc_ids(store, args.doc)
    searcher = Searcher(store, index, _embedder_factory()())
    hits = searcher.search(args.query, top_k=args.top_k, doc_ids=doc_ids or None)
    lines = []
    for rank, hit in enumerate(hits, start=1):
        text = hit.text if len(hit.text) <= 300 else hit.text[:297] + "…"
        lines.append(f"{rank}. [{hit.score:.4f}] {hit.doc_id} · {hit.locator}\n   {text}")
    _emit(args, {"results": [h.to_json() for h in hits]}, "\n".join(lines) or "no results")
    return 0


# -- tables ---------------------------------------------------------------------------
def cmd_tables(args) -> int:
    store = _open_store(args)
    _check_doc_ids(store, [args.doc])
    tables = store.tables(args.doc)
    items = [
        {"label": t.label, "rows": len(t.rows), "columns": len(t.columns), "unit": t.unit, "caption": t.caption}
        for t in tables
    ]
    human = (
        "\n".join(
            f"{t['label']:<10} {t['rows']:>3}×{t['columns']:<3} {('unit: ' + t['unit']) if t['unit'] else '':<28} {t['caption'][:80]}"
            for t in items
        )
        or f"{args.doc} has no tables"
    )
    _emit(args, {"doc_id": args.doc, "tables": items}, human)
    return 0


# -- ask ------------------------------------------------------------------------------
def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else format(value, ".12g")


def _render_answer(answer) -> str:
    lines = [answer.answer]
    if answer.value is not None:
        lines.append(f"value: {_number(answer.value)}" + (f" {answer.unit}" if answer.unit else ""))
    elif answer.unit:
        lines.append(f"unit: {answer.unit}")
    if answer.citations:
        lines.append("citations:")
    for i, c in enumerate(answer.citations, start=1):
        lines.append(f"  [{i}] {c.doc_id} · {c.locator}")
        lines.append(f"      document: {c.doc_title}")
        where = [
            f"{name}: {val}"
            for name, val in (("table", c.table), ("row", c.row), ("column", c.column), ("page", c.page))
            if val not in (None, "")
        ]
        if where:
            lines.append("      " + " · ".join(where))
        snippet = c.snippet if len(c.snippet) <= 300 else c.snippet[:297] + "…"
        if snippet:
            lines.append(f"      “{snippet}”")
        for ref in c.refs:
            lines.append(f"      [{ref.n}] {ref.text}" + (f" {ref.url}" if ref.url and ref.url not in ref.text else ""))
    return "\n".join(lines)


def cmd_ask(args) -> int:
    """Exit 0 with an answer, 1 when the documents do not say (the answer says so), 2 on a usage problem."""
    from index.folder import IndexMissing
    from service.answering.engine import Engine

    question = args.question.strip()
    if not question:
        raise CliError("the question is blank")
    if len(question) > 1000:
        raise CliError("the question is longer than 1000 characters")
    _open_store(args).close()  # says what to do when nothing was ingested
    try:
        engine = Engine.load(_data_dir(args), _embedder_factory()())
    except IndexMissing as exc:
        raise CliError(str(exc)) from exc
    try:
        doc_ids = _check_doc_ids(engine.store, args.doc)
        answer = engine.ask(question, top_k=args.top_k, doc_ids=doc_ids or None)
    finally:
        engine.store.close()
    _emit(args, answer.to_dict(), _render_answer(answer))
    return 0 if answer.answered else 1


# -- verify ---------------------------------------------------------------------------
def cmd_verify(args) -> int:
    """Every table cell of the document(s) checked against the source data it cites."""
    from service.verification import render_markdown, render_table, verify

    store = _open_store(args)
    try:
        doc_ids = _check_doc_ids(store, [args.doc] if args.doc else [])
        result = verify(store, doc_ids or None)
    finally:
        store.close()
    if args.report:
        Path(args.report).write_text(render_markdown(result), encoding="utf-8")
    human = render_table(result)
    if args.report:
        human += f"\nreport: {args.report}"
    _emit(args, result.to_dict(), human)
    return 0


# -- remove ---------------------------------------------------------------------------
def cmd_remove(args) -> int:
    """Remove documents from the store and the index; their files are left alone."""
    from index.writer import WriterBusy
    from service.ingesting import remove_documents

    store = _open_store(args)
    try:
        doc_ids = _check_doc_ids(store, args.doc_ids)
    finally:
        store.close()
    try:
        report = remove_documents(_data_dir(args), doc_ids, get_settings().model, wait=0 if args.no_wait else None)
    except WriterBusy as exc:
        raise CliError(f"{exc} (--no-wait)") from None
    removed = [o for o in report.outcomes if o.status == "removed"]
    lines = [f"removed: {o.doc_id} (file left alone: {o.path})" for o in removed]
    gone = [o.doc_id for o in report.outcomes if o.status == "failed"]
    if gone:  # removed by another writer between the check and the lock
        lines.append(f"no document {', '.join(repr(d) for d in gone)} any more")
    if removed:
        lines.append(
            "The files are not deleted: a later `citeqa ingest` of their folder adds them back;"
            " list a file under `exclude` in that folder's manifest.toml to keep it out."
        )
    _emit(args, {"removed": [o.doc_id for o in removed], "summary": report.summary()}, "\n".join(lines))
    return 2 if gone else 0


# -- eval -----------------------------------------------------------------------------
def cmd_eval(args) -> int:
    """Questions with gold answers through `Engine.ask` (the `/ask` code path), scored."""
    from index.folder import IndexMissing
    from index.store import DB_NAME
    from service.answering.engine import Engine
    from service.evaluation import EvalInputError, load_questions, render, run_eval

    try:
        items = load_questions(Path(args.file))
    except EvalInputError as exc:
        raise CliError(str(exc)) from exc
    data_dir = _data_dir(args)
    if not (data_dir / DB_NAME).exists():
        raise CliError(f"no store at {data_dir / DB_NAME}; run `citeqa ingest PATH` first")
    settings = get_settings()
    try:
        engine = Engine.load(data_dir, settings.embedder())
    except IndexMissing as exc:
        raise CliError(str(exc)) from exc

    def progress(i, n):
        if sys.stderr.isatty():
            print(f"\r{i}/{n}", end="" if i < n else "\n", file=sys.stderr, flush=True)

    summary = run_eval(engine, items, top_k=args.top_k, progress=progress).summary()
    _emit(args, summary, render(summary))
    return 0


# -- eval-tatqa -----------------------------------------------------------------------
def cmd_eval_tatqa(args) -> int:
    """The TAT-QA kit (eval/tatqa/): ingest its excerpts, ask each question in its own, score."""
    from service.tatqa_eval import DEFAULT_KIT, TatqaKitError, render, run_tatqa, stderr_progress

    try:
        summary = run_tatqa(
            Path(args.data_dir),
            Path(args.kit) if args.kit else DEFAULT_KIT,
            split=args.split,
            limit=args.limit,
            progress=stderr_progress,
            out=Path(args.out) if args.out else None,
            ingest_progress=None if sys.stderr.isatty() else False,
        )
    except TatqaKitError as exc:
        raise CliError(str(exc)) from exc
    _emit(args, summary, render(summary))
    return 0


# -- eval-robust ----------------------------------------------------------------------
def cmd_eval_robust(args) -> int:
    """Perturbed variants of the answerable questions (service/robustness.py): same answer? still right?"""
    from index.folder import IndexMissing
    from index.store import DB_NAME
    from service.answering.engine import Engine
    from service.evaluation import EvalInputError, load_questions
    from service.robustness import DEFAULT_SEED, render, run_robustness

    files = args.files or ["eval/paper_dev.jsonl", "eval/paper_extra.jsonl"]
    try:
        items = [item for f in files for item in load_questions(Path(f))]
    except EvalInputError as exc:
        raise CliError(str(exc)) from exc
    data_dir = _data_dir(args)
    if not (data_dir / DB_NAME).exists():
        raise CliError(f"no store at {data_dir / DB_NAME}; run `citeqa ingest PATH` first")
    try:
        engine = Engine.load(data_dir, get_settings().embedder())
    except IndexMissing as exc:
        raise CliError(str(exc)) from exc

    def progress(i, n):
        if sys.stderr.isatty():
            print(f"\r{i}/{n}", end="" if i < n else "\n", file=sys.stderr, flush=True)

    seed = DEFAULT_SEED if args.seed is None else args.seed
    summary = run_robustness(engine, items, seed=seed, progress=progress).summary()
    _emit(args, summary, render(summary, show_changed=args.show_changed))
    return 0


# -- serve ----------------------------------------------------------------------------
def cmd_serve(args) -> int:
    from service.main import StartupError
    from service.server import serve

    try:
        serve(host=args.host, port=args.port, data_dir=args.data_dir)
    except StartupError as exc:
        raise CliError(str(exc)) from exc
    return 0


# -- ui -------------------------------------------------------------------------------
def ui_command(api: str, port: int, host: str, *, max_upload_mb: int = 50) -> list[str]:
    """The `streamlit run` command line for the UI (`ui/app.py` of the installed package).
    Streamlit's options are flags, not a `.streamlit/config.toml` (which streamlit reads from
    the directory it is started in, whatever that is): the toolbar for viewers (no "Deploy"
    button or developer menu), and the uploader's limit the API's (CITEQA_MAX_UPLOAD_MB)."""
    import ui

    app = Path(ui.__file__).resolve().with_name("app.py")
    if not app.is_file():
        raise CliError(f"the UI is not installed: {app} is missing")
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--server.maxUploadSize",
        str(max_upload_mb),
    ]


def cmd_ui(args) -> int:
    """The Streamlit UI, a client of the API at --api (default: $CITEQA_API_URL)."""
    import importlib.util
    import subprocess

    settings = get_settings()
    if importlib.util.find_spec("streamlit") is None:
        raise CliError("streamlit is not installed; run `make install` (or `pip install streamlit`)")
    if not 1 <= args.port <= 65535:
        raise CliError(f"port {args.port} is out of range (1–65535)")
    api = (args.api or settings.api_url).rstrip("/")
    env = {**os.environ, "CITEQA_API_URL": api}
    print(f"citeqa UI on http://{args.host}:{args.port} (API: {api}); Ctrl+C to stop", file=sys.stderr)
    process = subprocess.Popen(ui_command(api, args.port, args.host, max_upload_mb=settings.max_upload_mb), env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:  # streamlit got the Ctrl+C too: let it stop on its own
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait()
        return 0


JSON_HELP = "print only one JSON object (one line) on stdout; human lines go to stderr"
EPILOG = (
    "exit codes: 0 success; 1 a file failed to ingest, the documents do not say (ask), or the index"
    " does not serve the store (stats); 2 a usage problem, e.g. an unknown document id (message on stderr)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citeqa", description="Question answering with checkable citations.", epilog=EPILOG
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, json_flag=True):
        p.add_argument("--data-dir", help="store and index folder (default: $CITEQA_DATA_DIR or ./data)")
        if json_flag:
            p.add_argument("--json", action="store_true", help=JSON_HELP)

    p = sub.add_parser("ingest", help="add or update documents (PDF, markdown, text, CSV)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--prune", action="store_true", help="remove documents whose files are gone")
    p.add_argument(
        "--no-wait", action="store_true", help="fail (exit 2) instead of waiting when another writer is at work"
    )
    common(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("stats", help="counts of what is stored and indexed")
    common(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("search", help="ranked chunks for a query (hybrid dense + lexical)")
    p.add_argument("query")
    p.add_argument("--top-k", type=int, default=5, choices=range(1, 101), metavar="K")
    p.add_argument("--doc", action="append", help="only this document id (repeatable)")
    common(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser(
        "ask",
        help="answer a question from the documents, with citations (exit 1: the documents do not say)",
        epilog="exit codes: 0 answered; 1 the documents do not say (the answer says so and cites the closest"
        " evidence); 2 a usage problem, e.g. an unknown --doc id (message on stderr)",
    )
    p.add_argument("question", metavar="QUESTION")
    p.add_argument("--doc", action="append", help="only this document id (repeatable)")
    p.add_argument("--top-k", type=int, default=5, choices=range(1, 51), metavar="K", help="passages read (1–50)")
    common(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser(
        "remove",
        help="remove documents from the store and the index (their files are left alone)",
        description="Remove documents (records, chunks, orphaned embeddings) and rebuild the index."
        " The files are left alone: a later `citeqa ingest` of their folder adds them back"
        " (list a file under `exclude` in that folder's manifest.toml to keep it out).",
    )
    p.add_argument(
        "doc_ids",
        nargs="+",
        metavar="DOC_ID",
        help="document ids, as `citeqa search` shows them (an unknown one lists them all)",
    )
    p.add_argument(
        "--no-wait", action="store_true", help="fail (exit 2) instead of waiting when another writer is at work"
    )
    common(p)
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser(
        "verify",
        help="check every table figure against the source data it cites (agrees, differs, scale, ...)",
        description="Each table cell with a value is compared with the facts of the corpus datasets that"
        " stand for the references it cites (manifest `stands_for`), for its country, year and indicator,"
        " in every release, at the printed precision. Verdicts: agrees, differs, scale, other-indicator,"
        " other-period, no-source-data.",
    )
    p.add_argument("doc", nargs="?", metavar="DOC", help="document id (default: every document with tables)")
    p.add_argument("--report", metavar="FILE", help="also write the markdown report to FILE")
    common(p)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("tables", help="a document's tables with their shapes")
    p.add_argument("doc", metavar="DOC", help="document id")
    common(p)
    p.set_defaults(func=cmd_tables)

    p = sub.add_parser("eval", help="score answers and citations on questions with gold answers (jsonl)")
    p.add_argument("file", metavar="FILE.jsonl", help="one question a line (format: eval/README.md)")
    p.add_argument("--top-k", type=int, default=5, choices=range(1, 101), metavar="K")
    common(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "eval-tatqa", help="the TAT-QA benchmark (eval/tatqa/): each question in its own report excerpt, EM/F1"
    )
    p.add_argument(
        "--kit", help="the kit folder: corpus/, questions.jsonl, score.py, heldout.txt (default: eval/tatqa)"
    )
    p.add_argument("--data-dir", default="data-tatqa", help="store and index folder for the kit (default: data-tatqa)")
    p.add_argument("--split", choices=("all", "dev", "heldout"), default="all", help="which questions (default: all)")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N questions of the split")
    p.add_argument("--out", metavar="FILE", help="predictions JSONL (default: DATA_DIR/predictions.jsonl)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_eval_tatqa)

    p = sub.add_parser(
        "eval-robust", help="robustness: typos, case, abbreviations, reordering of the eval questions; same answer?"
    )
    p.add_argument(
        "files",
        nargs="*",
        metavar="FILE.jsonl",
        help="question files (default: eval/paper_dev.jsonl eval/paper_extra.jsonl)",
    )
    p.add_argument("--seed", type=int, help="seed of the perturbations (default: 13)")
    p.add_argument("--show-changed", action="store_true", help="list the variants whose answer changed")
    common(p)
    p.set_defaults(func=cmd_eval_robust)

    p = sub.add_parser("serve", help="run the HTTP API (uvicorn); OpenAPI docs at /docs")
    p.add_argument("--host", help="address to listen on (default: $CITEQA_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: $CITEQA_PORT or 8000; 0 picks a free one)")
    common(p, json_flag=False)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("ui", help="run the web UI (Streamlit), a client of the API")
    p.add_argument(
        "--api", metavar="URL", help="the API's base URL (default: $CITEQA_API_URL or http://127.0.0.1:8000)"
    )
    p.add_argument("--port", type=int, default=get_settings().ui_port, help="port (default: 8501)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.set_defaults(func=cmd_ui)
    return parser


def _log_to_stderr() -> None:
    """Say what long steps are doing (exporting the model once, for one)."""
    logger = logging.getLogger("citeqa")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("citeqa: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _stdout_to_devnull() -> None:
    """What the Python docs recommend after a BrokenPipeError: point stdout at devnull, so
    that the interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    from index.onnx_embedder import ExportFailed
    from index.onnx_model import UnsupportedModel

    args = build_parser().parse_args(argv)
    if args.func is not cmd_serve:  # the server sets up its own logging
        _log_to_stderr()
    try:
        code = args.func(args)
        sys.stdout.flush()  # here, so that a closed pipe is caught below
        return code
    except BrokenPipeError:  # `citeqa stats | head -1`: the reader has gone; end quietly
        _stdout_to_devnull()
        return 141  # as a shell reports a command ended by SIGPIPE
    except (CliError, ExportFailed, UnsupportedModel) as exc:
        print(f"citeqa: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("citeqa: interrupted; nothing was half-written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
