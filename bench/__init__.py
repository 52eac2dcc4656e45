"""Benchmarks for Marquee (see bench/README.md); not part of the installed package."""
