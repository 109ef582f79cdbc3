"""The paper's presets for its region (the simulated Liaoning sample, data/sample): what the
explorer and the CLI offer only when a study has these cities. Code that serves any study takes
its groups from the user; nothing else in analysis/ names the sample's cities."""

from __future__ import annotations

#: The paper's regional grouping (Section 3.3.2): center = core hubs + bridges.
PAPER_GROUPS: dict[str, str] = {
    **{c: "center" for c in ("Shenyang", "Dalian", "Dandong", "Jinzhou")},
    **{c: "sub-node" for c in ("Anshan", "Fushun", "Benxi", "Liaoyang", "Yingkou", "Panjin")},
    **{c: "edge" for c in ("Fuxin", "Tieling", "Chaoyang", "Huludao")},
}
#: The order of the paper's groups in tables (other group names follow, sorted).
GROUP_ORDER = ("center", "sub-node", "edge")
