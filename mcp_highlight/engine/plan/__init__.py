"""Stage 3, plan: analyses and a request (length or count, order) in, a `Plan` of clips out: peaks with lead-in and
reaction time, snapped to shot cuts, no overlaps, fitted to the length."""
