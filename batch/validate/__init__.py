"""Stage 2, validate: loaded frames → ``Problem`` records and valid-row flags. Pure: no I/O.

``validator.validate`` is the entry; ``rules/`` holds the column, business, reference, uniqueness and
dependency checks; ``phones``, ``phone_fastpath`` and ``emails`` normalize cells. Hands ``ValidatedBatch``
to ``batch.plan`` and the validation report.
"""
