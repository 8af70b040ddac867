"""The LangChain retriever in a real LCEL chain over the seed store."""
from __future__ import annotations

from langchain_core.runnables import RunnableLambda

from qa.integrations.langchain import StatementRetriever, format_citations


def test_retriever_in_an_lcel_chain(seed_index):
    chain = StatementRetriever(index=seed_index) | RunnableLambda(format_citations)
    text = chain.invoke("Which operations are named?")
    assert "«ПРОКСИ»" in text and "¶8" in text and "2018-11-08" in text


def test_documents_carry_metadata_and_refusals_say_why(seed_index):
    docs = StatementRetriever(index=seed_index, k=5).invoke("Which operations are named?")
    first = docs[0].metadata
    assert first["paragraph"] == 8 and first["statement_id"] == seed_index.metas[0]["statement_id"] and not first["refused"]
    assert docs[0].page_content in first["text"] and first["score"] is not None
    refused = StatementRetriever(index=seed_index).invoke("What did the Council decide about the 2022 budget?")
    assert refused[0].metadata["refused"] and "2022" in refused[0].metadata["reason"] and refused[0].page_content == ""
    filtered = StatementRetriever(index=seed_index, since="2019-01-01").invoke("Which operations are named?")
    assert filtered[0].metadata["refused"]
