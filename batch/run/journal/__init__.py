"""The journal and what a resume may trust: ``store`` (the SQLite file, its lock and its migrations) and
``trust`` (which recorded outcomes still hold for this plan, and which work a crashed run left unfinished)."""
