"""Stage 2, axis provenance: what every axis of every tensor is (axes, with the per-op-family
tables in ops), and the silent findings read from it (silent, compare; their fixes in fixes)."""
