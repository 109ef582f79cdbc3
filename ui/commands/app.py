"""``cultnet ui``: start the Streamlit explorer on the configured store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import typer

from cultnet.ui.auth import check_exposure
from cultnet.ui.common import console, handle_errors, settings

APP = Path(__file__).resolve().parents[1] / "app.py"
MAX_UPLOAD_MB = 50


def streamlit_command(port: int, host: str, max_upload_mb: int = MAX_UPLOAD_MB) -> list[str]:
    """The ``streamlit run`` command line (through :mod:`cultnet.ui.serve`, which keeps every
    request going through the router and its password gate): headless, bound to ``host``,
    upload size limited."""
    return [
        sys.executable, "-m", "cultnet.ui.serve", str(APP),
        "--server.port", str(port),
        "--server.address", host,
        "--server.headless", "true",
        "--server.maxUploadSize", str(max_upload_mb),
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--browser.gatherUsageStats", "false",
        "--client.showErrorDetails", "none",
    ]


def streamlit_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for the app: the global backend options become CULTNET_* / NEO4J_*."""
    env = dict(os.environ if base is None else base)
    s = settings()  # env + global CLI options, validated
    env["CULTNET_BACKEND"] = s.backend
    env["CULTNET_DATA_DIR"] = str(s.data_dir)
    env["CULTNET_GRAPH"] = s.graph_name
    env["NEO4J_URI"] = s.neo4j_uri
    env["NEO4J_USER"] = s.neo4j_user
    env["NEO4J_DATABASE"] = s.neo4j_database
    if s.neo4j_password:
        env["NEO4J_PASSWORD"] = s.neo4j_password
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    return env


def register(app: typer.Typer) -> None:
    @app.command("ui")
    @handle_errors
    def ui_command(
        port: int = typer.Option(8501, "--port", envvar="CULTNET_PORT",
                                 help="port to serve on [env CULTNET_PORT]"),
        host: str = typer.Option("localhost", "--host",
                                 help="address to bind (localhost by default: this machine only; "
                                      "any other needs CULTNET_UI_PASSWORD)"),
        max_upload_mb: int = typer.Option(MAX_UPLOAD_MB, "--max-upload-mb",
                                          help="largest file the Data page accepts (MB)"),
    ) -> None:
        """Start the explorer in a browser: http://localhost:8501 by default.

        Beyond localhost (``--host 0.0.0.0``, an address of this machine) it needs
        CULTNET_UI_PASSWORD: every visitor must then sign in before any page shows.
        """
        note = check_exposure(host)
        env = streamlit_env()
        if note:
            console.print(note, highlight=False)
        console.print(f"cultnet explorer on [bold]http://{host}:{port}[/] "
                      f"(store: {env['CULTNET_BACKEND']}); Ctrl+C stops it.", highlight=False)
        # cwd = ui/ so that ui/.streamlit/config.toml (theme, limits) applies
        child = subprocess.Popen(streamlit_command(port, host, max_upload_mb), env=env,
                                 cwd=str(APP.parent))

        def forward(signum: int, _frame: object) -> None:  # SIGTERM to us stops Streamlit too
            child.send_signal(signum)

        signal.signal(signal.SIGTERM, forward)
        while True:
            try:
                rc = child.wait()
                break
            except KeyboardInterrupt:  # Streamlit got the same Ctrl+C: let it shut down
                continue
        raise typer.Exit(0 if rc in (0, -signal.SIGTERM, -signal.SIGINT) else rc)
