"""Controlled change (issue 20): number activation, change windows and cut-over times.

What a partner's change process asks of a run, kept beside the engine rather than inside it: the run
hands its plan, its actions and its stop control to these modules, which add or hold work but never
send a request of their own outside the run's one client.
"""
