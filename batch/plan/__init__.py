"""Stage 3, plan: validated rows → a dependency-ordered job graph. Pure: no I/O.

``graph.build_plan`` is the entry. Hands ``Plan`` (jobs, their parents, the rows each job serves) to
``batch.run``.
"""
