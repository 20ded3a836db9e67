"""Fixtures of the browser tests: one headless Chromium per module."""

from __future__ import annotations

import pytest
from serving import CHROMIUM_ARGS, chromium_or_skip


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module."""
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()
