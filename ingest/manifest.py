"""The corpus manifest (`manifest.toml`): what each document is, in data, not code.

```toml
exclude = ["sources/README.md"]          # files in the folder that are not documents

[[document]]
path = "sources/wdi_it_net_bbnd_p2.csv"  # relative to the manifest
id = "wb-fixed-broadband"                # default: the file stem, slugified
title = "World Bank WDI: fixed broadband subscriptions (per 100 people)"
kind = "dataset"                         # "report" | "dataset"
language = "en"
stands_for = { document = "song-2024", refs = [5, 6] }  # reference-list entries it backs
```
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_NAME = "manifest.toml"
KINDS = ("report", "dataset")


class ManifestError(ValueError):
    pass


@dataclass
class DocumentMeta:
    id: str | None = None
    title: str | None = None
    kind: str | None = None
    language: str | None = None
    stands_for: list[tuple[str, int]] = field(default_factory=list)

    def fingerprint(self) -> str:
        return json.dumps([self.id, self.title, self.kind, self.language, self.stands_for], ensure_ascii=False)


@dataclass
class Manifest:
    root: Path
    entries: dict[Path, DocumentMeta]
    exclude: set[Path]

    def meta_for(self, path: Path) -> DocumentMeta:
        return self.entries.get(path.resolve(), DocumentMeta())

    def excludes(self, path: Path) -> bool:
        return path.resolve() in self.exclude


def load_manifest(path: Path) -> Manifest:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: not valid TOML ({exc})") from exc
    root = path.parent.resolve()
    entries: dict[Path, DocumentMeta] = {}
    for i, item in enumerate(data.get("document", [])):
        if "path" not in item:
            raise ManifestError(f"{path}: document #{i + 1} has no 'path'")
        kind = item.get("kind")
        if kind is not None and kind not in KINDS:
            raise ManifestError(f"{path}: document {item['path']!r}: kind must be one of {KINDS}, not {kind!r}")
        stands = item.get("stands_for") or {}
        refs = stands.get("refs", []) if isinstance(stands, dict) else []
        entries[(root / item["path"]).resolve()] = DocumentMeta(
            id=item.get("id"),
            title=item.get("title"),
            kind=kind,
            language=item.get("language"),
            stands_for=[(stands["document"], int(n)) for n in refs] if refs else [],
        )
    exclude = {(root / p).resolve() for p in data.get("exclude", [])}
    return Manifest(root=root, entries=entries, exclude=exclude)


def find_manifest(start: Path) -> Manifest | None:
    """The manifest in `start`'s folder or the nearest folder above it."""
    folder = start.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        manifest = candidate / MANIFEST_NAME
        if manifest.is_file():
            return load_manifest(manifest)
    return None
