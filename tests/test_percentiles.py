"""The row-wise NaN percentile (engine/judge/percentiles.py) gives NumPy's own values, NaN rows included."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from mcp_highlight.engine.judge.percentiles import nanpercentile_rows


@pytest.mark.parametrize("pct", [0, 10, 20, 30, 33.3, 50, 75, 90, 100])
def test_matches_numpys_nanpercentile_row_by_row(pct: float) -> None:
    rng = np.random.default_rng(int(pct * 10))
    for width in (1, 2, 7, 31, 40):
        rows = rng.normal(size=(60, width))
        rows[rng.random(rows.shape) < 0.4] = np.nan
        rows[:3] = np.round(rows[:3], 1)  # ties
        rows[5] = np.nan  # a row with no value at all
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = np.nanpercentile(rows, pct, axis=1)
        got = nanpercentile_rows(rows, pct)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
        np.testing.assert_allclose(got[~np.isnan(got)], expected[~np.isnan(expected)], rtol=0, atol=1e-12)
