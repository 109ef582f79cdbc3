"""The cultnet explorer: the router (``streamlit run ui/app.py``, or ``cultnet ui``).

It sets the page up, asks for the password when ``CULTNET_UI_PASSWORD`` is set (ui/auth.py:
until the session has signed in, the sign-in form is the only page there is), shows which store
the app is connected to and the SIMULATED banner, and runs the selected page. Pages live in
ui/views/, cached reads in ui/data.py, the plot style in ui/plots.py.

The pages' folder is deliberately not called ``pages/``: Streamlit takes a ``pages/`` folder next
to the main script for a version-1 multipage app until ``st.navigation`` has run once in the
process (``PagesManager.uses_pages_directory``, a class-wide flag). Until then a run opened on a
page's URL executes that page file on its own, without this router: no study chosen, no sidebar,
no run marker, reads that cannot know their study.
"""

from __future__ import annotations

import difflib
import time

import streamlit as st

from cultnet.errors import CultnetError
from cultnet.ui import auth
from cultnet.ui import data as D
from cultnet.ui.views import _common as C

st.set_page_config(page_title="cultnet explorer", page_icon=":material/hub:", layout="wide",
                   initial_sidebar_state="expanded")

PAGES = {
    "": [
        st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    ],
    "Network": [
        # url paths are the file names (/network_map, /centrality, ...): shared links keep working
        st.Page("views/network_map.py", title="Network map", icon=":material/hub:"),
        st.Page("views/centrality.py", title="Centrality", icon=":material/leaderboard:"),
        st.Page("views/structure.py", title="Structure", icon=":material/scatter_plot:"),
        st.Page("views/roles.py", title="Roles & robustness", icon=":material/diversity_3:"),
        st.Page("views/qap.py", title="QAP", icon=":material/grid_on:"),
    ],
    "Econometrics": [
        st.Page("views/drivers.py", title="Drivers", icon=":material/trending_up:"),
        st.Page("views/upgrading.py", title="Upgrading", icon=":material/stacked_line_chart:"),
        st.Page("views/dynamics.py", title="Dynamics", icon=":material/timeline:"),
    ],
    "Data": [
        st.Page("views/console.py", title="Cypher console", icon=":material/terminal:"),
        st.Page("views/data.py", title="Data", icon=":material/database:"),
    ],
}


def choose_study(key: str) -> str | None:
    """The study of this run: the sidebar selector and ``?study=NAME`` in the URL, kept in
    agreement (a shared link opens its study; choosing another rewrites the URL). None for a
    store without studies. An unknown ``?study=`` is an error that lists the studies (with a
    did-you-mean) and shows the study of the session, else the default one. When the study
    changes, the pages' widget choices of the other study are dropped (years, columns, groups:
    they need not exist in this one)."""
    frame = D.studies(key)
    names = [str(n) for n in frame["name"]] if frame is not None and len(frame) else []
    if not names:
        C.set_study(None)
        st.query_params.pop("study", None)
        return None
    prev = st.session_state.get("_study")
    url = st.query_params.get("study")
    st.session_state.pop("_study_error", None)
    if url is not None and url != st.session_state.get("_study_url"):  # a link was opened
        if url in names:
            st.session_state["study_select"] = url
        else:
            close = difflib.get_close_matches(url, names, n=1)
            shown = prev if prev in names else D.default_study(names)
            st.session_state["study_select"] = shown
            st.session_state["_study_error"] = (
                f"There is no study '{url}' in this store"
                + (f" (did you mean '{close[0]}'?)" if close else "")
                + f"; it holds {len(names)}: {', '.join(names)}. Showing '{shown}'.")
    if st.session_state.get("study_select") not in names:
        st.session_state["study_select"] = prev if prev in names else D.default_study(names)
    choice = st.sidebar.selectbox("Study", names, key="study_select",
                                  help="Every page shows one study: its own cities, indicators "
                                       "and links. Share a page with ?study=NAME in its URL.")
    if prev is not None and choice != prev:
        C.forget_choices()
    C.set_study(choice)
    st.session_state["_study_url"] = choice
    if st.query_params.get("study") != choice:
        st.query_params["study"] = choice
    return choice


def draw_sidebar(key: str | None, error: str | None) -> None:
    with st.sidebar:
        if error:
            st.caption(":material/cloud_off: not connected to the graph store")
            return
        info = D.describe(key)
        backend = info.get("backend", "?")
        label = "Neo4j" if backend == "neo4j" else "embedded FalkorDB" if backend == "embedded" \
            else backend
        version = str(info.get("version") or "").replace("FalkorDB", "").replace("Neo4j", "")
        version = f" {version.strip()}" if version.strip() else ""
        st.markdown(f":material/database: **{label}**{version}")
        st.caption(str(info.get("location", "")))
        ds = D.datasets(D.view_key(key, None, C.study()))
        if ds is not None and len(ds):
            done = ds[ds["status"].astype(str) == "complete"] if "status" in ds.columns else ds
            names = ", ".join(str(x) for x in done["id"].head(3))
            more = f" (+{len(done) - 3})" if len(done) > 3 else ""
            st.caption(f"{len(done)} dataset(s): {names}{more}")
        else:
            st.caption("no data loaded")


def draw_sign_out() -> None:
    if auth.configured_password() is not None and st.sidebar.button(
            "Sign out", icon=":material/logout:", key="_sign_out"):
        st.session_state.pop(auth.SESSION_KEY, None)
        st.rerun()


def main() -> None:
    if not auth.signed_in():
        # only the sign-in form is registered, under every page's URL too: a page's URL shows the
        # form (no "page not found"), and after signing in the same URL opens that page
        paths = [pg.url_path for group in PAGES.values() for pg in group if pg.url_path]
        forms = [st.Page(auth.login_page, title="Sign in", icon=":material/lock:", url_path="login",
                         default=True)]
        forms += [st.Page(auth.login_page, title="Sign in", icon=":material/lock:", url_path=path)
                  for path in paths if path != "login"]
        st.navigation(forms, position="hidden").run()
        return
    page = st.navigation(PAGES)
    draw_sign_out()
    key, error = None, None
    try:
        key = D.data_key()
        st.session_state["_data_key"] = key
    except CultnetError as e:
        error = e.user_message
    if not error:
        try:
            choose_study(key)
        except CultnetError as e:
            error = e.user_message
    draw_sidebar(key, error)
    if error:
        st.title("cultnet explorer")
        st.error(f"The graph store is not available: {error}", icon=":material/cloud_off:")
        st.stop()
    if st.session_state.get("_study_error"):
        st.error(st.session_state["_study_error"], icon=":material/travel_explore:")
    started = time.perf_counter()
    with C.guard(page.title):
        page.run()
    draw_run_marker(time.perf_counter() - started)


def draw_run_marker(seconds: float) -> None:
    """How long this page took, and a marker the browser test waits for (a run counter)."""
    n = st.session_state.get("_runs", 0) + 1
    st.session_state["_runs"] = n
    st.sidebar.caption(f"page rendered in {seconds:.2f} s · run {n}")


main()
