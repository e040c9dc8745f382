"""`make run`: a local Prefect server and the served deployments, stopped together by Ctrl-C.

The server keeps its SQLite database under PREFECT_HOME (the project's data/prefect by
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


def _wait_healthy(api: str, server: subprocess.Popen[bytes], timeout: float) -> None:
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        if server.poll() is not None:
            raise SystemExit(f"the Prefect server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    raise SystemExit(f"the Prefect server did not answer at {api} within {timeout:.0f} s")


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
    inbox = None
    try:
        _wait_healthy(api, server, timeout=300)
        # Set before the flows are imported: Prefect reads its settings from the environment.
        os.environ["PREFECT_API_URL"] = api
        from demo.inbox import start_inbox

        try:
            inbox = start_inbox(console)
            console.print("Demo inbox on http://127.0.0.1:8765: notices appear below.")
        except OSError:
            console.print("Port 8765 is taken; the demo inbox is not running.")
        console.print(f"Prefect UI: http://127.0.0.1:{port}  —  Ctrl-C stops everything.")
        from flows.deployments import serve_all

        serve_all()
    except KeyboardInterrupt:
        pass
    finally:
        console.print("Stopping ...")
        if inbox is not None:
            inbox.shutdown()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
