"""``ferry provenance coverage``: how much of upstream the port renders, and how much is decided.

Per crate the port covers (a crate some link names, or one listed in
``[translate].covered_crates``): its portable Rust items (fn, method, struct, enum, trait,
const, static, type alias, macro; tests and containers excluded) that have a counterpart,
that a ``[[translate.decline]]`` rule declines, and the rest, undecided. Per Python package:
public symbols linked, marked port-only, or unmarked.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ferry import __version__
from translator.decisions import DeclineRules
from translator.port_scan import ModuleScan
from translator.provenance import canonical_rust_path
from translator.rust_inventory import RustInventory

COVERAGE_FORMAT = "ferry.provenance-coverage/1"


class CrateCoverage(BaseModel):
    model_config = ConfigDict(frozen=True)

    crate: str
    items: int
    linked: int
    declined: int
    undecided: int

    @property
    def linked_share(self) -> float:
        return self.linked / self.items if self.items else 0.0


class PackageCoverage(BaseModel):
    model_config = ConfigDict(frozen=True)

    package: str
    public: int
    linked: int
    port_only: int
    unmarked: int
    links: int


class CoverageReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    format: str = COVERAGE_FORMAT
    ferry_version: str = __version__
    config: dict[str, Any] = Field(default_factory=dict)
    rev: str | None = None
    upstream_note: str | None = None
    crates: tuple[CrateCoverage, ...] = ()
    packages: tuple[PackageCoverage, ...] = ()
    dangling_links: int = 0  # links to nothing at ``rev`` (see `ferry provenance check`)


def package_of(module: str, depth: int = 2) -> str:
    return ".".join(module.split(".")[:depth])


def package_coverage(scans: list[ModuleScan]) -> list[PackageCoverage]:
    rows: dict[str, Counter[str]] = {}
    for scan in scans:
        counter = rows.setdefault(package_of(scan.module), Counter())
        for sym in scan.symbols:
            counter["links"] += len(sym.links)
            if not sym.needs_marker:
                continue
            counter["public"] += 1
            if sym.links:
                counter["linked"] += 1
            elif sym.port_only:
                counter["port_only"] += 1
            else:
                counter["unmarked"] += 1
    return [
        PackageCoverage(
            package=name,
            public=c["public"],
            linked=c["linked"],
            port_only=c["port_only"],
            unmarked=c["unmarked"],
            links=c["links"],
        )
        for name, c in sorted(rows.items())
    ]


def crate_coverage(
    scans: list[ModuleScan],
    inventory: RustInventory,
    rules: DeclineRules,
    covered: set[str],
) -> tuple[list[CrateCoverage], int]:
    """Per covered crate: items linked / declined / undecided; and how many links dangle."""
    linked_keys: set[str] = set()
    dangling = 0
    for scan in scans:
        for sym in scan.symbols:
            for link in sym.links:
                key = canonical_rust_path(link.rust_path)
                if inventory.exists(link.rust_path):
                    linked_keys.add(key)
                else:
                    dangling += 1
    crates = covered | {k.split("::", 1)[0] for k in linked_keys}
    out: list[CrateCoverage] = []
    for crate in sorted(crates):
        counts: Counter[str] = Counter()
        for item in inventory.in_crate(crate):
            if not item.portable:
                continue
            counts["items"] += 1
            if canonical_rust_path(item.path) in linked_keys:
                counts["linked"] += 1
            elif rules.match(item.file, item.path) is not None:
                counts["declined"] += 1
            else:
                counts["undecided"] += 1
        out.append(
            CrateCoverage(
                crate=crate,
                items=counts["items"],
                linked=counts["linked"],
                declined=counts["declined"],
                undecided=counts["undecided"],
            )
        )
    return out, dangling


def most_common_rev(scans: list[ModuleScan]) -> str | None:
    """The revision most links follow: the one the port is synced to."""
    revs: Counter[str] = Counter(
        link.rev for scan in scans for sym in scan.symbols for link in sym.links
    )
    return revs.most_common(1)[0][0] if revs else None
