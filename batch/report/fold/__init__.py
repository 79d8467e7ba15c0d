"""Job outcomes folded into one result per input row (results.csv's rows) and the Webex ids a row keeps."""
