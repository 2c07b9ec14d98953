"""Extractive, structured answering over the store and index (no LLM)."""
