"""The shared basics every layer may use: errors, logs, limits, durations, progress, settings, worker threads,
the source policy and session ownership. Nothing here imports the engine, the backends or the fronts."""
