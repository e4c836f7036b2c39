"""Test footage with ground truth: synthetic games, broadcasts, events and wing play, and the scores of a reel
against that truth. Used by the tests, the benchmarks and the demo; not part of the product package."""
