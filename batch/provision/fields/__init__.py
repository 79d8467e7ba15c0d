"""A row's fields on the wire (``bodies``: what is sent) and against the server (``compare``: what differs)."""
