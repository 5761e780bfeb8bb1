"""Did-you-mean: the known names nearest to a name that did not resolve.

The vocabulary is every plural, singular and short name, every category, every
``resource.group`` form and every ``Kind.group`` form of the discovery data. Distance is the
Levenshtein distance on lowercased text, bounded (at most a third of the name's length, at
least 1, at most 3), so unrelated names are never offered. A differently-cased exact name ranks
first (``PO`` → ``po``; short names and categories are case-sensitive), and a bare kind that
exists only outside the core group suggests its ``Kind.group`` form (``Cog`` →
``Cog.kinds.example.com``), because kubectl looks up group-less kinds only in core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kmech.mapper.discovery_mapper import DiscoveryRESTMapper

__all__ = ["suggest_names", "bounded_levenshtein"]


def bounded_levenshtein(a: str, b: str, bound: int) -> int:
    """Edit distance between ``a`` and ``b``, or ``bound + 1`` once it exceeds ``bound``."""
    la, lb = len(a), len(b)
    if abs(la - lb) > bound:
        return bound + 1
    if a == b:
        return 0
    # Each edit changes the set of characters by at most one removal and one addition.
    if len(set(a) ^ set(b)) > 2 * bound:
        return bound + 1
    previous = list(range(lb + 1))
    for i in range(1, la + 1):
        ca = a[i - 1]
        current = [i]
        row_min = i
        for j in range(1, lb + 1):
            value = previous[j - 1] + (ca != b[j - 1])
            other = previous[j] + 1
            if other < value:
                value = other
            other = current[j - 1] + 1
            if other < value:
                value = other
            current.append(value)
            if value < row_min:
                row_min = value
        if row_min > bound:
            return bound + 1
        previous = current
    return previous[lb]


def _vocabulary(
    mapper: DiscoveryRESTMapper, *, qualified: bool, kinds: bool
) -> dict[str, tuple[str, int]]:
    """Names to compare against → (the name to suggest, best priority rank)."""
    names: dict[str, tuple[str, int]] = {}

    def add(compare: str, rank: int, display: str = "") -> None:
        if compare and (compare not in names or names[compare][1] > rank):
            names[compare] = (display or compare, rank)

    for info in mapper.all_resources():
        rank = info.rank
        if kinds:
            full = f"{info.kind}.{info.group}" if info.group else info.kind
            # A bare kind is compared as typed but suggested with its group (kubectl needs it).
            add(full if qualified else info.kind, rank, full)
        elif qualified:
            if info.group:
                add(f"{info.resource}.{info.group}", rank)
                add(f"{info.singular}.{info.group}", rank)
                for short in info.short_names:
                    add(f"{short}.{info.group}", rank)
        else:
            add(info.resource, rank)
            add(info.singular, rank)
            for short in info.short_names:
                add(short, rank)
    if not kinds and not qualified:
        for category in mapper.categories():
            add(category, 0)
    return names


def suggest_names(
    mapper: DiscoveryRESTMapper, name: str, *, limit: int = 3, kinds: bool = False
) -> list[str]:
    """Up to ``limit`` names close to ``name``, best first (``kinds``: prefer kind forms)."""
    original = name
    # "pods/log" is TYPE/NAME to kubectl: suggest for the TYPE part (which may itself be right).
    name = name.partition("/")[0]
    if not name or limit <= 0:
        return []
    wanted = name.lower()
    qualified = "." in name
    bound = max(1, min(3, len(name) // 3))
    scores: dict[str, tuple[int, int]] = {}
    for compare, (display, rank) in _vocabulary(mapper, qualified=qualified, kinds=kinds).items():
        if compare == original and display == original:
            continue
        distance = bounded_levenshtein(wanted, compare.lower(), bound)
        if distance <= bound and (display not in scores or scores[display] > (distance, rank)):
            scores[display] = (distance, rank)
    if not qualified:
        # A bare kind that lives only outside core: kubectl needs Kind.group (see module doc).
        core_kinds = {info.kind for info in mapper.all_resources() if info.group == ""}
        for info in mapper.all_resources():
            if info.group and info.kind.lower() == wanted and info.kind not in core_kinds:
                scores[f"{info.kind}.{info.group}"] = (-1, info.rank)
    ordered = sorted(scores.items(), key=lambda item: (item[1], item[0]))
    return [candidate for candidate, _ in ordered[:limit]]
