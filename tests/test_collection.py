"""Answering over a real collection (../shared/corpus + the seed): floors on collection-dev and four sets of its kind, what may be cited, answers
across statements, header questions, filters that exclude every answer."""
from __future__ import annotations

import pytest

from qa.answer import answer
from qa.eval import load_questions, metrics_by_language, run
from qa.retrieve import Filters
from tests.conftest import ROOT, SHARED, make_settings

COLLECTION_DEV = SHARED / "eval" / "collection-dev" / "questions.jsonl"
MORE_SETS = sorted((ROOT / "data" / "eval").glob("collection_dev*.jsonl"))  # the same kind, written apart from the code


@pytest.fixture(scope="module")
def collection(tmp_path_factory, embedder):
    if not COLLECTION_DEV.exists():
        pytest.skip("../shared/eval/collection-dev not available")
    from ingest.pipeline import add
    from ingest.store import open_store
    from qa.index import Index

    s = make_settings(tmp_path_factory.mktemp("collection"))
    store = open_store(s)
    summary = add(sorted((SHARED / "corpus").glob("*.txt")) + [ROOT / "data" / "statements"], store, embedder,
                  context=s.passage_context)
    assert not summary.failed and not summary.duplicates
    index = Index(store, embedder, s)
    index.refresh()
    return index


@pytest.fixture(scope="module")
def dev_results(collection):
    return run(load_questions([COLLECTION_DEV, *MORE_SETS]), collection)


def test_collection_floors(dev_results):
    """Floors a little under the values measured (session 24), over collection-dev and the four sets of its kind in
    data/eval (400 questions): cited correct 0.781 (EN 0.769 / RU 0.794), R@3 0.931, unanswerable refused 0.688,
    answerable refused 0.044, citation precision 0.77, gold statements cited on the multi-document questions 0.575 (0.76
    over all questions with several gold statements). The models are fitted on these sets among others, so these are in-sample: held out (each set by
    models fitted without it, `python -m qa.heldout`) cited correct is 0.694, unanswerable refused 0.625, answerable
    refused 0.053."""
    table = metrics_by_language(dev_results)
    assert table["all"]["verbatim_quotes"] == 1.0
    assert table["all"]["cited_correct"] >= 0.74 and table["all"]["R@3"] >= 0.89
    assert table["en"]["cited_correct"] >= 0.73 and table["ru"]["cited_correct"] >= 0.75
    assert table["all"]["unanswerable_refused"] >= 0.65 and table["all"]["answerable_refused"] <= 0.065
    assert table["all"]["citation_precision"] >= 0.70
    assert table["multi-doc"]["multi_doc_statements_cited"] >= 0.52


def test_a_question_about_two_documents_is_not_refused_for_naming_the_other(collection):
    """Each document lacks the other's year and name (1991 and the Minsk Agreement; 2018 and the CSTO): another retrieved
    statement holds them, so neither refuses the question."""
    a = answer("На какие принципы и документы ООН ссылаются Минское соглашение 1991 года и заявление ОДКБ 2018 года?", collection)
    cited = {c.statement_id for c in a.citations}
    assert a.answered and "000_c45cd2c457b35d6b" in cited and any(s.startswith("cis_") for s in cited)


@pytest.mark.parametrize("question", [
    "What do the 1991 agreement establishing the CIS and the 2002 general principles of official conduct of civil servants "
    "say about the rights of citizens?",
    "Что говорят об уважении прав человека соглашение 1991 года о создании СНГ и общие принципы служебного поведения "
    "госслужащих 2002 года?"])
def test_a_document_named_by_its_year_and_body_is_cited_though_the_hits_went_to_the_other(collection, question):
    """All ten hits are the 2002 principles' paragraphs, which lack 1991 and the CIS: the CIS agreement, further down
    and dated 1991 with the Commonwealth in its title, is named by the question too, so it is cited, not refused for."""
    a = answer(question, collection)
    cited = {c.statement_id for c in a.citations}
    assert a.answered and "kremlin_act_18458_ru" in cited and any(s.startswith("cis_") for s in cited)


def test_a_place_only_another_statement_mentions_still_refuses(collection):
    """A place is not a document's name: a decree on Chechnya does not answer about Dagestan, wherever else it is named."""
    a = answer("Какие задачи возложены на военные комендатуры в Республике Дагестан по указу 2002 года?", collection)
    assert not a.answered and "Дагестан" in a.reason


def test_a_name_another_statement_spells_is_missing_not_spelled_otherwise(collection):
    """Krasnodar is not in the Krasnoyarsk decree; the decree on judges spells it («Краснодарского»), so the name is known
    to be absent from the first, not a transliteration its text may vary (which only weighs against answering)."""
    from qa.query import read_query
    from qa.refusal import misses
    from qa.retrieve import search

    for question, name in [("Whom did Putin appoint as acting governor of Krasnodar Krai?", "Krasnodar"),
                           ("Кого назначили временно исполнять обязанности губернатора Краснодарского края?", "Краснодарского")]:
        query = read_query(collection, question)
        decree = next(h for h in search(collection, query, 20).hits if h.statement_id == "kremlin_act_18643_ru")
        assert ("name_missing", (name,)) in [(r.code, r.values) for r in misses(query, decree, collection)[0]]
    query = read_query(collection, "Whom did Putin appoint as acting governor of Krasnoyarsk Krai?")
    decree = next(h for h in search(collection, query, 20).hits if h.statement_id == "kremlin_act_18643_ru")
    assert not misses(query, decree, collection)[0]


def test_no_signature_or_annex_stamp_answers_a_content_question(dev_results, collection):
    """Unless the question asks when or where (the documents signed in Kazakhstan, and when: asked of several)."""
    from qa.query import read_query

    kinds = {(m["statement_id"], m["paragraph"]): m.get("kind") for m in collection.metas}
    for r in dev_results:
        if r["kind"] in ("content", "multi-doc") and r["citations"]:
            query = read_query(collection, r["question"])
            if query.about_statement or query.asks_date:
                continue
            first = r["citations"][0]
            assert kinds[(first["statement_id"], first["paragraph"])] not in ("signature", "annex-title", "heading", "note"), r["id"]


def test_an_answer_cites_each_statement_that_answers(collection):
    a = answer("Какие указы вступают в силу со дня подписания?", collection)
    cited = {c.statement_id for c in a.citations}
    assert a.answered and len(cited) >= 2, a.answer
    data = a.to_json()
    assert len(data["statements"]) == len(cited) and sum(len(s["citations"]) for s in data["statements"]) == len(data["citations"])
    assert all(c["text"] and c["quote"] in c["text"] for c in data["citations"])


def test_when_and_where_is_answered_from_the_signature_block(collection):
    a = answer("Когда и где был подписан указ о временно исполняющем обязанности губернатора Красноярского края?", collection)
    first = a.citations[0]
    assert (first.statement_id, first.kind) == ("kremlin_act_18643_ru", "signature")
    assert "3 октября 2002 года" in first.quote and "Москва, Кремль" in first.quote


def test_a_table_row_is_cited_with_its_label_path(collection):
    a = answer("Какая сумма выделена Казанской воспитательной колонии?", collection)
    first = a.citations[0]
    assert first.kind == "table-row" and first.label == "Приложение, строка 1" and "2531" in first.quote


def test_filters_that_exclude_every_answer_say_so(collection):
    a = answer("Is everyone entitled to freedom of movement?", collection, filters=Filters(since="2018-01-01"))
    assert not a.answered
    assert "outside the chosen filters" in a.reason and "udhr" not in a.reason  # counts, no ids
    outside = next(r for r in a.to_json()["reasons"] if r["code"] == "outside_filters")
    assert outside["values"][0] == len(outside["statements"]) and "udhr_en" in outside["statements"]
    # the chat names them in the reader's words, from the codes (not by parsing the English line)
    from qa.explain import refusal_line

    words = refusal_line(a.to_json()["reasons"], "ru", outside_names=["Всеобщая декларация прав человека"])
    assert words.startswith("В заявлениях нет ответа: ") and "Всеобщая декларация прав человека" in words
    assert "outside" not in words and "weak" not in words


def test_parallel_statements_are_found_and_cited_together(collection):
    """The English and Russian UDHR are one text in two languages, and the Minsk agreement is also inside the PDF
    compendium: found from their paragraphs alone, and an answer quoting one quotes the matching part of the other."""
    linked = {(collection.metas[i]["statement_id"], collection.metas[j]["statement_id"])
              for i, rows in collection.parallel.items() for j in rows}
    assert ("udhr_en", "udhr_ru") in linked and ("udhr_ru", "udhr_en") in linked
    assert any(a.startswith("cis_1991") and b.startswith("cis_agreements") for a, b in linked)
    assert not any(a.startswith("kremlin") or b.startswith("kremlin") for a, b in linked)  # one genre is not one text

    cited = answer("Has everyone the right to seek asylum from persecution?", collection).citations
    udhr = {c.statement_id: c for c in cited if c.statement_id.startswith("udhr")}
    assert set(udhr) == {"udhr_en", "udhr_ru"}
    assert "asylum" in udhr["udhr_en"].text and "убежища" in udhr["udhr_ru"].text
    only_english = answer("Has everyone the right to seek asylum from persecution?", collection,
                          filters=Filters(statement_ids=["udhr_en"])).citations
    assert {c.statement_id for c in only_english} == {"udhr_en"}  # the filters still rule


@pytest.mark.parametrize("filters", [
    Filters(), Filters(statement_ids=["udhr_en", "kremlin_act_18441_ru"]), Filters(since="2002-08-01"),
    Filters(until="1991-12-31"), Filters(since="2002-01-01", until="2002-09-30"),
    Filters(issuer="Президент Российской Федерации"), Filters(statement_ids=["udhr_en", "udhr_ru"], since="1948-01-01"),
])
def test_filters_mask_equals_the_rule_per_part(collection, filters):
    """The vectorised filter (what retrieval uses) says exactly what Filters.allows says of each part."""
    expected = [filters.allows(m) for m in collection.metas]
    assert filters.mask(collection).tolist() == expected
    assert any(expected) or filters.until == "1991-12-31"


def test_english_verbs_translate_to_the_decrees_own_words(collection):
    # The dictionary's first sense is kept beside the one nearest by embedding (which read "approving" as проявлять),
    # and reaches the corpus's aspect of the verb («Одобрить», «назначается»).
    from qa.query import read_query

    query = read_query(collection, "Who appoints the commandant, and who signed the order approving the draft?")
    assert "назначить" in query.translations["appoints"]
    assert "одобрить" in query.translations["approving"]


def test_how_many_is_answered_by_a_list_of_entries(collection):
    # Four judges named under one court heading: the list's length answers "how many", though no entry is a figure, so
    # the figure rule leaves the list's entries to the refusal model. (Whether that model answers is its calibrated
    # call: since session 15 it declines both questions here, p 0.13 against the threshold 0.22, the best paragraph
    # being another point of the decree; collection-dev's d022 about the same list is answered.)
    from qa.query import read_query
    from qa.refusal import misses
    from qa.retrieve import search

    for question in ("Сколько судей назначено в Курский областной суд?",
                     "Сколько судей и кто именно назначены в Курский областной суд указом от 25 октября 2002 года?"):
        query = read_query(collection, question)
        hits = search(collection, query, 10).hits
        entry = next(h for h in hits if "Курского областного суда" in h.meta.get("context", ""))
        assert hits[0].statement_id == entry.statement_id == "kremlin_act_18777_ru"
        assert query.asks_quantity and not any(r.code == "no_figure" for r in misses(query, entry, collection)[0])
        assert all(r.code != "no_figure" for r in answer(question, collection).reasons)


def test_a_list_of_duties_does_not_answer_how_many(collection):
    """Only a roster's entries (a name, a place) count by the list's length; a long clause of a list of duties under one
    heading gives no figure, so "how many" asked of it is refused for want of one."""
    from qa.parts import gives_figure
    from qa.query import read_query
    from qa.refusal import ROSTER_WORDS, misses
    from qa.retrieve import search

    query = read_query(collection, "Сколько офицеров служит в военной комендатуре Чеченской Республики?")
    hits = search(collection, query, 10).hits
    duty = next(h for h in hits if h.meta.get("kind") == "item" and h.meta.get("context")
                and len(h.text.split()) > ROSTER_WORDS and not gives_figure(h.text))
    assert query.asks_quantity and any(r.code == "no_figure" for r in misses(query, duty, collection)[0])


def test_beyond_header_is_what_the_question_asks_past_naming_its_statement(collection, seed_index):
    from qa.query import read_query
    from qa.refusal import beyond_header
    from qa.retrieve import search

    def share(index, question: str) -> float:
        query = read_query(index, question)
        return beyond_header(query, search(index, query, 5).hits[0], index)

    # the decree's own title words pick it out of 18 statements: little is asked beyond them
    named = share(collection, "О назначении судей краевого суда, областных судов и городского суда")
    detail = share(collection, "Кто назначен судьей Курского областного суда?")
    assert named < 0.2 < detail < 1.0
    # in a store of one statement nothing needs picking
    assert share(seed_index, "Which operations are named in the statement on terrorism?") == 1.0


def test_a_date_question_brings_its_statements_signature_into_the_pool(collection):
    """«Москва, Кремль 3 октября 2002 года N 1112» has too few words for a question's to find it, so a question that
    asks for a date (even without naming the decree) adds the strongest statements' headers and signature blocks."""
    import numpy as np

    from qa.features import candidates
    from qa.query import read_query
    from qa.retrieve import allowed_parts

    query = read_query(collection, "On what date was Alexander Khloponin put in temporary charge of Krasnoyarsk Krai?")
    assert query.asks_date and not query.about_statement
    found = candidates(collection, query, allowed_parts(collection, None, query), collection.settings.fusion_pool)
    signature = [i for i, m in enumerate(collection.metas)
                 if m["statement_id"] == "kremlin_act_18643_ru" and collection.kinds[i] == "signature"]
    assert signature and np.isin(signature, found.rows).all()
    assert set(collection.metadata_of(np.array(signature)).tolist()) >= set(signature)


def test_a_word_every_paragraph_of_a_statement_repeats_says_least_within_it(collection):
    import numpy as np

    rows = np.array([i for i, m in enumerate(collection.metas) if m["statement_id"] == "kremlin_act_18435_ru"
                     and collection.answers[i]])
    common = collection.lexical.within_statement("попечительский совет", rows)
    rare = collection.lexical.within_statement("председатель", rows)
    chair = [j for j, i in enumerate(rows) if collection.docs[i].startswith("Председателем")]
    assert chair and rare[chair[0]] > common[chair[0]] > 0


@pytest.mark.parametrize("question, cited, not_cited", [
    # the 1991 agreement asked about: the 2018 CSTO statement, which also speaks of withdrawing, is no second answer
    ("Может ли участник Минского соглашения 1991 года приостановить его действие, и за какой срок он должен предупредить "
     "остальных?", {"cis_1991-12-08_agreement_establishing_cis_en"}, {"000_c45cd2c457b35d6b"}),
    # the UN documents of the CSTO (2018) and of the CIS founders (1991): the UDHR gives neither body nor year
    ("На какие документы ООН опираются в своих заявлениях ОДКБ в 2018 году и основатели СНГ в 1991 году?",
     {"000_c45cd2c457b35d6b"}, {"udhr_ru", "udhr_en"}),
    # each of two documents gives what the other lacks (2018 and the CSTO; 2002 and Chechnya): both are cited
    ("Counter-terrorism shows up both in a 2018 CSTO statement and in a 2002 Russian decree on Chechnya. What does each "
     "of them set out to achieve?", {"000_c45cd2c457b35d6b", "kremlin_act_18649_ru"}, set()),
])
def test_a_second_statement_is_cited_only_if_it_is_one_of_the_documents_asked_about(collection, question, cited, not_cited):
    """A statement further down is no second answer when it lacks a year or body the question names and the first
    statement gives, and gives none the first lacks (in the 100k bench store, "Which operations are named in the CSTO
    statement?" cited four copies of a man page beside the CSTO statement)."""
    a = answer(question, collection)
    got = {c.statement_id for c in a.citations}
    assert a.answered and cited <= got and not got & not_cited, got


def test_a_word_placed_across_scripts_gets_no_nearest_lemma_guess(collection):
    """A word the abbreviations or the corpus's names place in the other script (CSTO is ОДКБ; Kultura is «Культура») is
    not also read as its nearest corpus lemma: among 100k man-page paragraphs that guess read CSTO as «Коста»."""
    lexical, vectors, dictionary = collection.lexical, collection.query_vectors, collection.dictionary
    assert lexical.translate(["Kultura"], vectors, dictionary) == {"Kultura": ["культура"]}  # the guess, unplaced
    assert lexical.translate(["Kultura"], vectors, dictionary, placed=frozenset({"Kultura"})) == {}
    from qa.query import read_query

    assert "культура" in read_query(collection, "Who chairs the board of trustees of Kultura?").translations["Kultura"]


def test_a_figure_asked_of_a_paragraph_without_one_is_answered_by_the_next_that_gives_one(collection):
    """The kind of answer a question asks narrows the answers before it refuses: when the best paragraph gives no
    figure for "how many", the retrieved paragraphs that give one are the answers, if the best of them is ranked within
    FIGURE_MARGIN of the best; beyond that margin the question is refused for want of a figure, as before. (Held out, six answerable
    "how many / what sum" questions were refused this way, the paragraph with the figure one or two ranks down.)"""
    from dataclasses import replace

    from qa.parts import gives_figure
    from qa.query import read_query
    from qa.refusal import FIGURE_MARGIN, evidence, lacks_figure, of_the_kind_asked
    from qa.retrieve import search

    query = read_query(collection, "How many young workers at most could get a draft deferment under the 2002 decree?")
    found = search(collection, query, 10)
    bare = next(h for h in found.hits if not gives_figure(h.text))
    figure = next(h for h in found.hits if gives_figure(h.text) and h.statement_id == bare.statement_id)
    for gap, answered_by in ((FIGURE_MARGIN / 2, figure), (FIGURE_MARGIN * 2, bare)):
        hits = [replace(bare, score=10.0), replace(figure, score=10.0 - gap)]
        ordered = replace(found, hits=hits + [h for h in found.hits if h not in (bare, figure)])
        top = evidence(query, ordered, ordered.hits[0], collection)
        assert [m.code for m in top.misses] == ["no_figure"]
        chosen, ev = of_the_kind_asked(query, ordered, collection, top)
        assert chosen.hits[0].text == answered_by.text and bool(ev.misses) == (answered_by is bare)
        # within the margin the answers are the paragraphs that give a figure (a second statement's too); beyond it, all
        assert chosen.hits == ordered.hits if answered_by is bare else not any(lacks_figure(query, h, collection) for h in chosen.hits)
    a = answer("How many young workers at most could get a draft deferment under the 2002 decree?", collection)
    assert all(r.code != "no_figure" for r in a.reasons)
    assert not a.answered or gives_figure(a.citations[0].text)


def test_two_texts_of_one_instrument_are_cited_at_matching_paragraphs(collection):
    """When both the English and the Russian UDHR answer, the one ranked lower is cited at the paragraph matching the
    higher one's (the preamble's Charter clause in both), not at its own best, which may be another paragraph: both are
    one text, and a reader comparing the quotes expects the same article twice."""
    from qa.metrics import normalise

    for question in ("Which documents mention the Charter of the United Nations?",
                     "Has everyone the right to seek asylum from persecution?"):
        cited = answer(question, collection).citations
        udhr = [c for c in cited if c.statement_id.startswith("udhr")]
        assert {c.statement_id for c in udhr} == {"udhr_en", "udhr_ru"}, question
        first, second = udhr[0], udhr[1]
        matching = {(collection.metas[j]["statement_id"], collection.metas[j]["paragraph"])
                    for i in collection.by_paragraph[(first.statement_id, first.paragraph)] for j in collection.parallel.get(i)}
        assert (second.statement_id, second.paragraph) in matching, (question, normalise(second.text)[:80])
