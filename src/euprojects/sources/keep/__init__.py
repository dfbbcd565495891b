"""keep.eu, the Interreg projects database: its project pages as text or saved HTML."""
