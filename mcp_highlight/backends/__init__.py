"""Backends: where sessions, media, drafts and renders live (local engine or the hosted agent)."""
