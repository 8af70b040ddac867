"""A LangChain retriever over the statements: cited quotes as Documents, refusals as a Document that says why."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from qa.answer import answer
from qa.retrieve import Filters


class StatementRetriever(BaseRetriever):
    """`invoke(question)` → one Document per citation (its quote), metadata: statement_id, title, date, paragraph,
    label, kind, the full paragraph, score, refused; when the statements are silent, one empty Document with
    refused=True and the reason. Filters are fields: statement_ids, since, until (ISO dates)."""

    index: Any
    k: int = 10
    statement_ids: list[str] = []
    since: str = ""
    until: str = ""

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = answer(query, self.index, self.k, Filters(list(self.statement_ids), self.since, self.until))
        if not result.answered:
            return [Document(page_content="", metadata={"refused": True, "reason": result.reason})]
        scores = {(h.statement_id, h.paragraph): h.score for h in result.retrieved}
        return [Document(page_content=c.quote, metadata={
            "statement_id": c.statement_id, "title": c.title, "date": c.date, "paragraph": c.paragraph, "label": c.label,
            "kind": c.kind, "text": c.text, "score": scores.get((c.statement_id, c.paragraph)), "refused": False,
        }) for c in result.citations]


def format_citations(documents: list[Document]) -> str:
    """Documents → '«quote» — title, date, label ¶n' lines, or the refusal reason."""
    if documents and documents[0].metadata.get("refused"):
        return f"Not found in the statements ({documents[0].metadata['reason']})."
    lines = []
    for d in documents:
        m = d.metadata
        where = f"{m['label']}, ¶{m['paragraph']}" if m["label"] else f"¶{m['paragraph']}"
        lines.append(f"«{d.page_content}» — {m['title']}, {m['date'] or 'undated'}, {where}")
    return "\n".join(lines)
