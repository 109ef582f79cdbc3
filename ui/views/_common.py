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
    "overview": "views/overview.py",
    "network": "views/network_map.py",
    "centrality": "views/centrality.py",
    "structure": "views/structure.py",
    "roles": "views/roles.py",
    "qap": "views/qap.py",
    "drivers": "views/drivers.py",
    "upgrading": "views/upgrading.py",
    "dynamics": "views/dynamics.py",
    "console": "views/console.py",
    "data": "views/data.py",
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


def set_study(name: str | None) -> None:
    """Record the study the router chose for this run (read by :func:`key` and :func:`study`).
    The router calls it before any page runs."""
    st.session_state["_study"] = name


def forget_choices() -> None:
    """Drop the pages' widget choices (years, columns, groups, gravity masses, ...) when the
    study changes: they belong to the other study's data. Keys beginning with ``_`` (the
    router's own state, flash messages) and the study selector stay."""
    for name in list(st.session_state.keys()):
        if not str(name).startswith("_") and name != "study_select":
            del st.session_state[name]


def key() -> str:
    """The key of this run: the data key (computed once per run by the router), the study
    chosen in the sidebar and the gravity model's choices (:func:`cultnet.ui.data.view_key`)."""
    k = st.session_state.get("_data_key")
    if not k:
        k = D.data_key()
        st.session_state["_data_key"] = k
    return D.view_key(k, st.session_state.get("gravity_params"), study())


def study() -> str | None:
    """The study of this run, as the router chose it (None: a store without studies)."""
    return st.session_state.get("_study")


def require_data(*, need: tuple[str, ...] = ()) -> str:
    """The data key, or stop the page with a pointer to the Data page when nothing is loaded.

    ``need`` names readers that must return rows (``cities``, ``indicators``, ``series``,
    ``enterprises``)."""
    k = key()
    if not D.has_data(k):
        where = f"The study '{study()}' is empty" if study() else "The store is empty"
        st.info(f"{where}. Load your own files or the sample data on the Data page.",
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
    if method == "gravity":
        k = gravity_ui(k, prefix=prefix)
    years = D.network_years(k, method)
    if not years:
        c2.info(f"No {method} links in the data.")
        st.stop()
    if len(years) == 1:
        c2.markdown(f"**Year** {years[0]}")
        return method, years[0]
    year = c2.select_slider("Year", options=years, value=years[-1], key=f"{prefix}_year")
    return method, int(year)


def gravity_ui(k: str, *, prefix: str) -> str:
    """The gravity model's masses, asymmetry and income, chosen from the study's own numeric
    indicator columns (defaults: :func:`cultnet.ui.data.gravity_defaults`). Shared by every page
    (session state ``gravity_params``); returns the key of the chosen model. Stored gravity links
    (``cultnet gravity --write``) win over the computed ones: then the choice is shown, not used."""
    stored = D.stored_city_edges(k, method="gravity")
    if stored is not None and len(stored):
        st.caption("Gravity network: the links stored by `cultnet gravity --write` (its own "
                   "masses and parameters).")
        return k
    cols = D.numeric_indicator_columns(D.indicators(k))
    cur = D.gravity_params(k)
    with st.expander(f"Gravity model: masses {', '.join(cur['masses'])}; asymmetry "
                     f"{cur['asymmetry'] or 'none'}; income {cur['income'] or 'none'}"):
        c1, c2, c3 = st.columns([2, 1, 1])
        masses = c1.multiselect("Masses (geometric mean of their product)", cols,
                                default=list(cur["masses"]), key=f"{prefix}_grav_masses")
        none = "(none)"
        asym = c2.selectbox("Asymmetry k = X_i/(X_i+X_j)", [none, *cols],
                            index=[none, *cols].index(cur["asymmetry"] or none),
                            key=f"{prefix}_grav_asym")
        income = c3.selectbox("Income for the economic distance", [none, *cols],
                              index=[none, *cols].index(cur["income"] or none),
                              key=f"{prefix}_grav_income")
        st.caption("y_ij = k_ij (M_i M_j)^(1/m) / (D_ij / |g_i - g_j|)^2, great-circle km; an arc "
                   "i → j when y_ij is above the mean of row i (diagonal excluded). The choice "
                   "applies on every page.")
    chosen = {"masses": tuple(masses) or tuple(cur["masses"]),
              "asymmetry": None if asym == none else asym,
              "income": None if income == none else income}
    if chosen != cur:
        st.session_state["gravity_params"] = chosen
        st.rerun()
    return D.view_key(st.session_state.get("_data_key") or D.data_key(), chosen, study())


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
        what = f"The study **{study()}** holds" if study() else "At least one loaded dataset is"
        st.warning(f"**SIMULATED DATA.** {what} a dataset marked simulated: its numbers illustrate "
                   "the method and are not observations." if study() else
                   f"**SIMULATED DATA.** {what} marked simulated: its numbers illustrate the "
                   "method and are not observations.", icon=":material/science:")


def zh_names(k: str) -> dict[str, str]:
    """City name -> Chinese name (``name_zh`` of the cities), for the cities that have one."""
    c = D.cities(k)
    if c is None or not len(c) or "name_zh" not in c.columns:
        return {}
    z = c.dropna(subset=["name_zh"])
    return {str(n): str(v) for n, v in zip(z["name"], z["name_zh"]) if str(v).strip()}


def zh_ui(k: str, *, key: str) -> bool:
    """A "中文名" toggle, shown only when the cities have Chinese names."""
    if not zh_names(k):
        return False
    return st.toggle("中文名 (Chinese names)", value=False, key=key,
                     help="Add the cities' Chinese names (name_zh of the cities file) to the table.")


def with_zh(frame, k: str, column: str, show: bool):
    """``frame`` with a ``中文名`` column after ``column`` when ``show`` (names from the cities)."""
    if not show or column not in frame.columns:
        return frame
    names = zh_names(k)
    out = frame.copy()
    out.insert(list(out.columns).index(column) + 1, "中文名",
               out[column].astype(str).map(names).fillna(""))
    return out
