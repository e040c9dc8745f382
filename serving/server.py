"""Serving an ASGI application with uvicorn, one worker process per core: what `capa web`
runs, and bench/api_load.py measures. The application is named by its factory
("module:function"), so each worker, a fresh interpreter, builds its own. Every path logs
through serving.logs.log_config: no link token reaches a log line."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import socket
import sys
from multiprocessing.connection import wait
from typing import Any

import uvicorn
from uvicorn.importer import import_from_string

from capaflow.serving.logs import log_config

MAX_WORKERS = 4


def default_workers() -> int:
    """One worker process per core, up to MAX_WORKERS.

    The app is Python under one GIL, so a process serves from one core whatever its threads;
    on 2 cores a second process more than doubled what the API serves under 50 clients
    (bench/api_load.py). More than a few gain little on SQLite, whose writers queue on one
    lock, and each process holds its own pool of database connections.
    """
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, so asyncio turns Nagle's algorithm off on what it accepts (with
    # protocol 0 it does not, and every keep-alive answer waits ~40 ms for a delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _app(factory: str) -> Any:
    """The app its factory makes, with everything loaded so far frozen out of the garbage
    collector's sight.

    Modules, routes, schemas and settings (tens of MB of objects) live as long as the
    process, yet every full collection walked them all: under 50 clients the collector took
    ~18 % of a worker's time, in pauses of up to 0.3 s (bench/api_load.py). Frozen, they are
    never walked again; what requests allocate is collected as before.
    """
    app = import_from_string(factory)()
    gc.collect()
    gc.freeze()
    return app


def _worker(factory: str, host: str, port: int) -> None:
    sock = _listening_socket(host, port)
    uvicorn.Server(uvicorn.Config(_app(factory), log_level="info", log_config=log_config())
                   ).run(sockets=[sock])


def _stop(*_: Any) -> None:
    raise SystemExit(0)


def serve(factory: str, *, host: str, port: int, workers: int) -> None:
    """Serve the app that `factory` ("module:function") makes, as `capa web` does
    (bench/api_load.py serves its own factory through here, so it measures this).

    Several workers are processes of their own, each with its own listening socket on the
    same port (SO_REUSEPORT), so the kernel spreads new connections over them. uvicorn's
    `workers` share one socket instead: the worker that wakes first accepts a whole burst of
    connections and, with keep-alive, keeps them, and under 50 clients one worker served most
    of them while the other idled. A worker that stops stops the site (exit 1): `capa web`
    runs under something that restarts it, as `make run` does.
    """
    if workers == 1:
        uvicorn.run(_app(factory), host=host, port=port, log_level="info",
                    log_config=log_config())
        return
    if not hasattr(socket, "SO_REUSEPORT"):  # not on this system: uvicorn's shared socket
        uvicorn.run(factory, factory=True, host=host, port=port, workers=workers,
                    log_level="info", log_config=log_config())
        return
    spawn = multiprocessing.get_context("spawn")  # fresh interpreters, as uvicorn's workers
    processes = [spawn.Process(target=_worker, args=(factory, host, port), daemon=False)
                 for _ in range(workers)]
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        for process in processes:
            process.start()
        wait([p.sentinel for p in processes])  # until one of them ends
        failed = any(p.exitcode not in (None, 0) for p in processes)
    finally:
        signal.signal(signal.SIGTERM, previous)
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes what it is answering
        for process in processes:
            process.join()
    if failed:
        sys.exit(1)
