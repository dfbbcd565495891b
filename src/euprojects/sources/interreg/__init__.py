"""The Interreg programmes' own project lists."""
