"""``rtm-batch undo OUT`` (issue 20, contract §2 *Undo*): reverse what the run in ``OUT`` did, newest first.

The journal is the record of what the run did: every job's outcome, its ids and (since journal schema 3) the
object's before- and after-image. ``steps`` turns its rows into what undo would do (pure); ``order`` says which
of them may run at once (pure); ``guard`` reads each delete first for ``--max-deletes``; ``reverse`` and
``locations`` read each object (changed since: left alone and named) and send the writes; ``command`` wires
them with the guards (``--within``, ``--dry-run``) and writes the reports into ``OUT/undo/`` by the run's own
writers (``batch.report.lines``).
"""
