"""euprojects: search portal and open-data API for European cooperation projects."""

__version__ = "0.1.0"
