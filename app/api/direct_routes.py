"""Direct routes: the player routes answered without FastAPI's request machinery.

A response-cache miss for a stored profile spent about a third of its CPU in FastAPI
itself: its middleware stack, the walk through the included routers, and the generic
solving of one dependency and up to three query parameters. `DirectRoutes` stands where
FastAPI's stack (`app.handle`) is entered and answers the routes it is given itself:

- the path is matched with each route's own compiled regex and convertors (starlette's),
  in the routes' order;
- each parameter is validated by a pydantic `TypeAdapter` of the endpoint's own
  annotation (the `Annotated[..., Path(...)]` / `Query(...)` the schema is built from), so
  it accepts exactly the values FastAPI accepts, converted the same way;
- the endpoint function itself is called, with the container, and its `Response` sent;
- an exception becomes a response through the app's own exception handlers, found as
  starlette finds them (the exception's classes in order).

Whatever it is not sure of goes on to FastAPI, which stays the reference: another method
than GET, a `root_path`, a path none of its routes match, a parameter given twice or
missing, a value that does not validate (FastAPI then writes the 422 and its details),
and every request while the app's `dependency_overrides` replace a dependency.
The answers are the same bytes and headers either way (`tests/e2e/test_direct_routes.py`
sends a corpus of requests to both and compares them).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from fastapi import params
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined
from starlette.convertors import Convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.cache_keys import query_pairs


@dataclass(frozen=True, slots=True)
class _Param:
    name: str
    adapter: TypeAdapter[Any]
    required: bool
    default: Any


@dataclass(frozen=True, slots=True)
class _Route:
    regex: re.Pattern[str]
    convertors: Mapping[str, Convertor[Any]]
    endpoint: Callable[..., Awaitable[Response]]
    container_arg: str
    path_params: tuple[_Param, ...]
    query_params: tuple[_Param, ...]


def _direct(route: APIRoute, container_dependency: Callable[..., Any]) -> _Route:
    """How `route` is answered directly; `ValueError` if it answers another method than
    GET, or its endpoint needs more than the container, path and plain query parameters."""
    if route.methods != {"GET"}:
        raise ValueError(f"{route.path}: only GET routes are answered directly")
    hints = get_type_hints(route.endpoint, include_extras=True)
    container_arg = None
    path_params: list[_Param] = []
    query_params: list[_Param] = []
    for name, parameter in inspect.signature(route.endpoint).parameters.items():
        annotation: Any = hints.get(name)
        markers = get_args(annotation)[1:] if get_origin(annotation) is Annotated else ()
        marker = markers[-1] if markers else None
        if isinstance(marker, params.Depends) and marker.dependency is container_dependency:
            container_arg = name
            continue
        if not isinstance(marker, params.Path | params.Query) or marker.alias is not None:
            raise ValueError(f"{route.path}: parameter {name!r} cannot be answered directly")
        default = parameter.default
        if default is inspect.Parameter.empty:
            default = marker.default
        required = default is PydanticUndefined or default is Ellipsis
        param = _Param(name, TypeAdapter(annotation), required, default)
        for example in marker.examples or ():  # the validator's first use (its pattern's
            _valid(param, example)  # compilation) is paid here, not by a first request
        (path_params if isinstance(marker, params.Path) else query_params).append(param)
    if container_arg is None:
        raise ValueError(f"{route.path}: the endpoint does not take the container")
    return _Route(
        route.path_regex,
        route.param_convertors,
        route.endpoint,
        container_arg,
        tuple(path_params),
        tuple(query_params),
    )


def _valid(param: _Param, value: Any) -> tuple[bool, Any]:
    try:
        return True, param.adapter.validate_python(value)
    except ValidationError:
        return False, None


class DirectRoutes:
    """An ASGI app answering `routes` itself and handing everything else to `app`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        owner: Any,
        routes: Iterable[BaseRoute],
        container: Callable[[], Any],
        container_dependency: Callable[..., Any],
        handlers: Mapping[Any, Callable[..., Any]],
    ) -> None:
        """`owner`: the application (`scope["app"]`, as handlers read it); `container`:
        the container at request time; `container_dependency`: the dependency that
        supplies it to endpoints; `handlers`: the app's exception handlers."""
        self.app = app
        self.owner = owner
        self.container = container
        self.handlers = handlers
        self.overrides: Mapping[Any, Any] = getattr(owner, "dependency_overrides", {})
        api_routes = [route for route in routes if isinstance(route, APIRoute)]
        self.routes = tuple(_direct(route, container_dependency) for route in api_routes)
        # What the paths of these routes start with: any other path goes on at once.
        self.prefixes = tuple({route.path.split("{", 1)[0] for route in api_routes})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = self._match(scope) if scope["type"] == "http" else None
        if answer is None:
            await self.app(scope, receive, send)
            return
        endpoint, kwargs = answer
        scope["app"] = self.owner  # as starlette sets it: handlers read `request.app`
        try:
            response = await endpoint(**kwargs)
        except Exception as exc:
            response = await self._handled(scope, receive, exc)
        await response(scope, receive, send)

    def _match(
        self, scope: Scope
    ) -> tuple[Callable[..., Awaitable[Response]], dict[str, Any]] | None:
        path: str = scope["path"]
        if scope["method"] != "GET" or scope.get("root_path") or not path.startswith(self.prefixes):
            return None
        if self.overrides:  # dependencies replaced (`app.dependency_overrides`): FastAPI's job
            return None
        for route in self.routes:
            match = route.regex.match(path)
            if match is None:
                continue
            kwargs: dict[str, Any] = {}
            for param in route.path_params:
                value = route.convertors[param.name].convert(match.group(param.name))
                ok, kwargs[param.name] = _valid(param, value)
                if not ok:
                    return None
            query: dict[str, str] = {}
            for name, value in query_pairs(scope["query_string"]):
                if name in query:
                    return None  # given twice: FastAPI says what that means
                query[name] = value
            for param in route.query_params:
                if param.name not in query:
                    if param.required:
                        return None
                    kwargs[param.name] = param.default
                    continue
                ok, kwargs[param.name] = _valid(param, query[param.name])
                if not ok:
                    return None
            kwargs[route.container_arg] = self.container()
            return route.endpoint, kwargs
        return None

    async def _handled(self, scope: Scope, receive: Receive, exc: Exception) -> Response:
        for cls in type(exc).__mro__:
            handler = self.handlers.get(cls)
            if handler is not None:
                response: Response = await handler(Request(scope, receive), exc)
                return response
        raise exc
