# Two commands for a fresh machine: `make run` (set up, ingest the bundled statements, start the chat)
# and `make test` (set up, run the tests). Everything else here is what they need.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | sha256sum | cut -c1-12)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: setup model dictionary browser run test lint bench eval heldout clean

setup: $(STAMP) model dictionary

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $(STAMP)

model: $(STAMP)
	$(PY) -c "from config import get_settings; from ingest.embedder import model_path; s = get_settings(); print(model_path(s.embedding_model, s.model_cache))"

# English→Russian dictionary (Debian mueller7-dict, GPL-2) used to translate English query words for BM25.
dictionary: $(STAMP)
	@test -f /usr/share/dictd/mueller7.index || { (apt-get update -qq && apt-get install -y -qq mueller7-dict >/dev/null) || echo "warning: could not install mueller7-dict; English questions will use embeddings alone"; }
	@$(PY) -c "from config import get_settings; from qa.dictionary import warm; print(warm(get_settings()))"

browser:
	@{ command -v chromium && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf; } >/dev/null 2>&1 || { (apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core >/dev/null) || echo "warning: could not install chromium; browser tests will be skipped"; }

run: setup
	$(PY) app.py

test: setup browser
	$(PY) -m pytest -q tests; rc=$$?; if [ $$rc -eq 5 ]; then echo 'no tests collected'; exit 0; fi; exit $$rc

bench: setup
	$(PY) bench/ingest_throughput.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Each question set on its own store: the seed sets on the bundled statement, collection-dev and the four more sets of its
# kind (data/eval/README.md) on ../shared/corpus plus the seed, with the LangChain tutorial pipeline for the ratio.
SHARED := ../shared
eval: setup
	QA_PERSIST_DIR=.cache/eval/seed $(PY) -m ingest add data/statements
	QA_PERSIST_DIR=.cache/eval/seed $(PY) -m qa.eval data/eval/seed.jsonl data/eval/seed_dev2.jsonl data/eval/seed_dev3.jsonl data/eval/seed_dev4.jsonl --report eval-seed.md
	QA_PERSIST_DIR=.cache/eval/collection $(PY) -m ingest add $(SHARED)/corpus/*.txt data/statements
	QA_PERSIST_DIR=.cache/eval/collection $(PY) -m qa.eval $(SHARED)/eval/collection-dev/questions.jsonl --report eval-collection.md --save .cache/eval/runs/collection.json
	QA_PERSIST_DIR=.cache/eval/collection $(PY) -m qa.eval data/eval/collection_dev*.jsonl --report eval-collection-more.md --save .cache/eval/runs/collection-more.json
	$(PY) bench/langchain_baseline.py

# The collection sets held out one at a time: each answered by a ranker and refusal model fitted without it (~12 min).
heldout: setup
	$(PY) -m qa.heldout --save .cache/eval/runs/heldout.json

clean:
	rm -rf .store .cache
