"""``rtm-batch export``: what is on the server, written back in the input form (contract §2 *Export*).

``read`` lists what the server holds per customer (through the run's own look-ups), ``rows`` turns it into
the input sheets (pure), ``ranges`` writes a location's numbers as a person would, ``write`` puts the sheets
and the ``_ids`` sheet into a workbook or a CSV folder, ``exporter`` wires them and counts.
"""
