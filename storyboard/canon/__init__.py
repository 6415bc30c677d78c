"""The canon library: the stories HR chose to retell, with what to learn from each, for everyone."""
