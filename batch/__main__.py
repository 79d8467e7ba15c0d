"""``python -m batch`` runs the CLI (used by tests that need a subprocess)."""

from batch.cli import main

main()
