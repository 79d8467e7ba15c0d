"""``rtm-batch undo OUT`` (issue 20, contract §2 *Undo*): reverse what the run in ``OUT`` did, newest first.

The journal is the record of what the run did: every job's outcome, its ids and (since journal schema 3) the
object's before- and after-image. ``steps`` turns its rows into what undo would do (pure); ``inspect`` reads
the server to see whether each object is still as the run left it (changed since: left alone and named);
``reverse`` sends the writes; ``command`` wires them with the guards (``--within``, ``--max-deletes``,
``--dry-run``) and writes the reports into ``OUT/undo/``.
"""
