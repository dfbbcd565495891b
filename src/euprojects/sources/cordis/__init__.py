"""CORDIS, the EU research projects' publisher: its project, organisation, participation, topic,
legal-basis and report tables in their official and derived layouts, and pages scraped from its site."""
