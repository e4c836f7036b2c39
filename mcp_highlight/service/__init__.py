"""The studio: one API for both fronts (sessions, routing, instruction -> edit)."""
