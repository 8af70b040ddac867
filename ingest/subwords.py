"""e5's tokenizer, loaded in half the time: its vocabulary cut to the scripts statements are written in, the whole one
behind it for any text the cut cannot cover; the ids are the whole vocabulary's either way."""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
CUT_FILE = "tokenizer.cut.json"
CUT_IDS = "tokenizer.cut.ids.npy"  # position in the cut vocabulary → id in the whole one


def in_cut(char: str) -> bool:
    """Latin, Greek, Cyrillic and Armenian with their accents, and the punctuation, symbols, arrows and box drawing of
    U+1D00–U+2BFF: of 250,002 pieces, the 154k made only of these."""
    code = ord(char)
    return code < 0x590 or 0x1D00 <= code < 0x2C00


def write_cut(folder: Path) -> bool:
    """The cut tokenizer beside the folder's tokenizer.json (same normalizer, pre-tokenizer and special tokens); False
    if it cannot be written. Exact by construction: a text whose characters the cut covers has the same pieces to choose
    from, with the same scores, as in the whole vocabulary, so the same segmentation."""
    import orjson

    try:
        spec = orjson.loads((folder / "tokenizer.json").read_bytes())
        vocab = spec["model"]["vocab"]
        special = {a["content"] for a in spec.get("added_tokens", [])}
        keep = [i for i, (piece, _) in enumerate(vocab) if piece in special or all(in_cut(c) for c in piece)]
        unk = spec["model"]["unk_id"]
        if unk >= len(keep) or keep[unk] != unk:
            return False  # the unknown piece keeps its id, which `encode_batch` looks for
        position = {old: new for new, old in enumerate(keep)}
        spec["model"]["vocab"] = [vocab[i] for i in keep]
        for added in spec.get("added_tokens", []):
            added["id"] = position[added["id"]]
        for token in ((spec.get("post_processor") or {}).get("special_tokens") or {}).values():
            token["ids"] = [position[i] for i in token["ids"]]
        # names of this process's own: two processes may write the pair at once; each replace is whole
        tmp, tmp_ids = folder / f"{CUT_FILE}.{os.getpid()}.tmp", folder / f"{CUT_IDS}.{os.getpid()}.tmp"
        tmp.write_bytes(orjson.dumps(spec))
        with open(tmp_ids, "wb") as out:
            np.save(out, np.asarray(keep, dtype=np.int64))
        tmp_ids.replace(folder / CUT_IDS)
        tmp.replace(folder / CUT_FILE)  # last: the pair is complete once this name exists
        return True
    except (OSError, KeyError, ValueError) as exc:
        log.info("using e5's whole tokenizer (could not write its cut in %s: %s)", folder, exc)
        return False


class Subwords:
    """Token ids for texts, with <s> and </s>, truncated to `max_tokens`."""

    def __init__(self, folder: Path, max_tokens: int = 512):
        from tokenizers import Tokenizer

        self.folder, self.max_tokens = folder, max_tokens
        self._whole = None
        self._lock = threading.Lock()
        self.ids: np.ndarray | None = None
        self.cut = None
        if (folder / CUT_FILE).exists() or write_cut(folder):
            try:
                self.cut, self.ids = Tokenizer.from_file(str(folder / CUT_FILE)), np.load(folder / CUT_IDS)
            except Exception as exc:  # unreadable: the whole vocabulary does the same work, slower to load
                log.warning("using e5's whole tokenizer (its cut in %s is unreadable: %s)", folder, exc)
                self.cut, self.ids = None, None
        if self.cut is None:
            self.cut = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.cut.enable_truncation(max_tokens)
        self.unk = self.cut.token_to_id("<unk>")
        pad = self.cut.token_to_id("<pad>") or 0
        self.pad_id = int(self.ids[pad]) if self.ids is not None else pad

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        encodings = self.cut.encode_batch(list(texts))
        if self.ids is None:
            return [e.ids for e in encodings]
        out = []
        for text, encoding in zip(texts, encodings):
            ids = encoding.ids
            # an unknown piece, also in what truncation cut off (a word split there can differ before its <unk>): a
            # character outside the cut, or in no piece at all; the whole vocabulary decides
            unknown = self.unk in ids or any(self.unk in o.ids for o in encoding.overflowing)
            out.append(self.whole.encode(text).ids if unknown else self.ids[ids].tolist())
        return out

    @property
    def whole(self):
        with self._lock:
            if self._whole is None:
                from tokenizers import Tokenizer

                log.info("a text outside the cut tokenizer's scripts: loading e5's whole tokenizer")
                self._whole = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
                self._whole.enable_truncation(self.max_tokens)
            return self._whole
