"""Benchmarks at the scale of a kabupaten, a province or the whole country (see README, "Benchmarks")."""
