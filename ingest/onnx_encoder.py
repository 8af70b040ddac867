"""The converted e5 exported once to ONNX and run with onnxruntime: the same vectors, about twice as fast, no torch."""
from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
ONNX_FILE = "model.onnx"


def export(folder: Path) -> Path:
    """Export the sentence-transformers BERT folder to folder/model.onnx (mean pooling and normalisation inside)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    class Pooled(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)

    model = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
    sample = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)(["query: пример"], return_tensors="pt")
    target, tmp = folder / ONNX_FILE, folder / (ONNX_FILE + ".tmp")
    log.info("exporting %s to ONNX (once)", folder)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about data-dependent branches that do not apply to e5
        torch.onnx.export(Pooled(model), (sample["input_ids"], sample["attention_mask"]), str(tmp),
                          input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                                        "embedding": {0: "batch"}},
                          opset_version=17, dynamo=False)
    tmp.replace(target)
    return target


class OnnxEncoder:
    """Tokenize with the folder's tokenizer (ingest/subwords.py; truncated to the model window) and run the ONNX graph."""

    def __init__(self, folder: Path, max_tokens: int = 512):
        import onnxruntime

        from ingest.subwords import Subwords

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        # Reading the tokenizer and creating the session (1-3 s) runs beside whatever the process does next (connecting
        # to the store, an index loading its records); the first encode waits for it. The session is native code that
        # releases the GIL; the tokenizer holds it while it reads (0.35 s for the cut vocabulary, 0.75 s for the whole).
        self._session: onnxruntime.InferenceSession | BaseException | None = None
        self._tokenizer: Subwords | None = None

        def open_session() -> None:
            try:
                tokenizer = Subwords(folder, max_tokens)
                self.pad_id = tokenizer.pad_id
                self._tokenizer = tokenizer
                self._session = onnxruntime.InferenceSession(str(folder / ONNX_FILE), options, providers=["CPUExecutionProvider"])
            except BaseException as exc:  # raised in the thread that encodes
                self._session = exc

        # not a daemon: a process that exits meanwhile (an empty store) waits for it, since killing a thread inside
        # onnxruntime's native code aborts the interpreter ("terminate called without an active exception")
        self._opening = threading.Thread(target=open_session, name="onnx-session")
        self._opening.start()

    @property
    def session(self):
        self._opening.join()
        if isinstance(self._session, BaseException):
            raise RuntimeError(f"could not load the ONNX model: {self._session}") from self._session
        return self._session

    @property
    def tokenizer(self):
        self.session  # noqa: B018 (waits for the loading thread, and raises what it raised)
        return self._tokenizer

    def token_count(self, text: str) -> int:
        return len(self.tokenizer.encode_batch([text])[0])

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        out = np.zeros((len(texts), 0), np.float32)
        order = np.argsort([len(e) for e in encodings], kind="stable")  # similar lengths share a batch: less padding
        parts: dict[int, np.ndarray] = {}
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            width = max(len(encodings[i]) for i in rows)
            ids = np.full((len(rows), width), self.pad_id, np.int64)
            mask = np.zeros((len(rows), width), np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i])
                ids[r, :n], mask[r, :n] = encodings[i], 1
            for i, vector in zip(rows, self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]):
                parts[int(i)] = vector
        if parts:
            out = np.stack([parts[i] for i in range(len(texts))]).astype(np.float32)
        return out
