"""Run ``kmech`` in-process through :func:`kmech.cli.app.main`, the console script's entry point."""

from __future__ import annotations

import logging

import pytest

from kmech.cli.app import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``(exit code, stdout, stderr)`` of ``kmech ARGV``.

    main() configures the "kmech" logger for -v N; it is restored afterwards so later tests stay
    quiet.
    """
    logger = logging.getLogger("kmech")
    saved = (logger.level, logger.propagate, list(logger.handlers))
    try:
        with pytest.raises(SystemExit) as info:
            main(argv)
    finally:
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        logger.handlers[:] = saved[2]
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err
