"""Generated from protos/sparkvsr/api/v1 by scripts/gen_protos.py. Do not edit."""
