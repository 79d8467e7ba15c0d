"""Stage 5, report: row results and problems → the files a partner reads.

``results`` folds job outcomes into one ``RowResult`` per input row, ``aligned`` puts them beside their
input rows; ``writer`` writes ``results.csv`` and the rest, ``xlsx`` the workbook, ``retry`` the rows to
run again, ``summary`` ``summary.json``, ``validation`` the validation reports; ``cells`` guards every
written cell against formula injection.
"""
