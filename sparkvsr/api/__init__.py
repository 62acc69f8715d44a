"""Versioned wire contract; `v1/` holds generated stubs only (see scripts/gen_protos.py)."""
