"""kubectl is the judge: every name form of every fixture cluster, resolved by the real kubectl
against the sandbox and by kmech, must give the same group, version and resource (and scope), the
same expansion list for categories, and the same error for names kubectl rejects.

For each cluster folder in ``../shared/fixtures/discovery`` the sandbox serves it in every form it
has: k3s-1.34 once with aggregated discovery and once legacy-only (a copy without the aggregated
files); minikube-1.33 legacy, and once more with aggregated documents the sandbox generates from
the legacy ones. Names: every plural, singular, kind and short name, each bare, with a trailing
dot, upper-case and capitalised, as ``x.group``, ``x.version.group`` (``x.version.`` for core),
``X.group``, ``x.GROUP`` and ``x.group.``; every category, also upper-cased.

Speed: kubectl's answer for a name is the list request it makes (parsed from ``-v=6``) or its
error line. Names kmech resolves are checked in batches (``kubectl get a,b,c``; the i-th list
request belongs to the i-th name when their count matches, else the batch is re-run name by
name); names kmech rejects, and categories, get one kubectl each, on a thread pool. kmech runs
in-process (the same ``DiscoveryRESTMapper.resolve`` the CLI calls, fed by kmech's HTTP discovery
from the same sandbox); a smaller set goes through the real ``kmech resolve`` command too.

Every name kmech resolves and every category is checked in every run. Names kmech rejects cost
one kubectl each (and make kubectl re-discover), so by default a deterministic half of them (every second one, in discovery order) is checked, keeping the test
near two minutes on two cores; ``KMECH_FIDELITY_FULL=1`` checks all of them (about twice the
time), ``KMECH_FIDELITY_SAMPLE=N`` checks every N-th.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kmech.discovery.client import DiscoveryDocuments

KUBECTL = shutil.which("kubectl")
pytestmark = [
    pytest.mark.skipif(
        KUBECTL is None, reason="kubectl is not installed (pip install -e '.[test]')"
    ),
    pytest.mark.timeout(600),
]

BATCH = 150
WORKERS = 4
NOT_FOUND = re.compile(r'^error: (the server doesn\'t have a resource type ".*")$', re.M)


@dataclass(frozen=True, slots=True)
class Answer:
    """What a name resolved to: an ordered list of ``group/version/resource@scope`` or an error."""

    gvrs: tuple[str, ...] = ()
    error: str = ""

    def __str__(self) -> str:
        return self.error if self.error else ", ".join(self.gvrs)


# -- the names -----------------------------------------------------------------------------------


def name_forms(docs: DiscoveryDocuments) -> list[str]:
    """Every name form of every resource and category in ``docs``, deduplicated, in order."""
    seen: set[str] = set()
    out: list[str] = []

    def add(name: str) -> None:
        if name and name not in seen:
            seen.add(name)
            out.append(name)

    for gv, resource_list in docs.resource_lists.items():
        group, _, version = gv.rpartition("/")
        for r in resource_list.get("resources") or []:
            if "/" in r["name"]:
                continue
            bases = [
                r["name"],
                r.get("singularName") or "",
                r.get("kind") or "",
                *r.get("shortNames", []),
            ]
            for i, base in enumerate(b for b in bases if b):
                add(base)
                add(base + ".")
                add(base.upper())
                add(base[:1].upper() + base[1:])
                add(base.lower())
                if group:
                    add(f"{base}.{group}")
                    add(f"{base}.{version}.{group}")
                    add(f"{base[:1].upper() + base[1:]}.{group}")
                    if i == 0:
                        add(f"{base}.{group.upper()}")
                        add(f"{base}.{group}.")
                else:
                    add(f"{base}.{version}.")
                    add(f"{base[:1].upper() + base[1:]}.{version}.")
            for category in r.get("categories") or []:
                add(category)
                add(category.upper())
    return out


# -- kubectl's side ------------------------------------------------------------------------------


def gvr_from_url(url: str) -> str | None:
    """``group/version/resource@scope`` for a list request URL (``?limit=500``), else None."""
    parts = urlsplit(url)
    if "limit=500" not in parts.query:
        return None
    segments = parts.path.strip("/").split("/")
    if segments[0] == "api":
        group, version, rest = "", segments[1], segments[2:]
    elif segments[0] == "apis":
        group, version, rest = segments[1], segments[2], segments[3:]
    else:
        return None
    if len(rest) == 3 and rest[0] == "namespaces":
        return f"{group}/{version}/{rest[2]}@namespace"
    if len(rest) == 1:
        return f"{group}/{version}/{rest[0]}@root"
    return None


class Kubectl:
    """Runs the real kubectl against one server with a warm discovery cache."""

    def __init__(self, kubeconfig: Path, cache_dir: Path) -> None:
        self.kubeconfig = kubeconfig
        self.cache_dir = cache_dir
        self.env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "KUBECACHEDIR")}
        self.env["HOME"] = str(cache_dir.parent)

    def get(self, types: str) -> tuple[list[str], str]:
        """The list requests ``kubectl get TYPES`` makes, and its not-found error ("" if none)."""
        proc = subprocess.run(
            [
                KUBECTL or "kubectl",
                "get",
                types,
                "--kubeconfig",
                str(self.kubeconfig),
                "--cache-dir",
                str(self.cache_dir),
                "-v=6",
                "--request-timeout=20s",
            ],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=60,
            check=False,
        )
        urls = re.findall(r'"Response" verb="GET" url="([^"]+)"', proc.stderr)
        gvrs = [g for g in (gvr_from_url(u) for u in urls) if g is not None]
        found = NOT_FOUND.search(proc.stderr)
        return gvrs, found.group(1) if found else ""

    def answer(self, name: str) -> Answer:
        gvrs, error = self.get(name)
        return Answer(error=error) if error else Answer(gvrs=tuple(gvrs))

    def answers(self, names: list[str], predicted: dict[str, Answer]) -> dict[str, Answer]:
        """kubectl's answer for every name: batches where kmech predicts distinct single
        mappings, one run each for the rest."""
        singles: list[str] = []
        batches: list[dict[str, str]] = []  # each batch: predicted GVR -> name, GVRs distinct
        for name in names:
            p = predicted[name]
            if p.error or len(p.gvrs) != 1:
                singles.append(name)
                continue
            for batch in batches:
                if p.gvrs[0] not in batch and len(batch) < BATCH:
                    batch[p.gvrs[0]] = name
                    break
            else:
                batches.append({p.gvrs[0]: name})

        def run_batch(by_gvr: dict[str, str]) -> dict[str, Answer]:
            batch = list(by_gvr.values())
            gvrs, error = self.get(",".join(batch))
            if not error and len(gvrs) == len(batch):
                return {n: Answer(gvrs=(g,)) for n, g in zip(batch, gvrs, strict=True)}
            return {n: self.answer(n) for n in batch}

        result: dict[str, Answer] = {}
        with ThreadPoolExecutor(WORKERS) as pool:
            for part in pool.map(run_batch, batches):
                result.update(part)
            for name, ans in zip(singles, pool.map(self.answer, singles), strict=True):
                result[name] = ans
        return result


# -- kmech's side --------------------------------------------------------------------------------


def kmech_answer(mapper, name: str) -> Answer:
    from kmech.errors import MapperError

    try:
        result = mapper.resolve(name)
    except MapperError as exc:
        return Answer(error=exc.message)
    return Answer(
        gvrs=tuple(
            f"{r.group}/{r.version}/{r.resource}@{'namespace' if r.namespaced else 'root'}"
            for r in result.resolutions
        )
    )


# -- the test ------------------------------------------------------------------------------------

FORMS = [
    pytest.param("k3s-1.34", "aggregated", id="k3s-1.34-aggregated"),
    pytest.param("k3s-1.34", "legacy", id="k3s-1.34-legacy"),
    pytest.param("minikube-1.33", "legacy", id="minikube-1.33-legacy"),
    pytest.param("minikube-1.33", "generated-aggregated", id="minikube-1.33-aggregated"),
]


def _served_folder(fixtures_dir: Path, cluster: str, form: str, tmp_path: Path) -> Path:
    source = fixtures_dir / "discovery" / cluster
    if form != "legacy" or not (source / "aggregated_apis.json").exists():
        return source
    copy = tmp_path / f"{cluster}-legacy"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("aggregated_*.json"))
    return copy


def _sample(names: list[str]) -> list[str]:
    if os.environ.get("KMECH_FIDELITY_FULL") == "1":
        return names
    n = int(os.environ.get("KMECH_FIDELITY_SAMPLE", "2") or "2")
    return names if n <= 1 else names[::n]


def _cache_files(root: Path) -> dict[str, object]:
    return {
        str(p.relative_to(root)): json.loads(p.read_text()) for p in sorted(root.rglob("*.json"))
    }


def _kmech_cli(
    kubeconfig: Path, cache_root: Path, names: list[str]
) -> tuple[dict[str, Answer], str]:
    """The real `kmech resolve -o json` over HTTP for ``names``: answers by input, and stderr."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kmech",
            "--kubeconfig",
            str(kubeconfig),
            "resolve",
            "-o",
            "json",
            "--cache-dir",
            str(cache_root),
            *names,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode in (0, 3), proc.stderr
    docs = json.loads(proc.stdout) if proc.stdout else []
    if isinstance(docs, dict):
        docs = [docs]
    answers: dict[str, Answer] = {}
    for doc in docs:
        rows = doc.get("resources", [doc])
        answers[doc["input"]] = Answer(
            gvrs=tuple(
                f"{r['group']}/{r['version']}/{r['resource']}@{'namespace' if r['namespaced'] else 'root'}"
                for r in rows
            )
        )
    errors = re.findall(r"^error: (.*)$", proc.stderr, re.M)
    failed = [n for n in names if n not in answers]
    assert len(errors) == len(failed), proc.stderr
    answers.update({n: Answer(error=e) for n, e in zip(failed, errors, strict=True)})
    return answers, proc.stderr


@pytest.mark.parametrize(("cluster", "form"), FORMS)
def test_kubectl_and_kmech_agree(fixtures_dir, tmp_path, cluster, form):
    from kmech.discovery.flags import DiscoveryFlags, open_discovery
    from kmech.mapper import build_rest_mapper
    from kmech.sandbox import Sandbox
    from kmech.transport.options import ConnectionOptions

    folder = _served_folder(fixtures_dir, cluster, form, tmp_path)
    with Sandbox(folder, generate_aggregated=form == "generated-aggregated") as sandbox:
        kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        kmech_cache = tmp_path / "kmech-cache"
        kubectl_cache = tmp_path / "kubectl-cache"

        # kmech: discovery over HTTP through the real kubeconfig path, into its disk cache.
        opened = open_discovery(
            ConnectionOptions(kubeconfig=str(kubeconfig)),
            DiscoveryFlags(cache_dir=str(kmech_cache)),
        )
        try:
            docs = opened.client.server_groups_and_resources()
        finally:
            opened.close()
        assert docs.failures == {}
        mapper = build_rest_mapper(docs.group_list, docs.resource_lists)
        names = name_forms(docs)
        predicted = {n: kmech_answer(mapper, n) for n in names}

        # kubectl: warm its own cache, then compare the two caches file by file.
        kubectl = Kubectl(kubeconfig, kubectl_cache)
        kubectl.get("pods")
        host_dir = Path("discovery") / sandbox.url.split("://", 1)[1].replace(":", "_")
        assert _cache_files(kmech_cache / host_dir) == _cache_files(kubectl_cache / host_dir)

        batched = [n for n in names if not predicted[n].error and len(predicted[n].gvrs) == 1]
        multi = [n for n in names if len(predicted[n].gvrs) > 1]  # categories: always all
        singles = multi + _sample([n for n in names if predicted[n].error])
        checked = batched + singles
        started = time.monotonic()
        actual = kubectl.answers(checked, predicted)
        kubectl_seconds = time.monotonic() - started

        mismatches = [
            f"{n!r}: kubectl {actual[n]} | kmech {predicted[n]}"
            for n in checked
            if actual[n] != predicted[n]
        ]
        assert not mismatches, f"{len(mismatches)} of {len(checked)} names differ:\n" + "\n".join(
            mismatches[:40]
        )

        # A slice through the real CLI (HTTP, kubeconfig, warm cache written above).
        sample = checked[:: max(1, len(checked) // 40)]
        via_cli, _ = _kmech_cli(kubeconfig, kmech_cache, sample)
        assert {n: via_cli[n] for n in sample} == {n: actual[n] for n in sample}
        ok = sum(1 for n in checked if not actual[n].error)
        print(
            f"{cluster} {form}: {len(checked)} names compared ({ok} resolved, "
            f"{len(checked) - ok} rejected); kubectl took {kubectl_seconds:.1f}s"
        )
