"""Every run this machine (or this config) made, kept in one SQLite file: ``rtm-batch history``, the trend in
report.html, ``--notify-on change`` ("did last night end the same way?") and the metrics' last success.

``records`` holds ``RunRecord``, one run as history keeps it; ``store`` reads and writes the file. The
stage knows no other stage: it is handed summaries and plain values.
"""
