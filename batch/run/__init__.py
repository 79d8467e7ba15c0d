"""Stage 4, run: executes a plan's jobs against the Webex API and returns one ``Outcome`` per job.

``runner.run_batch`` is the entry (load → validate → plan → execute → report); ``executor`` starts each
job when its parents succeed, ``journal`` makes a crashed run resumable, ``progress`` shows it, ``actions/``
holds one module per object kind. ``preview`` backs ``plan --base-url``: it looks things up on a server
(read-only), so it lives here and not in the pure ``batch.plan``.
"""
