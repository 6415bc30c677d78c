"""Personal data: purging text wherever it is stored, a person's export, erasing a leaver."""
