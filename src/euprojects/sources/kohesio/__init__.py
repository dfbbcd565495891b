"""Kohesio, the Commission's portal of cohesion-policy projects and beneficiaries."""
