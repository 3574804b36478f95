"""The REST API (`/api/v1`): authentication and the governed recommendation routes.

`create_app(crossdock)` builds the FastAPI application over a wired Crossdock; the
workbench and the rest of the API (issue 8) grow on it.
"""

from crossdock.entrypoints.api.app import create_app

__all__ = ["create_app"]
