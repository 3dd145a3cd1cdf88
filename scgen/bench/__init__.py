"""Benchmarks behind ``scgen bench``: per-primitive cycle rates and the engine comparison."""
