"""`make run`: a local Prefect server, the served deployments and the web app (pages and REST
API on 127.0.0.1:8000), stopped together by Ctrl-C.

The Prefect server keeps its SQLite database under PREFECT_HOME (the project's data/prefect by
default) and listens on 127.0.0.1 only; analytics are off (there is no network for them).
Its first start migrates its database, which takes tens of seconds.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from rich.console import Console

console = Console()


def _wait_healthy(
    url: str, server: subprocess.Popen[bytes], timeout: float, *, name: str
) -> None:
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        if server.poll() is not None:
            raise SystemExit(f"the {name} exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"the {name} did not answer at {url} within {timeout:.0f} s")


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def _start_web(home: Path, port: int) -> subprocess.Popen[bytes]:
    """`capa web` in its own process (its own event loop, beside the flows)."""
    capa = shutil.which("capa", path=str(Path(sys.executable).parent)) or "capa"
    return subprocess.Popen(
        [capa, "web", "--host", "127.0.0.1", "--port", str(port)],
        stdout=open(home.parent / "web.log", "ab"),  # lives as long as the process it feeds
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _print_accounts(base_url: str) -> None:
    from capaflow.demo.accounts import DEMO_ACCOUNTS

    console.print(f"Web app: {base_url}  (REST API: {base_url}/api/v1/docs)")
    for account in DEMO_ACCOUNTS:
        console.print(f"  sign in as {account.name} / {account.password}  — {account.who}",
                      highlight=False, markup=False)


def main() -> None:
    home = Path(os.environ.setdefault("PREFECT_HOME", str(Path("data/prefect").resolve())))
    home.mkdir(parents=True, exist_ok=True)
    port = int(os.environ.get("CAPA_PREFECT_PORT", "4200"))
    api = f"http://127.0.0.1:{port}/api"
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    prefect = shutil.which("prefect", path=str(Path(sys.executable).parent)) or "prefect"
    console.print(f"Starting the Prefect server on 127.0.0.1:{port} (home {home}) ...")
    server = subprocess.Popen(
        [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=open(home / "server.log", "ab"),  # noqa: SIM115  (lives as long as the server)
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches us; we stop the server ourselves
    )
    web_port = int(os.environ.get("CAPA_WEB_PORT", "8000"))
    # The links in supplier notices point here (the dispatch flow writes them).
    base_url = os.environ.setdefault("CAPA_BASE_URL", f"http://127.0.0.1:{web_port}")
    inbox = None
    web = None
    try:
        web = _start_web(home, web_port)
        _wait_healthy(f"{base_url}/login", web, timeout=60, name="web app")
        _print_accounts(base_url)
        _wait_healthy(f"{api}/health", server, timeout=300, name="Prefect server")
        # Set before the flows are imported: Prefect reads its settings from the environment.
        os.environ["PREFECT_API_URL"] = api
        from capaflow.demo.inbox import start_inbox

        try:
            inbox = start_inbox(console)
            console.print("Demo inbox on http://127.0.0.1:8765: notices appear below.")
        except OSError:
            console.print("Port 8765 is taken; the demo inbox is not running.")
        console.print(f"Prefect UI: http://127.0.0.1:{port}  —  Ctrl-C stops everything.")
        from capaflow.flows.deployments import serve_all

        serve_all()
    except KeyboardInterrupt:
        pass
    finally:
        console.print("Stopping ...")
        if inbox is not None:
            inbox.shutdown()
        _stop(web)
        _stop(server)


if __name__ == "__main__":
    main()
