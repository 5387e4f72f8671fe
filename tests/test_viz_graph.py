"""graph_to_dot as text: nodes, edges, labels, backward order, module boxes; draw_graph."""

import re
import sys
from types import SimpleNamespace

import pytest
from test_viz_fake_modules import FakeLinear, FakeSequential, make_mlp

import tinygrad_edu as tg
from tinygrad_edu.viz import draw_graph, graph_to_dot
from tinygrad_edu.viz.graph import steps_text


def dot_nodes(text):
    """key -> label of every node statement."""
    return dict(re.findall(r'^\s+(\w+) \[label="((?:[^"\\]|\\.)*)"', text, re.M))


def dot_edges(text):
    """(source, target, attributes) of every edge statement."""
    return re.findall(r"^\s+(\w+) -> (\w+)(?: \[(.*)\])?;", text, re.M)


def ops_titled(text, title):
    return [key for key, label in dot_nodes(text).items()
            if key.startswith("op") and label.split("\\n")[0] == title]


def small_graph(device="cpu"):
    """loss = (sum(w * x) - 1)^2 + sum(w * x) with w = [1, 2], x = [3, 4]: the product is used
    twice, so its gradient is accumulated."""
    w = tg.tensor([1.0, 2.0], device=device, requires_grad=True)
    x = tg.tensor([3.0, 4.0], device=device)
    product = w * x
    loss = (product.sum() - 1) ** 2 + product.sum()
    return w, x, loss


def test_small_graph_has_one_node_per_tensor_and_op(device):
    w, x, loss = small_graph(device)
    text = graph_to_dot(loss, params={"w": w})
    nodes = dot_nodes(text)
    tensors = [key for key in nodes if key.startswith("t")]
    ops = [nodes[key].split("\\n")[0] for key in nodes if key.startswith("op")]
    assert len(tensors) == 8  # w, x, w*x, two sums, sum - 1, its square, loss
    assert sorted(ops) == sorted(["Mul", "Sum", "Sum", "Sub(\u00b7, 1)", "Pow(\u00b7, 2)", "Add"])
    assert len(dot_edges(text)) == 14  # every op: one edge per tensor input, one to its output
    on = "" if device == "cpu" else f" {device}"
    assert nodes["t0"] == f"w\\n(2,) float32{on}\\n[1, 2]"
    assert nodes["t1"] == f"(2,) float32{on}\\n[3, 4]"
    assert nodes[[k for k in tensors if nodes[k].endswith("111")][0]].startswith("scalar float32")


def test_edges_follow_the_data_from_inputs_to_ops_to_outputs():
    w, x, loss = small_graph()
    text = graph_to_dot(loss, params={"w": w})
    (mul,) = ops_titled(text, "Mul")
    edges = [(source, target) for source, target, _ in dot_edges(text)]
    assert ("t0", mul) in edges and ("t1", mul) in edges
    assert (mul, "t2") in edges
    assert [source for source, target in edges if source == "t2"] == ["t2", "t2"]  # used twice
    root = [k for k, label in dot_nodes(text).items() if label.endswith("111")][0]
    assert [target for _, target in edges].count(root) == 1
    assert [source for source, _ in edges].count(root) == 0


def test_before_backward_there_are_no_gradients_or_steps():
    _, _, loss = small_graph()
    text = graph_to_dot(loss)
    assert "grad" not in text and "backward step" not in text
    assert all(attributes == "" for _, _, attributes in dot_edges(text))


def test_after_backward_tensors_show_gradients_and_edges_the_backward_order():
    w, x, loss = small_graph()
    loss.backward()
    text = graph_to_dot(loss, params={"w": w})
    nodes = dot_nodes(text)
    # dloss/dw = (2 (sum - 1) + 1) * x = 21 * [3, 4]
    assert nodes["t0"] == "w\\n(2,) float32\\n[1, 2]\\ngrad [63, 84]"
    assert "grad" not in nodes["t1"]  # x does not require grad
    (add,) = ops_titled(text, "Add")
    (mul,) = ops_titled(text, "Mul")
    assert nodes[add].endswith("backward step 1")  # the op nearest the loss comes first
    assert nodes[mul].endswith("backward step 6")  # the op nearest the leaves comes last
    labels = {(source, target): attributes for source, target, attributes in dot_edges(text)}
    assert labels[("t0", mul)].startswith('label="6"')
    assert labels[("t1", mul)] == ""  # no gradient flows to a constant
    steps = sorted(int(m) for m in re.findall(r'label="(\d+)"', text))
    assert steps == sorted([1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6])


def test_show_values_and_show_grads_can_be_turned_off():
    w, _, loss = small_graph()
    loss.backward()
    text = graph_to_dot(loss, params={"w": w}, show_values=False, show_grads=False)
    assert dot_nodes(text)["t0"] == "w\\n(2,) float32"
    assert "grad" not in text and "step" not in text and "label=\"1\"" not in text


def test_large_tensors_are_summarized_and_small_ones_listed():
    x = tg.arange(100, dtype=tg.float32).reshape(10, 10).requires_grad_()
    text = graph_to_dot((x * 2.0).sum(dim=1), title="summaries")
    label = dot_nodes(text)["t0"]
    assert label == "(10, 10) float32\\nmean=49.5 std=28.87 min=0 max=99"
    assert ops_titled(text, "Mul(\u00b7, 2)") and ops_titled(text, "Sum(\u00b7, (1,))")
    assert 'label="summaries\\l"' in text


def test_named_tensors_and_module_parameters_are_labelled():
    model = make_mlp()
    x = tg.randn(5, 3)
    x.name = "input batch"
    loss = (model(x) ** 2).mean()
    text = graph_to_dot(loss, params=model)
    labels = [label.split("\\n")[0] for label in dot_nodes(text).values()]
    for name in ("input batch", "0.weight", "0.bias", "2.weight", "2.bias"):
        assert name in labels


def test_without_collapsing_every_op_of_the_mlp_is_drawn():
    model = make_mlp()
    text = graph_to_dot((model(tg.randn(5, 3)) ** 2).mean())
    ops = [label.split("\\n")[0] for key, label in dot_nodes(text).items() if key.startswith("op")]
    linear = ["Permute(\u00b7, (1, 0))", "Matmul", "Add"]
    assert sorted(ops) == sorted([*linear, "Relu", *linear, "Pow(\u00b7, 2)", "Mean"])


def test_collapsing_layers_draws_each_module_call_as_one_box():
    model = make_mlp()
    x = tg.randn(5, 3)
    loss = (model(x) ** 2).mean()
    loss.backward()
    text = graph_to_dot(loss, params=model, collapse_modules=True)
    nodes = dot_nodes(text)
    boxes = {key: label.split("\\n")[0] for key, label in nodes.items() if key.startswith("box")}
    assert sorted(boxes.values()) == ["FakeLinear 0", "FakeLinear 2", "FakeReLU 1"]
    assert all("backward step" in nodes[key] for key in boxes)
    ops = [label.split("\\n")[0] for key, label in nodes.items() if key.startswith("op")]
    assert sorted(ops) == ["Mean", "Pow(\u00b7, 2)"]
    # x, 2 parameters and the output per Linear box; the hidden layers between the boxes
    assert len([key for key in nodes if key.startswith("t")]) == 10
    first_linear = [key for key, title in boxes.items() if title == "FakeLinear 0"][0]
    sources = sorted(nodes[s].split("\\n")[0] for s, t, _ in dot_edges(text) if t == first_linear)
    assert sources == ["(5, 3) float32", "0.bias", "0.weight"]
    assert 'shape="box3d"' in text


def test_collapsing_a_chosen_module_class_swallows_its_children():
    model = make_mlp()
    loss = (model(tg.randn(5, 3)) ** 2).mean()
    text = graph_to_dot(loss, params=model, collapse_modules=[FakeSequential])
    nodes = dot_nodes(text)
    (box,) = [key for key in nodes if key.startswith("box")]
    assert nodes[box] == "FakeSequential"  # the root module has no qualified name
    assert len([edge for edge in dot_edges(text) if edge[1] == box]) == 5  # x and 4 parameters
    assert len([edge for edge in dot_edges(text) if edge[0] == box]) == 1
    linear_only = graph_to_dot(loss, collapse_modules=[model.children_by_name["0"]])
    assert [label for key, label in dot_nodes(linear_only).items()
            if key.startswith("box")] == ["FakeLinear"]
    assert ops_titled(linear_only, "Relu")
    assert not ops_titled(graph_to_dot(loss, collapse_modules=[FakeLinear]), "Matmul")


def test_a_leaf_alone_is_one_node_and_bad_input_is_named():
    leaf = tg.tensor(3.0)
    text = graph_to_dot(leaf)
    assert dot_nodes(text) == {"t0": "scalar float32\\n3"}
    assert dot_edges(text) == []
    with pytest.raises(TypeError, match="draw_graph: expected a Tensor, got list"):
        graph_to_dot([1.0])


def test_a_deep_chain_needs_no_recursion():
    x = tg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    text = graph_to_dot(y, show_values=False)
    assert len(ops_titled(text, "Mul(\u00b7, 1)")) == 3000


def test_draw_graph_wraps_the_same_dot_text_in_a_digraph():
    graphviz = pytest.importorskip("graphviz")
    w, _, loss = small_graph()
    graph = draw_graph(loss, params={"w": w}, title="small")
    assert isinstance(graph, graphviz.Digraph)
    expected = graph_to_dot(loss, params={"w": w}, title="small").strip().splitlines()
    assert [line.rstrip() for line in graph.source.strip().splitlines()] == expected


def test_draw_graph_without_the_graphviz_package_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    _, _, loss = small_graph()
    with pytest.raises(ImportError, match="pip install graphviz"):
        draw_graph(loss)


def test_backward_steps_of_a_box_are_written_as_runs():
    nodes = [SimpleNamespace(backward_index=index) for index in (7, 1, 2, None, 4)]
    assert steps_text(nodes) == "2-3, 5, 8"
    assert steps_text(nodes[3:4]) == ""


def test_an_nn_mlp_collapses_into_one_box_per_layer():
    nn = pytest.importorskip("tinygrad_edu.nn")
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    loss = nn.CrossEntropyLoss()(model(tg.randn(6, 4)), tg.tensor([0, 1, 2, 0, 1, 2]))
    loss.backward()
    text = graph_to_dot(loss, params=model, collapse_modules=True)
    nodes = dot_nodes(text)
    boxes = sorted(label.split("\\n")[0] for key, label in nodes.items() if key.startswith("box"))
    assert boxes == ["CrossEntropyLoss", "Linear 0", "Linear 2", "ReLU 1"]
    assert not [key for key in nodes if key.startswith("op")]
    assert all("backward step" in nodes[key] for key in nodes if key.startswith("box"))
    assert len(nodes) == 14  # 10 tensors (x, y, 4 parameters, 3 activations, loss) + 4 boxes


def test_several_constants_are_named_after_the_forward_arguments():
    from tinygrad_edu import nn

    logits = tg.randn(4, 3, requires_grad=True)
    text = graph_to_dot(nn.CrossEntropyLoss()(logits, tg.tensor([0, 1, 2, 1])))
    (op,) = [label for key, label in dot_nodes(text).items() if key.startswith("op")]
    assert op == ("CrossEntropy(\u00b7, \u00b7, ignore_index=-100, label_smoothing=0, "
                  "reduction=mean)")
    assert ops_titled(graph_to_dot(logits * 2.0), "Mul(\u00b7, 2)")  # one constant: no name


def test_the_legend_explains_what_the_picture_uses():
    w, _, loss = small_graph()
    before = graph_to_dot(loss, params={"w": w})
    legend = re.search(r"^\s+legend \[shape=plaintext, fontsize=10, label=<(.*)>\];$", before,
                       re.M).group(1)
    for text in ("the output", "a leaf that learns", "a constant", "an intermediate result",
                 "ellipse: an op"):
        assert text in legend
    assert "backward step" not in legend and "3-D box" not in legend
    loss.backward()
    after = graph_to_dot(loss, params={"w": w})
    assert "red number on an arrow: the backward step" in after
    assert "legend" not in graph_to_dot(loss, legend=False)
    model = make_mlp()
    boxed = graph_to_dot((model(tg.randn(5, 3)) ** 2).mean(), collapse_modules=True)
    assert "3-D box: a module call" in boxed
