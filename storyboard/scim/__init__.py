"""SCIM 2.0 (/scim/v2/Users): the HR system creates, updates and deactivates people."""
