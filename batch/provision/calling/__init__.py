"""What calling adds to a location and a user: the PSTN connection, the numbers a user may hold, and a
calling user's number, extension and location against the row."""
