"""Organisations across sources: what each source says of one body, merged."""
