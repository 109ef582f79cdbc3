"""Run the explorer's Streamlit server: ``python -m cultnet.ui.serve <app.py> [streamlit run options]``
(what ``cultnet ui`` starts).

Streamlit keeps its old multipage mode for an app that has a ``pages/`` folder next to its main
script until the main script has once called ``st.navigation``: in that mode a request for
``/data`` runs ``pages/data.py`` by itself, *without* the router (ui/app.py), and so without the
password gate. On a freshly started server the first visitor who types a page's URL would get the
page. This launcher switches the old mode off before the server starts, so every run goes
through the router. (The pages also check the gate themselves: ui/views/_common.py ``header``.)
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    cli.main(args=["run", *(sys.argv[1:] if argv is None else argv)], prog_name="streamlit")


if __name__ == "__main__":
    main()
