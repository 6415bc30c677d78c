"""The weekly digest: choosing an issue's stories, building the email, sending it once."""
