"""The backward pass step by step: recorded quantities, frames as DOT, files and HTML page."""

import re
import shutil

import numpy as np
import pytest
from test_viz_fake_modules import make_mlp

import tinygrad_edu as tg
import tinygrad_edu.viz.rendering as rendering
from tinygrad_edu.viz import (
    DotNotFoundError,
    backprop_frames_to_dot,
    record_backward,
    save_backprop_steps,
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")


def small_graph(device="cpu"):
    """loss = (sum(w * x) - 1)^2 + sum(w * x), w = [1, 2], x = [3, 4]; dloss/dw = 21 x."""
    w = tg.tensor([1.0, 2.0], device=device, requires_grad=True)
    w.name = "w"
    x = tg.tensor([3.0, 4.0], device=device)
    product = w * x
    return w, product, (product.sum() - 1) ** 2 + product.sum()


def values(tensor):
    return tensor.numpy().tolist()


def test_steps_visit_ops_from_the_loss_back_to_the_leaves(device):
    w, product, loss = small_graph(device)
    steps = record_backward(loss)
    # from the highest sequence number down: the later product.sum() comes before the power
    assert [type(step.node).__name__ for step in steps] == ["Add", "Sum", "Pow", "Sub", "Sum",
                                                            "Mul"]
    assert [step.index for step in steps] == list(range(6))
    assert values(steps[0].grad_output) == 1.0
    assert [values(share.share) for share in steps[0].shares] == [1.0, 1.0]
    power = steps[2]
    assert values(power.shares[0].share) == 20.0  # 2 (sum - 1) with sum = 11
    assert power.shares[0].local_derivative.tolist() == 20.0
    assert power.formula == "y = a^b;  dy/da = b a^(b-1), dy/db = a^b ln(a)."
    multiply = steps[-1]
    assert multiply.output is product
    assert values(multiply.grad_output) == [21.0, 21.0]
    (to_w,) = multiply.shares  # x does not require grad, so it receives nothing
    assert to_w.tensor is w and to_w.position == 0 and to_w.previous is None
    assert values(to_w.share) == [63.0, 84.0]
    assert to_w.local_derivative.tolist() == [3.0, 4.0]  # dy/dw = x
    assert steps[1].shares[0].local_derivative is None  # Sum is not elementwise


def test_a_reused_tensor_accumulates_its_gradient_as_a_sum():
    _, product, loss = small_graph()
    steps = record_backward(loss)
    first, second = (step.shares[0] for step in (steps[1], steps[4]))  # the two sums
    assert first.tensor is product and second.tensor is product
    assert first.previous is None and values(first.total) == [1.0, 1.0]
    assert values(second.previous) == [1.0, 1.0] and values(second.share) == [20.0, 20.0]
    assert values(second.total) == [21.0, 21.0]


def test_recording_leaves_grad_alone_and_keeps_the_graph():
    w, _, loss = small_graph()
    record_backward(loss)
    assert w.grad is None
    loss.backward()
    assert values(w.grad) == [63.0, 84.0]


def test_a_non_scalar_output_takes_its_gradient_and_bad_input_is_named():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    steps = record_backward(w * 3.0, gradient=tg.tensor([1.0, -1.0]))
    assert values(steps[0].shares[0].share) == [3.0, -3.0]
    with pytest.raises(ValueError, match="record_backward: expected a Tensor computed"):
        record_backward(w)
    loss = (w * w).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="record_backward: .*retain_graph=True"):
        record_backward(loss)


def test_frames_show_the_current_op_and_the_gradients_in_and_out():
    _, _, loss = small_graph()
    frames = backprop_frames_to_dot(loss)
    assert len(frames) == 7  # the start frame and one per op
    assert "dL/dL = 1" in frames[0]
    assert frames[0].count('style="dashed"') == 6 and '"#ffb347"' not in frames[0]
    last = frames[-1]
    assert "Backward step 6 of 6: Mul" in last
    assert "y = a * b;  dy/da = b, dy/db = a." in last
    assert "local derivative dy/dx = [3, 4];  writes dL/dy * dy/dx = [63, 84]" in last
    assert "grad = [63, 84]" in last  # written into w's node
    assert "dL/dy = [21, 21]" in last  # flowing into the product's node
    assert last.count('fillcolor="#ffb347"') == 1 and 'style="dashed"' not in last
    assert "grad = [1, 1] + [20, 20] = [21, 21]" in frames[5]
    assert "accumulated gradient of shape (2,):  [1, 1] + [20, 20] = [21, 21]" in frames[5]


def test_a_tensor_used_twice_by_one_op_shows_both_shares():
    x = tg.tensor(3.0, requires_grad=True)
    frames = backprop_frames_to_dot(x * x)
    assert "grad = 3 + 3 = 6" in frames[1]


def test_frames_of_an_mlp_label_parameters():
    model = make_mlp()
    loss = (model(tg.randn(5, 3)) ** 2).mean()
    steps = record_backward(loss)
    assert len(steps) == 9
    matmuls = [step for step in steps if type(step.node).__name__ == "Matmul"]
    assert all(share.local_derivative is None for step in matmuls for share in step.shares)
    frames = backprop_frames_to_dot(loss, steps, params=model)
    assert len(frames) == 10 and "2.weight" in frames[-1]


def html_frames(text):
    return re.findall(r'<div class="frame" id="frame-\d+">\s*<svg', text)


@needs_dot
def test_saved_frames_and_an_offline_html_page(tmp_path):
    _, _, loss = small_graph()
    saved = save_backprop_steps(loss, tmp_path / "steps")
    assert [path.name for path in saved.image_paths] == [f"step_{i:03d}.svg" for i in range(7)]
    assert all(path.read_text().lstrip().startswith("<?xml") for path in saved.image_paths)
    page = saved.html_path.read_text(encoding="utf-8")
    assert len(html_frames(page)) == 7 and page.count("<svg") == 7
    assert "Backward step 6 of 6: Mul" in page
    assert re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page) is None
    assert "<link" not in page and "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert "previous-frame" in page and "next-frame" in page and "<script>" in page


@needs_dot
def test_frames_as_png(tmp_path):
    image = pytest.importorskip("matplotlib.image")
    x = tg.tensor([1.0, -2.0], requires_grad=True)
    saved = save_backprop_steps((x.relu() * x).sum(), tmp_path, image_format="png")
    assert len(saved.image_paths) == 4
    pixels = image.imread(saved.image_paths[-1])
    assert pixels.ndim == 3 and float(np.std(pixels)) > 0.05


def test_without_dot_the_frames_are_written_as_dot_text(tmp_path, monkeypatch):
    monkeypatch.setattr(rendering.shutil, "which", lambda name: None)
    _, _, loss = small_graph()
    with pytest.raises(DotNotFoundError, match="apt-get install graphviz"):
        save_backprop_steps(loss, tmp_path)
    assert len(list(tmp_path.glob("step_*.dot"))) == 7
    with pytest.raises(ValueError, match="image_format must be 'svg' or 'png'"):
        save_backprop_steps(loss, tmp_path, image_format="gif")
