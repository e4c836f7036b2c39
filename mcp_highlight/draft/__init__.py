"""The draft: the timeline JSON both backends speak (`model`), and what changed between two drafts (`diff`)."""
