"""The run's reports for results that stand for no input row (``rtm-batch undo``'s journal lines): ``writer``."""
