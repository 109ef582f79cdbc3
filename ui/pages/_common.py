"""Widgets and guards shared by the explorer's pages (not a page itself).

``*_ui()`` functions read widgets and return plain values; ``guard`` turns errors into messages.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

import streamlit as st

from cultnet.errors import CultnetError
from cultnet.ui import auth
from cultnet.ui import data as D

log = logging.getLogger(__name__)

# Table 2: drivers of cultural income (ln cul on these, all logged)
DRIVERS = ("dig", "tech", "res", "dem", "sys")
DRIVER_LABELS = {"dig": "Digital technology", "tech": "Technological innovation",
                 "res": "Cultural resources", "dem": "Market demand",
                 "sys": "Institutional environment", "cul": "Cultural industry",
                 "cia": "CIA (agglomeration)", "em": "Employment", "tis": "Investment",
                 "rc": "Consumption", "isu": "Industrial structure upgrading",
                 "tiu": "Tertiary internal upgrading"}

PAGE_PATHS = {
    "overview": "pages/overview.py",
    "network": "pages/network_map.py",
    "centrality": "pages/centrality.py",
    "structure": "pages/structure.py",
    "roles": "pages/roles.py",
    "drivers": "pages/drivers.py",
    "upgrading": "pages/upgrading.py",
    "dynamics": "pages/dynamics.py",
    "console": "pages/console.py",
    "data": "pages/data.py",
}


@contextmanager
def guard(what: str = "") -> Iterator[None]:
    """Show errors as messages, never as tracebacks.

    CultnetError -> ``st.error(user_message)``; a missing analysis module -> ``st.info``; anything
    else -> a short ``st.error`` (the traceback goes to the server log only).
    """
    try:
        yield
    except CultnetError as e:
        st.error(e.user_message, icon=":material/error:")
    except D.NotAvailable as e:
        st.info(f"{e.what or what or 'This part'} is not available yet "
                f"(module `{e.module}` is not installed in this build).",
                icon=":material/construction:")
    except Exception as e:  # noqa: BLE001 - the UI never shows a traceback
        log.exception("unexpected error in %s", what or "page")
        st.error(f"Something went wrong{' in ' + what if what else ''}: "
                 f"{type(e).__name__}: {e}", icon=":material/error:")


def key() -> str:
    """The data key of this run (computed once per run by the router)."""
    k = st.session_state.get("_data_key")
    if not k:
        k = D.data_key()
        st.session_state["_data_key"] = k
    return k


def require_data(*, need: tuple[str, ...] = ()) -> str:
    """The data key, or stop the page with a pointer to the Data page when nothing is loaded.

    ``need`` names readers that must return rows (``cities``, ``indicators``, ``series``,
    ``enterprises``)."""
    k = key()
    if not D.has_data(k):
        st.info("The store is empty. Load the sample data or your own files on the Data page.",
                icon=":material/database:")
        st.page_link(PAGE_PATHS["data"], label="Go to Data", icon=":material/upload:")
        st.stop()
    for name in need:
        frame = getattr(D, name)(k)
        if frame is None or not len(frame):
            st.info(f"The loaded data has no {name}; this page needs them. Upload them on the "
                    "Data page.", icon=":material/database:")
            st.page_link(PAGE_PATHS["data"], label="Go to Data", icon=":material/upload:")
            st.stop()
    return k


def network_ui(k: str, *, prefix: str, allow_all_years: bool = False) -> tuple[str, int | None]:
    """Method switch and year slider; returns (method, year)."""
    methods = D.network_methods(k)
    if not methods:
        st.info("No city network can be built: the data has no city links and no indicators "
                "for the gravity model.", icon=":material/hub:")
        st.stop()
    c1, c2 = st.columns([1, 3])
    method = c1.segmented_control("Network", methods, default=methods[0],
                                  key=f"{prefix}_method", help=D.METHOD_HELP) or methods[0]
    years = D.network_years(k, method)
    if not years:
        c2.info(f"No {method} links in the data.")
        st.stop()
    if len(years) == 1:
        c2.markdown(f"**Year** {years[0]}")
        return method, years[0]
    year = c2.select_slider("Year", options=years, value=years[-1], key=f"{prefix}_year")
    return method, int(year)


def header(title: str, caption: str = "") -> None:
    """Page title, caption and, when any loaded dataset is simulated, the SIMULATED banner.
    A session that has not signed in (CULTNET_UI_PASSWORD) gets the sign-in form instead."""
    auth.require_signed_in()
    st.title(title)
    if caption:
        st.caption(caption)
    with guard("the data check"):
        simulated_banner(key())


def simulated_banner(k: str) -> None:
    if D.simulated(k):
        st.warning("**SIMULATED DATA.** At least one loaded dataset is marked simulated: its "
                   "numbers illustrate the method and are not observations.",
                   icon=":material/science:")
