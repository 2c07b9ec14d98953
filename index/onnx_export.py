"""Export a sentence-transformers model to one ONNX graph: transformer, pooling and
normalisation together, so a query costs one ONNX Runtime call and no torch.

Run once per model, in its own process (`python -m index.onnx_export MODEL_FOLDER OUT.onnx`),
so the process that serves never imports torch. The export is checked against
sentence-transformers itself before it is kept.
"""

from __future__ import annotations

import inspect
import os
import sys
import tempfile
import warnings
from pathlib import Path

from index.onnx_model import SentenceModelSpec

OPSET = 17
MIN_COSINE = 0.9999  # the exported graph must give the same vectors, not similar ones
PROBES = [
    "What were fixed broadband subscriptions per 100 people in 2019?",
    "2021年数字经济占GDP比重是多少？",
    "Каков объём цифровой экономики России?",
    "A long passage " * 200,  # past the model's maximum length: truncation must agree too
]


def _encoder_module(spec: SentenceModelSpec):
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(spec.path), local_files_only=True).eval()
    takes_types = "token_type_ids" in inspect.signature(model.forward).parameters

    class SentenceEncoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
            if token_type_ids is not None:
                inputs["token_type_ids"] = token_type_ids
            tokens = self.model(**inputs).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            if spec.pooling == "cls":
                pooled = tokens[:, 0]
            elif spec.pooling == "max":
                pooled = tokens.masked_fill(mask == 0, -1e9).max(dim=1).values
            else:
                pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    return SentenceEncoder().eval(), takes_types


def export(folder: Path, out: Path) -> None:
    import numpy as np
    import torch

    spec = SentenceModelSpec.read(folder)
    module, takes_types = _encoder_module(spec)
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if takes_types else [])
    example = tuple(torch.ones((2, 8), dtype=torch.long) for _ in names)
    axes = {name: {0: "batch", 1: "tokens"} for name in names} | {"embedding": {0: "batch"}}
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        draft = Path(tmp) / out.name
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module, example, str(draft), input_names=names, output_names=["embedding"],
                dynamic_axes=axes, opset_version=OPSET, dynamo=False,
            )  # fmt: skip
        from sentence_transformers import SentenceTransformer

        from index.onnx_embedder import OnnxEmbedder

        exported = OnnxEmbedder(draft, spec, name="export check", threads=1).embed(PROBES)
        reference = SentenceTransformer(str(folder), device="cpu", local_files_only=True).encode(
            PROBES, normalize_embeddings=True, convert_to_numpy=True
        )
        cosine = (exported * reference).sum(axis=1)
        if float(np.min(cosine)) < MIN_COSINE:
            raise SystemExit(f"the ONNX export differs from sentence-transformers (cosine {cosine.round(5).tolist()})")
        os.replace(draft, out)  # atomic: a reader sees no file or a whole, checked one


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m index.onnx_export MODEL_FOLDER OUT.onnx")
    export(Path(sys.argv[1]), Path(sys.argv[2]))
