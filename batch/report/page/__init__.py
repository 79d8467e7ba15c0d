"""report.html, one idea in its own room: ``html`` renders the page from what the run wrote, ``details``
reads results.csv back (failures by reason, pending rows, changes), ``svg`` draws the charts, and
``templates/report.html.j2`` lays them out."""
