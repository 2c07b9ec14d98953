"""What a sentence-transformers model folder asks for, read from its own files, and where its
ONNX export lives.

Shared by the exporter (which runs with torch, once) and the ONNX embedder (which runs
without it), so both agree on pooling, sequence length and casing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

EXPORT_FORMAT = 1  # bump when the exported graph changes, so old exports are not reused
POOLING_MODES = ("mean", "cls", "max")
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_SUPPORTED_MODULES = {"Transformer", "Pooling", "Normalize"}


class UnsupportedModel(ValueError):
    """The folder holds a model the ONNX path cannot reproduce exactly."""


@dataclass(frozen=True)
class SentenceModelSpec:
    path: Path  # the transformer's folder (weights, config.json, tokenizer.json)
    pooling: str
    max_length: int
    lowercase: bool

    @classmethod
    def read(cls, folder: Path) -> SentenceModelSpec:
        folder = Path(folder)
        modules_file = folder / "modules.json"
        modules = json.loads(modules_file.read_text()) if modules_file.is_file() else []
        transformer_dir, pooling_dir = folder, None
        for module in modules:
            kind = module.get("type", "").rsplit(".", 1)[-1]
            if kind not in _SUPPORTED_MODULES:
                raise UnsupportedModel(f"module {module.get('type')!r} in {modules_file} has no ONNX equivalent here")
            if kind == "Transformer":
                transformer_dir = folder / module.get("path", "")
            elif kind == "Pooling":
                pooling_dir = folder / module.get("path", "")
        pooling = _pooling_mode(pooling_dir) if pooling_dir else "mean"  # sentence-transformers' default
        config_file = next(
            (
                p
                for p in (transformer_dir / "sentence_bert_config.json", folder / "sentence_bert_config.json")
                if p.is_file()
            ),
            None,
        )
        config = json.loads(config_file.read_text()) if config_file else {}
        if not (transformer_dir / "tokenizer.json").is_file():
            raise UnsupportedModel(f"no tokenizer.json in {transformer_dir}")
        if not any((transformer_dir / name).is_file() for name in _WEIGHT_FILES):
            raise UnsupportedModel(f"no weights ({' or '.join(_WEIGHT_FILES)}) in {transformer_dir}")
        return cls(
            path=transformer_dir,
            pooling=pooling,
            max_length=int(config.get("max_seq_length") or 512),
            lowercase=bool(config.get("do_lower_case", False)),
        )

    @property
    def tokenizer_file(self) -> Path:
        return self.path / "tokenizer.json"

    def digest(self) -> str:
        """Changes whenever the weights, the model config or this spec change."""
        h = hashlib.sha256(f"{EXPORT_FORMAT}|{self.pooling}|{self.max_length}|{self.lowercase}".encode())
        for name in ("config.json", *_WEIGHT_FILES):
            file = self.path / name
            if file.is_file():
                with file.open("rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        h.update(block)
        return h.hexdigest()


_POOLING_KEYS = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls", "pooling_mode_max_tokens": "max"}


def _pooling_mode(folder: Path) -> str:
    config = json.loads((folder / "config.json").read_text())
    if config.get("pooling_mode") in POOLING_MODES:  # newer sentence-transformers write one key
        return config["pooling_mode"]
    chosen = [key for key, on in config.items() if key.startswith("pooling_mode_") and on]
    if len(chosen) != 1 or chosen[0] not in _POOLING_KEYS:
        raise UnsupportedModel(f"pooling {chosen} in {folder} is not exactly one of {', '.join(POOLING_MODES)}")
    return _POOLING_KEYS[chosen[0]]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "citeqa" / "models"


def onnx_file(spec: SentenceModelSpec, name: str, cache_dir: Path) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "model"
    return Path(cache_dir) / f"{slug}-{spec.digest()[:16]}.onnx"
