"""One converter per format, one output shape (`Document`)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from ingest.csv_dataset import convert_csv
from ingest.markdown import convert_markdown
from ingest.pdf import convert_pdf
from ingest.records import Document


def _source_hash() -> str:
    """A hash of this package's code: when parsing changes, unchanged files are converted
    again on the next ingest (their embeddings are cached by text, so that is cheap)."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        if path.stem not in ("manifest", "__init__"):  # those do not shape records
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


log = logging.getLogger(__name__)

CONVERTER_VERSION = _source_hash()

Converter = Callable[[Path, str, str], Document]

CONVERTERS: dict[str, Converter] = {
    ".md": convert_markdown,
    ".markdown": convert_markdown,
    ".txt": convert_markdown,
    ".pdf": convert_pdf,
    ".csv": convert_csv,
}


class ConversionError(Exception):
    """A file that cannot become a document; the message says why, for a person."""


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in CONVERTERS


def convert(path: Path, doc_id: str, sha256: str) -> Document:
    converter = CONVERTERS.get(path.suffix.lower())
    if converter is None:
        known = ", ".join(sorted(CONVERTERS))
        raise ConversionError(f"unsupported file type {path.suffix or '(none)'!r}; citeqa reads {known}")
    if path.stat().st_size == 0:
        raise ConversionError("the file is empty")
    try:
        doc = converter(path, doc_id, sha256)
    except ConversionError:
        raise
    except (ValueError, OSError) as exc:  # the converters' own, worded for a person
        raise ConversionError(str(exc)) from exc
    except Exception as exc:  # a converter's bug or a library's surprise: this file fails, not the run
        log.warning("converting %s failed", path, exc_info=True)
        raise ConversionError(f"cannot convert the file ({exc.__class__.__name__}: {exc})") from exc
    doc.claim_records()
    return doc
