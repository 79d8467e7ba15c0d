"""Stage 1, load: a workbook or CSV folder → one polars frame per sheet, with Excel row numbers.

``inputs.load_inputs`` is the entry; ``csv`` and ``xlsx`` read the two file kinds into text grids.
Hands ``LoadedBatch`` (frames + load problems) to ``batch.validate``.
"""
