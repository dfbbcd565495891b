"""The national lists of operations that member states publish for the cohesion funds (one module
per country's layout, and what they share)."""
