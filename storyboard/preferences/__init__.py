"""A person's preferences: what they hear about, and how often the digest comes."""
