"""Adapters that let other tools use Statement QA (LangChain)."""
