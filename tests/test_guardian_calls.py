"""Every get_objects_for_user call in the product refuses global perms and superuser bypass."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "cases", "advocacy", "config"]


def _calls() -> list[tuple[Path, ast.Call]]:
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call):
                    fn = node.func
                    name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                    if name == "get_objects_for_user":
                        found.append((path, node))
    return found


def test_the_product_calls_get_objects_for_user():
    assert _calls(), "the selectors are expected to use guardian's get_objects_for_user"


def test_every_call_passes_accept_global_perms_false_and_with_superuser_false():
    for path, call in _calls():
        kwargs = {k.arg: k.value for k in call.keywords}
        for flag in ("accept_global_perms", "with_superuser"):
            value = kwargs.get(flag)
            assert isinstance(value, ast.Constant) and value.value is False, (
                f"{path.relative_to(ROOT)}:{call.lineno} must pass {flag}=False"
            )
