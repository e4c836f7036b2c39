"""The local engine: probe -> analyse -> plan -> render. A pure library: no MCP, no sessions.

Every long call takes a `progress(fraction, message)` callback that may raise
`OperationCancelledError` to stop the work.
"""
