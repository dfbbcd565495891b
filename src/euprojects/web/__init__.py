"""The portal (server-rendered pages) and the open API (/api/v1)."""

from euprojects.web.app import create_app

__all__ = ["create_app"]
