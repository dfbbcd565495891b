"""API errors: a status, a message that says what to change, and the parameter at fault."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
from fastapi.responses import Response

from euprojects.web.schemas import ErrorEnvelope, Problem


class ApiProblem(Exception):
    def __init__(
        self, status: int, message: str, parameter: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.parameter = status, message, parameter
        self.headers = dict(headers or {})


def problem_response(
    status: int, message: str, parameter: str | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    if parameter is None and ":" in message:
        head = message.split(":", 1)[0]
        parameter = head if head.isidentifier() else None
    body = msgspec.json.encode(ErrorEnvelope(ok=False, error=Problem(status, message, parameter)))
    return Response(body, status_code=status, media_type="application/json", headers=headers)
