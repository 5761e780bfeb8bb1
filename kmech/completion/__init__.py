"""Shell completion's fast back end: a TAB answered from the generated command spec and caches.

Nothing here imports typer, click, rich or the ``kubernetes`` package on a warm path. The
modules: :mod:`~kmech.completion.entry` (the console scripts), :mod:`~kmech.completion.protocol`
(typer's environment protocol and output formats), :mod:`~kmech.completion.engine` (click's
completion rules over :mod:`~kmech.completion.spec`, generated into ``_spec``),
:mod:`~kmech.completion.sources` (the candidate sources), their caches
(:mod:`~kmech.completion.resources` over kubectl's discovery disk cache,
:mod:`~kmech.completion.namespaces`, :mod:`~kmech.completion.kubeconfig`,
:mod:`~kmech.completion.limiters`), :mod:`~kmech.completion.refresh` (the detached cache
refresher) and :mod:`~kmech.completion.files` (owner-only JSON files). The typer side (the
``completion`` command, the ``autocompletion=`` callbacks, the generator) is
:mod:`kmech.cli.completion`.
"""

from __future__ import annotations

from kmech.completion.candidate import Candidate

__all__ = ["Candidate"]
