"""`python -m sparkvsr` runs the command line."""

import sys

from sparkvsr.cli import main

sys.exit(main())
