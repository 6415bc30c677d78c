"""SCIM 2.0 (/scim/v2), tested over real HTTP on loopback."""
