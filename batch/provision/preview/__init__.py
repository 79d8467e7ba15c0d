"""``plan --base-url``: the read-only preview, through the same look-ups and comparisons the actions use
(``rows``: what each row would do; ``checks``: what the server proves would fail)."""
