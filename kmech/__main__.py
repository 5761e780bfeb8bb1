"""``python -m kmech``: the same entry point as the ``kmech`` script."""

from __future__ import annotations

from kmech.completion.entry import main

if __name__ == "__main__":
    main()
