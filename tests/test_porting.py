"""The porting test: ordinary PyTorch training scripts (tests/porting/) run unchanged except
for their import lines, once with PyTorch and once with tinygrad_edu, and give the same numbers.

Only lines that begin with `import` or `from` are rewritten (`import torch` ->
`import tinygrad_edu as torch`, ...); the test fails if any other line would need a change.
Numbers that depend on the random stream (PyTorch's generator is not ours bit for bit: shuffled
batches, sampled names) are compared with a tolerance; everything else tightly.
"""

import math
import re
import types
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).parent / "porting"

IMPORT_REWRITES = [
    (r"^import torch$", "import tinygrad_edu as torch"),
    (r"^import torch\.nn as nn$", "from tinygrad_edu import nn"),
    (r"^import torch\.nn\.functional as F$", "from tinygrad_edu.nn import functional as F"),
    (r"^import torch\.optim as optim$", "from tinygrad_edu import optim"),
    (r"^from torch import (.*)$", r"from tinygrad_edu import \1"),
    (r"^from torch\.(\S+) import (.*)$", r"from tinygrad_edu.\1 import \2"),
]


def port(source):
    """The script with its torch imports pointed at tinygrad_edu; no other line touched."""
    lines = []
    for line in source.splitlines():
        if line.startswith(("import ", "from ")):
            for pattern, replacement in IMPORT_REWRITES:
                line = re.sub(pattern, replacement, line)
        lines.append(line)
    ported = "\n".join(lines) + "\n"
    changed = [(a, b) for a, b in zip(source.splitlines(), lines, strict=True) if a != b]
    assert all(a.startswith(("import ", "from ")) for a, _ in changed)
    assert not any(re.match(r"^(import|from) torch\b", line) for line in lines), \
        "an import of torch that the rewrite rules do not cover"
    return ported


def run_script(name, framework):
    """main() of tests/porting/<name>.py, with PyTorch ("torch") or ported ("tinygrad")."""
    path = SCRIPTS / f"{name}.py"
    source = path.read_text()
    if framework == "tinygrad":
        source = port(source)
    else:
        import torch

        torch.set_num_threads(1)  # small models: threads only contend on a shared machine
    module = types.ModuleType(f"porting_{name}_{framework}")
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), module.__dict__)  # noqa: S102  (our own scripts)
    return module.main()


def close(ours, theirs, rel, absolute=0.0):
    """Numbers (or lists of them) equal within rel (relative) or absolute, whichever is looser;
    everything else exactly equal."""
    if isinstance(theirs, list):
        return len(ours) == len(theirs) and all(close(a, b, rel, absolute)
                                                for a, b in zip(ours, theirs, strict=True))
    if isinstance(theirs, bool) or not isinstance(theirs, int | float):
        return ours == theirs
    return math.isclose(ours, theirs, rel_tol=rel, abs_tol=absolute)


# For each script: key -> (relative, absolute) tolerance; keys not listed must match within
# 1e-5 (float32 arithmetic summed in another order).
TOLERANCES = {
    "mlp_digits": {"train_loss": (0.0, 0.05), "test_accuracy": (0.0, 0.03)},
    "char_bigram": {"final_loss": (0.0, 0.03), "data_nll": (0.0, 0.03),
                    "sample_nll": (0.0, 0.12), "mean_length": (0.0, 0.6)},
    "manual_backprop": {key: (0.0, 1e-12) for key in
                        ("logits_maxdiff", "h_maxdiff", "h_pre_maxdiff", "W2_maxdiff",
                         "b2_maxdiff", "W1_maxdiff", "b1_maxdiff")},
    "sgd_by_hand": {},
    "custom_function": {"loss": (1e-4, 0.0), "coefficients": (1e-4, 1e-6)},
}

# What each script must reach on its own (so the test means something without PyTorch too).
EXPECTATIONS = {
    "mlp_digits": lambda r: r["test_accuracy"] > 0.85 and r["train_loss"] < 0.2
    and r["learning_rates"] == [0.1] * 4 + [0.05] * 4 + [0.025] * 4,
    "char_bigram": lambda r: r["repeatable"] and r["final_loss"] < 2.0
    and abs(r["sample_nll"] - r["data_nll"]) < 0.3,
    "manual_backprop": lambda r: all(value for key, value in r.items() if key.endswith("_close")),
    "sgd_by_hand": lambda r: r["losses"][-1] < r["losses"][0] and r["b"] > 0.5,
    "custom_function": lambda r: r["values_match"] and r["grads_match"] and r["loss"] < 100,
}

CASES = ["mlp_digits", "char_bigram", "manual_backprop", "sgd_by_hand", "custom_function"]


@pytest.mark.parametrize("name", CASES)
def test_script_gives_pytorchs_numbers_after_changing_only_imports(name):
    if name == "mlp_digits":
        pytest.importorskip("sklearn")
    ours = run_script(name, "tinygrad")
    assert EXPECTATIONS[name](ours), ours
    pytest.importorskip("torch")
    theirs = run_script(name, "torch")
    assert EXPECTATIONS[name](theirs), theirs  # the script is sound in PyTorch too
    assert set(ours) == set(theirs)
    for key, expected in theirs.items():
        rel, absolute = TOLERANCES[name].get(key, (1e-5, 1e-6))
        assert close(ours[key], expected, rel, absolute), (key, ours[key], expected)


def test_port_rewrites_only_import_lines():
    source = "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader\n" \
             "x = torch.zeros(3)  # import torch\n"
    assert port(source) == ("import tinygrad_edu as torch\nfrom tinygrad_edu import nn\n"
                            "from tinygrad_edu.utils.data import DataLoader\n"
                            "x = torch.zeros(3)  # import torch\n")
