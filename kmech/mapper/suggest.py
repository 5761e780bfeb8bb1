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
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        row_min = i
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            current[j] = value
            row_min = min(row_min, value)
        if row_min > bound:
            return bound + 1
        previous = current
    return previous[-1]


def suggest_names(
    mapper: DiscoveryRESTMapper, name: str, *, limit: int = 3, kinds: bool = False
) -> list[str]:
    """Up to ``limit`` names close to ``name``, best first (``kinds``: prefer kind forms)."""
    if not name or limit <= 0:
        return []
    wanted = name.lower()
    qualified = "." in name
    bound = max(1, min(3, len(name) // 3))
    scores: dict[str, tuple[int, int]] = {}

    def offer(candidate: str, distance: int, rank: int) -> None:
        if candidate == name:
            return
        best = scores.get(candidate)
        if best is None or (distance, rank) < best:
            scores[candidate] = (distance, rank)

    core_kinds = {info.kind for info in mapper.all_resources() if info.group == ""}
    for info in mapper.all_resources():
        rank = info.rank
        names: list[str] = []
        if kinds:
            names.append(f"{info.kind}.{info.group}" if info.group else info.kind)
            if not qualified:
                names.append(info.kind)
        else:
            if qualified:
                if info.group:
                    names.append(f"{info.resource}.{info.group}")
                    names.append(f"{info.singular}.{info.group}")
                    names.extend(f"{s}.{info.group}" for s in info.short_names)
            else:
                names.extend([info.resource, info.singular, *info.short_names])
        for candidate in names:
            distance = bounded_levenshtein(wanted, candidate.lower(), bound)
            if distance <= bound:
                offer(candidate, distance, rank)
        if info.group and not qualified and info.kind.lower() == wanted:
            if info.kind not in core_kinds:
                offer(f"{info.kind}.{info.group}", -1, rank)
    if not kinds and not qualified:
        for category in mapper.categories():
            distance = bounded_levenshtein(wanted, category.lower(), bound)
            if distance <= bound:
                offer(category, distance, 0)
    ordered = sorted(scores.items(), key=lambda item: (item[1], item[0]))
    return [candidate for candidate, _ in ordered[:limit]]
