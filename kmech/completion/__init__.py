"""Shell completion's fast back end: a TAB answered from the generated command spec and caches.

Nothing here imports typer, click, rich or the ``kubernetes`` package on a warm path. The
modules: :mod:`~kmech.completion.entry` (the console script), :mod:`~kmech.completion.protocol`
(typer's environment protocol and output formats), :mod:`~kmech.completion.engine` (click's
completion rules over :mod:`~kmech.completion.spec`), :mod:`~kmech.completion.sources` (the
candidate sources), and the sources' caches: :mod:`~kmech.completion.resources` (kubectl's
discovery disk cache), :mod:`~kmech.completion.namespaces`, :mod:`~kmech.completion.kubeconfig`,
:mod:`~kmech.completion.limiters`.
"""

from __future__ import annotations

from kmech.completion.candidate import Candidate

__all__ = ["Candidate"]
