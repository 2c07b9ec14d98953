"""Reading a text file (markdown, plain text, CSV) the one way every text converter does.

Bytes that are not text are refused with a message that says what they look like (a PDF,
gzip-compressed data, a ZIP archive, an image, binary data), instead of becoming a document
of replacement characters. Text is decoded, never replaced: UTF-8 (with or without a byte
order mark), UTF-16/32 with a byte order mark, UTF-16 without one when its zero bytes say
so, and otherwise the encoding `charset-normalizer` finds (cp1252 preferred when several
read the bytes equally well). A file not read as UTF-8 gets a warning naming its encoding.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

# leading bytes of formats people save under a text name by mistake: (magic, what it is)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"PK\x03\x04", "a ZIP archive, e.g. a .docx or .xlsx file"),
    (b"PK\x05\x06", "a ZIP archive, e.g. a .docx or .xlsx file"),
    (b"PK\x07\x08", "a ZIP archive, e.g. a .docx or .xlsx file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file, e.g. a .doc or .xls file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "an executable"),
)
_BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")

# byte order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one)
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)

# C0 controls but tab, line feed, vertical tab, form feed, carriage return; and DEL
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_HIGH_BYTES = bytes(range(0x80, 0x100))
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
MAX_CONTROL_SHARE = 0.02  # text has next to none; random bytes about 12 %
MAX_LEGACY_HIGH_SHARE = 0.3  # bytes >= 0x80 in text that charset-normalizer gave no verdict on
_UTF16_ONLY = ("utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le", "utf_7")
_PREFERRED = ("cp1252", "latin_1", "iso8859_15")  # the usual legacy encoding of Western text
_NAMES = {"cp1252": "cp1252 (Windows Latin-1)", "latin_1": "latin-1", "gb18030": "GB18030"}


class NotTextError(ValueError):
    """The bytes are not text (or not in an encoding citeqa can recognise)."""


@dataclass
class TextFile:
    text: str
    encoding: str  # the Python codec used
    warnings: list[str] = field(default_factory=list)


def sniff_binary(data: bytes) -> str | None:
    """What a known binary format's leading bytes say the data is ("a PDF", "gzip-compressed
    data", ...), or None."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    if _BZIP2.match(data):
        return "bzip2-compressed data"
    return None


def control_share(data: bytes) -> float:
    """The share of control bytes (NUL and the other C0 controls that text does not use)."""
    if not data:
        return 0.0
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


def _char_control_share(text: str) -> float:
    return len(_CONTROL_CHARS.findall(text)) / len(text) if text else 0.0


def _utf16_without_bom(data: bytes) -> str | None:
    """`utf-16-le`/`-be` when zero bytes fill one half of the byte pairs (text in the Latin
    script saved as UTF-16 without a byte order mark), else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:65536]
    even, odd = sample[0::2], sample[1::2]
    even_zero, odd_zero = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_zero > 0.6 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.6 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def _not_text(what: str = "binary data") -> NotTextError:
    return NotTextError(f"the file is not text (it looks like {what})")


def _legacy(data: bytes) -> str | None:
    """The codec `charset-normalizer` finds for bytes that are not UTF-8; among encodings
    that read them equally well, cp1252."""
    from charset_normalizer import from_bytes  # imported here: only non-UTF-8 files need it

    matches = list(from_bytes(data, cp_exclusion=list(_UTF16_ONLY)))
    if matches:
        best = min(m.chaos for m in matches)
        tied = [m for m in matches if m.chaos <= best + 0.01]
        for preferred in _PREFERRED:
            if any(m.encoding == preferred or preferred in m.could_be_from_charset for m in tied):
                return preferred
        return tied[0].encoding
    # too little text for a verdict: Western text is most often cp1252, and mostly ASCII
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    if high > MAX_LEGACY_HIGH_SHARE * len(data):
        return None  # random bytes are half high bytes
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return "cp1252"


def decode_text(data: bytes) -> TextFile:
    """Decode a text file's bytes; NotTextError when they are not text."""
    for bom, bom_codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(bom_codec)
            except UnicodeDecodeError as exc:
                raise NotTextError(
                    f"the file starts with a {name} byte order mark but is not {name} ({exc.reason})"
                ) from exc
            warnings = [] if name == "UTF-8" else [f"read as {name} (byte order mark), not UTF-8"]
            if _char_control_share(text) > MAX_CONTROL_SHARE:
                raise _not_text()
            return TextFile(text, bom_codec, warnings)
    what = sniff_binary(data)
    if what:
        raise _not_text(what)
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            raise _not_text() from None
        if _char_control_share(text) > MAX_CONTROL_SHARE:
            raise _not_text()
        return TextFile(text, utf16, [f"read as {utf16.upper()} (no byte order mark), not UTF-8"])
    if control_share(data) > MAX_CONTROL_SHARE:
        raise _not_text()
    try:
        return TextFile(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    codec = _legacy(data)
    if codec is None:
        raise _not_text()
    text = data.decode(codec)
    if _char_control_share(text) > MAX_CONTROL_SHARE:
        raise _not_text()
    return TextFile(text, codec, [f"read as {_NAMES.get(codec, codec)}, not UTF-8"])


def read_text_file(path: Path) -> TextFile:
    """The text of a markdown, plain-text or CSV file (see `decode_text`)."""
    return decode_text(Path(path).read_bytes())


def pdf_problem(path: Path) -> str | None:
    """Why a file named `.pdf` is not a PDF at all (no `%PDF-` header near its start), or None."""
    with Path(path).open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" in head:  # the header may follow a little junk, as readers allow
        return None
    what = sniff_binary(head)
    if what is None:
        try:
            decode_text(head)
            what = "text"
        except NotTextError:
            what = "binary data"
    return f"the file is not a PDF (it looks like {what})"
