"""Transport: kubeconfig, auth, TLS and raw JSON requests; the only layer that speaks HTTP.

Import the submodules directly (``kmech.transport.options`` is light; ``kmech.transport.client``
loads urllib3 and, for kubeconfig loading, the ``kubernetes`` package's config module lazily).
"""
