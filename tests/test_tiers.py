"""The test tiers: the modules the fast tier skips at collection are wholly integration."""

import ast
from pathlib import Path

from tests.conftest import INTEGRATION_MODULES

TESTS = Path(__file__).parent


def _module_mark(path: Path) -> str | None:
    """The ``pytestmark = pytest.mark.<name>`` of a test module, if any."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark"
                                                for t in node.targets):
            return ast.unparse(node.value)
    return None


def test_modules_skipped_by_the_fast_tier_are_marked_integration():
    for name in INTEGRATION_MODULES:
        assert _module_mark(TESTS / name) == "pytest.mark.integration", name


def test_every_wholly_integration_module_is_skipped_by_the_fast_tier():
    marked = {p.name for p in TESTS.glob("test_*.py")
              if _module_mark(p) == "pytest.mark.integration"}
    assert marked == set(INTEGRATION_MODULES)
