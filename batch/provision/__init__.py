"""The Webex domain: one module per object kind (customers, locations, users, prune), the look-ups they
share (``lookups``), request bodies and comparisons, and the read-only preview of ``plan --base-url``.
``actions.ACTIONS`` maps each job kind to its action."""
