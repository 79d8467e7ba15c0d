"""results.xlsx's parts that are not xlsxwriter's: the data rows as sheet XML."""
