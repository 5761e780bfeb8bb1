"""kmech.mapper: client-go's RESTMapper and kubectl's type-argument resolution, as a library.

Pure core: built from discovery data (plain dicts), no network, no terminal.
"""

from __future__ import annotations

from kmech.mapper.category import CategoryExpander
from kmech.mapper.default import DefaultRESTMapper, unsafe_guess_kind_to_resource
from kmech.mapper.discovery_data import (
    APIGroup,
    APIResource,
    APIResourceList,
    DiscoveryData,
    parse_discovery,
)
from kmech.mapper.discovery_mapper import (
    DiscoveryRESTMapper,
    ResourceInfo,
    build_rest_mapper,
    new_discovery_rest_mapper,
)
from kmech.mapper.errors import (
    AmbiguousError,
    AmbiguousKindError,
    AmbiguousResourceError,
    MapperError,
    NoKindMatchError,
    NoMatchError,
    NoResourceMatchError,
    ResourceRequiredError,
    ResourceTypeNotFoundError,
    did_you_mean,
    is_ambiguous,
    is_no_match,
)
from kmech.mapper.explain import (
    CategoryStep,
    DedupeStep,
    ExpandStep,
    KindLookupStep,
    MappingStep,
    NoteStep,
    ParseStep,
    SplitStep,
    Step,
    render_steps,
)
from kmech.mapper.interfaces import RESTMapper, RESTMapping, RESTScopeName
from kmech.mapper.load import bundled_snapshot_dir, load_discovery_dir, load_rest_mapper
from kmech.mapper.multi import MultiRESTMapper
from kmech.mapper.priority import PriorityRESTMapper
from kmech.mapper.resolve import (
    Candidate,
    CategoryExpansion,
    MatchedBy,
    Resolution,
    ResolveResult,
)
from kmech.mapper.schema import (
    GroupKind,
    GroupResource,
    GroupVersion,
    GroupVersionKind,
    GroupVersionResource,
    parse_group_kind,
    parse_group_resource,
    parse_group_version,
    parse_kind_arg,
    parse_resource_arg,
)
from kmech.mapper.shortcut import Expansion, ExpansionRule, ShortcutExpander
from kmech.mapper.suggest import suggest_names

__all__ = [
    "APIGroup",
    "APIResource",
    "APIResourceList",
    "AmbiguousError",
    "AmbiguousKindError",
    "AmbiguousResourceError",
    "Candidate",
    "CategoryExpander",
    "CategoryExpansion",
    "CategoryStep",
    "DedupeStep",
    "ExpandStep",
    "Expansion",
    "ExpansionRule",
    "KindLookupStep",
    "MappingStep",
    "MatchedBy",
    "NoteStep",
    "ParseStep",
    "Resolution",
    "ResolveResult",
    "SplitStep",
    "Step",
    "did_you_mean",
    "render_steps",
    "suggest_names",
    "DefaultRESTMapper",
    "DiscoveryData",
    "DiscoveryRESTMapper",
    "GroupKind",
    "GroupResource",
    "GroupVersion",
    "GroupVersionKind",
    "GroupVersionResource",
    "MapperError",
    "MultiRESTMapper",
    "NoKindMatchError",
    "NoMatchError",
    "NoResourceMatchError",
    "PriorityRESTMapper",
    "RESTMapper",
    "RESTMapping",
    "RESTScopeName",
    "ResourceInfo",
    "ResourceRequiredError",
    "ResourceTypeNotFoundError",
    "ShortcutExpander",
    "build_rest_mapper",
    "bundled_snapshot_dir",
    "is_ambiguous",
    "is_no_match",
    "load_discovery_dir",
    "load_rest_mapper",
    "new_discovery_rest_mapper",
    "parse_discovery",
    "parse_group_kind",
    "parse_group_resource",
    "parse_group_version",
    "parse_kind_arg",
    "parse_resource_arg",
    "unsafe_guess_kind_to_resource",
]
