"""The public surface of kmech.mapper is declared once and pinned; its documented examples run."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest

import kmech.mapper

EXPECTED = {
    "APIGroup", "APIResource", "APIResourceList", "AmbiguousError", "AmbiguousKindError",
    "AmbiguousResourceError", "Candidate", "CategoryExpander", "CategoryExpansion", "CategoryStep",
    "DedupeStep", "DefaultRESTMapper", "DiscoveryData", "DiscoveryRESTMapper", "ExpandStep",
    "Expansion", "ExpansionRule", "GroupKind", "GroupResource", "GroupVersion", "GroupVersionKind",
    "GroupVersionResource", "KindLookupStep", "MapperError", "MappingStep", "MatchedBy",
    "MultiRESTMapper", "NoKindMatchError", "NoMatchError", "NoResourceMatchError", "NoteStep",
    "ParseStep", "PriorityRESTMapper", "RESTMapper", "RESTMapping", "RESTScopeName", "Resolution",
    "ResolveResult", "ResourceInfo", "ResourceRequiredError", "ResourceTypeNotFoundError",
    "ShortcutExpander", "SplitStep", "Step", "build_rest_mapper", "bundled_snapshot_dir",
    "did_you_mean", "is_ambiguous", "is_no_match", "load_discovery_dir", "load_rest_mapper",
    "new_discovery_rest_mapper", "parse_discovery", "parse_group_kind", "parse_group_resource",
    "parse_group_version", "parse_kind_arg", "parse_resource_arg", "render_steps", "suggest_names",
    "unsafe_guess_kind_to_resource",
}  # fmt: skip


def test_all_is_pinned() -> None:
    assert set(kmech.mapper.__all__) == EXPECTED
    assert len(kmech.mapper.__all__) == len(EXPECTED)
    for name in kmech.mapper.__all__:
        assert getattr(kmech.mapper, name) is not None


@pytest.mark.parametrize(
    "module",
    ["kmech.mapper", "kmech.mapper.schema", "kmech.mapper.discovery_mapper"],
)
def test_documented_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_mapper_loads_no_other_kmech_layer() -> None:
    code = (
        "import sys, kmech.mapper, json; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('kmech.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    loaded = out.stdout.strip()
    for layer in ("kmech.cli", "kmech.transport", "kmech.discovery", "kmech.sandbox"):
        assert f'"{layer}' not in loaded
