"""Answering: retrieve paragraphs → verbatim quotes with citations, or a refusal."""
from qa.answer import Answer, Citation, answer

__all__ = ["Answer", "Citation", "answer"]
