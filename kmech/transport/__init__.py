"""Transport: kubeconfig, auth, TLS and raw JSON requests; the only layer that speaks HTTP.

Import the submodules directly (``kmech.transport.options`` is light; ``kmech.transport.client``
loads :mod:`http.client` and :mod:`ssl`, and the ``kubernetes`` package's config module only for
kubeconfigs that need it: exec plugins, auth providers, in-cluster config).
"""
