"""Benchmarks: the big measurements that stay out of the test suite (see benchmarks/README.md)."""
