"""The Webex API client: auth, base URL, rate limit, retries, errors, pagination. Knows no stage.

``client.WebexClient`` is the entry; ``ratelimit`` and ``adaptive`` pace every worker under one budget,
``http`` builds the one ``httpx.AsyncClient`` every request goes through, ``auth`` and ``tokens`` put the
token on them (refreshing it on a 401), ``tracking`` numbers and counts them, ``errors`` turns answers into
the ``batch.errors`` tree.
"""
