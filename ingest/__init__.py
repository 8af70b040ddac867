"""Ingestion: statement files → parsed paragraphs → embedded chunks → Chroma."""
