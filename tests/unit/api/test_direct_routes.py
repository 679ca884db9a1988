"""What the direct routes refuse to take over, and how they find a handler."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from starlette.types import Message, Receive, Scope, Send

from app.api.direct_routes import DirectRoutes


def container() -> object:
    return object()


Container = Annotated[object, Depends(container)]


def build(router: APIRouter, handlers: dict[Any, Any] | None = None) -> DirectRoutes:
    async def fastapi(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("handed on")

    return DirectRoutes(
        fastapi,
        owner=object(),
        routes=router.routes,
        container=object,
        container_dependency=container,
        handlers=handlers or {},
    )


def test_a_header_parameter_is_refused_at_start() -> None:
    router = APIRouter()

    @router.get("/things/{key}")
    async def thing(
        c: Container, key: Annotated[str, Path()], agent: Annotated[str, Header()]
    ) -> Response:
        return Response()

    with pytest.raises(ValueError, match="'agent' cannot be answered directly"):
        build(router)


def test_an_aliased_query_parameter_is_refused_at_start() -> None:
    router = APIRouter()

    @router.get("/things")
    async def things(c: Container, kind: Annotated[str, Query(alias="type")]) -> Response:
        return Response()

    with pytest.raises(ValueError, match="'kind' cannot be answered directly"):
        build(router)


def test_a_route_of_another_method_is_refused_at_start() -> None:
    router = APIRouter()

    @router.post("/things")
    async def things(c: Container) -> Response:
        return Response()

    with pytest.raises(ValueError, match="only GET routes"):
        build(router)


def test_an_endpoint_without_the_container_is_refused_at_start() -> None:
    router = APIRouter()

    @router.get("/things")
    async def things(kind: Annotated[str, Query()]) -> Response:
        return Response()

    with pytest.raises(ValueError, match="does not take the container"):
        build(router)


async def test_an_exception_is_answered_by_the_handler_of_its_nearest_class() -> None:
    class Base(Exception): ...

    class Child(Base): ...

    router = APIRouter()

    @router.get("/things")
    async def things(c: Container) -> Response:
        raise Child

    async def on_base(request: Request, exc: Exception) -> Response:
        return Response(b"base", status_code=418)

    async def on_any(request: Request, exc: Exception) -> Response:
        return Response(b"any", status_code=500)

    direct = build(router, {Exception: on_any, Base: on_base})
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/things", "query_string": b""}
    await direct(scope, receive, send)

    assert sent[0]["status"] == 418
    assert sent[1]["body"] == b"base"


async def test_an_exception_without_a_handler_propagates() -> None:
    router = APIRouter()

    @router.get("/things")
    async def things(c: Container) -> Response:
        raise LookupError("no handler for me")

    direct = build(router)

    async def receive() -> Message:
        return {"type": "http.request"}

    async def send(message: Message) -> None:
        raise AssertionError("nothing is sent")

    scope = {"type": "http", "method": "GET", "path": "/things", "query_string": b""}
    with pytest.raises(LookupError, match="no handler for me"):
        await direct(scope, receive, send)
