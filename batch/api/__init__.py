"""The Webex API client: auth, base URL, rate limit, retries, errors, pagination. Knows no stage.

``client.WebexClient`` is the entry; ``ratelimit`` paces every worker under one budget, ``http`` and
``net`` carry the requests, ``errors`` turns answers into the ``batch.errors`` tree.
"""
