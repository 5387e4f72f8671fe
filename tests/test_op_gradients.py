"""Every registered op under gradcheck and gradgradcheck on every device, and the meta-test
that no Function subclass in tinygrad_edu escapes the registry."""

import importlib
import pkgutil

import pytest

import tinygrad_edu as tg
from tests.registry import all_ops, make_inputs, observed_functions, sample_cases

ENTRIES = all_ops()


def check_options(entry):
    """gradcheck's keyword arguments for an entry: its tolerances, and eps where it sets one."""
    options = {"atol": entry.atol, "rtol": entry.rtol}
    if "eps" in entry.extra:
        options["eps"] = entry.extra["eps"]
    return options


@pytest.mark.parametrize("entry, index", sample_cases(ENTRIES))
def test_gradcheck(entry, index, device):
    inputs = make_inputs(entry, index, device)
    assert tg.gradcheck(entry.function, inputs, **check_options(entry))


@pytest.mark.parametrize("entry, index", sample_cases([e for e in ENTRIES if e.gradgrad]))
def test_gradgradcheck(entry, index, device):
    inputs = make_inputs(entry, index, device)
    assert tg.gradgradcheck(entry.function, inputs, **check_options(entry))


def test_registry_entries_have_unique_names_and_torch_twins_or_notes():
    names = [entry.name for entry in ENTRIES]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    for entry in ENTRIES:
        assert entry.gradgrad or entry.note, f"{entry.name}: gradgrad=False needs a note"


def _import_every_module():
    """Import tinygrad_edu and every module under it, so every Function subclass exists."""
    for info in pkgutil.walk_packages(tg.__path__, prefix="tinygrad_edu."):
        if info.name.endswith(".__main__"):
            continue  # `python -m tinygrad_edu` would run the command line on import
        try:
            importlib.import_module(info.name)
        except ModuleNotFoundError as error:
            if error.name is None or error.name.startswith("tinygrad_edu"):
                raise  # a broken module of ours; only optional third-party packages may lack


def _all_subclasses(cls):
    found, stack = [], [cls]
    while stack:
        for subclass in stack.pop().__subclasses__():
            found.append(subclass)
            stack.append(subclass)
    return found


def test_registry_covers_every_function():
    _import_every_module()
    functions = {cls for cls in _all_subclasses(tg.autograd.Function)
                 if cls.__module__.startswith("tinygrad_edu")}
    covered = set().union(*(observed_functions(entry) for entry in ENTRIES))
    missing = sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in functions - covered)
    assert not missing, (
        "Function subclasses that no registry entry runs (add an OpInfo in "
        f"tests/registry/): {missing}")


def test_every_entry_runs_a_function():
    """An entry whose samples build no graph node checks nothing."""
    idle = [entry.name for entry in ENTRIES if not observed_functions(entry)]
    assert not idle, f"entries that run no Function: {idle}"
