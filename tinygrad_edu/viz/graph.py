"""`graph_to_dot`: the graph that produced a tensor, as Graphviz DOT text (a pure function).

    loss = ((w * x).sum() - 1) ** 2
    print(graph_to_dot(loss, params={"w": w}))

Tensors are boxes (name, shape and dtype, a value summary, and `grad` once backward has filled
it); ops are ellipses named by their Function class. Edges follow the data: input tensor ->
op -> output tensor. After `backward()` each op shows the step at which backprop visited it,
and each edge the step at which a gradient flowed back along it, counting from 1 at the op
nearest the output (the engine's `backward_index` + 1).
"""

from ..tensor import Tensor
from . import dot
from .graph_model import build_graph_model
from .summary import format_shape, summarize_tensor

TENSOR_COLORS = {"root": "#ffe08a", "trainable": "#cfe8ff", "constant": "#f2f2f2",
                 "computed": "#ffffff"}
OP_COLOR = "#e6e6e6"
BOX_COLOR = "#e8dcff"
GRADIENT_COLOR = "#c0392b"


def tensor_header(tensor_node):
    """The name (when there is one) and the "(2, 3) float32" line."""
    tensor = tensor_node.tensor
    if tensor.shape is None:
        return ["(freed by backward)"]
    kind = f"{format_shape(tensor.shape)} {tensor.dtype}"
    if tensor.device != "cpu":
        kind += f" {tensor.device}"
    return [tensor_node.name, kind] if tensor_node.name else [kind]


def tensor_role(tensor_node, root):
    """The fill color's meaning: the root, a leaf that learns, a constant, or computed."""
    tensor = tensor_node.tensor
    if tensor_node is root:
        return "root"
    if tensor.grad_fn is not None:
        return "computed"
    return "trainable" if tensor.requires_grad else "constant"


def steps_text(functions):
    """The backward steps (1-based) of these Function nodes, runs joined: "3", "2-3, 8", or ""
    before any backward."""
    steps = sorted({f.backward_index + 1 for f in functions if f.backward_index is not None})
    runs = []
    for step in steps:
        if runs and runs[-1][1] == step - 1:
            runs[-1][1] = step
        else:
            runs.append([step, step])
    return ", ".join(str(first) if first == last else f"{first}-{last}" for first, last in runs)


def op_attributes(op_node, lines):
    """Ellipse for an op, a 3-D box for a collapsed module call."""
    boxed = op_node.key.startswith("box")
    return {"label": lines, "shape": "box3d" if boxed else "ellipse", "style": "filled",
            "fillcolor": BOX_COLOR if boxed else OP_COLOR}


LEGEND_TENSOR_TEXT = {"root": "the output (the tensor drawn)",
                      "trainable": "a leaf that learns (a parameter)",
                      "constant": "a constant (does not learn)",
                      "computed": "an intermediate result"}


def legend_node(roles, has_boxes, has_steps):
    """One "legend" node: a table explaining the colours, shapes and step numbers in use."""
    rows = [(TENSOR_COLORS[role], LEGEND_TENSOR_TEXT[role])
            for role in TENSOR_COLORS if role in roles]
    rows.append((OP_COLOR, "ellipse: an op (a Function)"))
    if has_boxes:
        rows.append((BOX_COLOR, "3-D box: a module call, its ops in one box"))
    if has_steps:
        rows += [(None, "red number on an arrow: the backward step that sent"),
                 (None, "a gradient along it (1 = first, from the output);"),
                 (None, "\"backward step\" in an op: when backprop reached it")]
    return dot.table_node("legend", "legend", rows, text_color=GRADIENT_COLOR)


def graph_to_dot(tensor, params=None, show_values=True, show_grads=True,
                 collapse_modules=False, title=None, legend=True):
    """DOT text of the graph that produced `tensor`.

    params: dict name -> Tensor, or a Module, to label parameters by name.
    show_values / show_grads: add each tensor's value summary / gradient summary (and the
    backward step numbers) to the picture.
    collapse_modules: False; True to draw each layer (a module without child modules) as one
    box; or an iterable of Module classes or instances to collapse.
    title: an optional caption line.
    legend: add a box explaining the colours, the shapes and the step numbers drawn.
    """
    model = build_graph_model(tensor, params, collapse_modules)
    statements, roles, has_steps = [], set(), False
    for tensor_node in model.tensors:
        lines = tensor_header(tensor_node)
        if show_values and isinstance(tensor_node.tensor, Tensor):
            lines.append(summarize_tensor(tensor_node.tensor))
        grad = tensor_node.tensor.grad
        if show_grads and grad is not None:
            lines.append("grad " + summarize_tensor(grad))
        role = tensor_role(tensor_node, model.root)
        roles.add(role)
        statements.append(dot.node(tensor_node.key, label=lines, shape="box",
                                   style="rounded,filled", fillcolor=TENSOR_COLORS[role]))
    for op_node in model.ops:
        lines = [op_node.title + op_node.arguments]
        steps = steps_text(op_node.functions) if show_grads else ""
        if steps:
            lines.append(f"backward step {steps}")
            has_steps = True
        statements.append(dot.node(op_node.key, **op_attributes(op_node, lines)))
    for edge in model.edges:
        steps = steps_text(edge.functions) if show_grads and edge.carries_gradient else ""
        style = {"label": steps, "fontcolor": GRADIENT_COLOR} if steps else {}
        statements.append(dot.edge(edge.source, edge.target, **style))
    if legend:
        has_boxes = any(op_node.key.startswith("box") for op_node in model.ops)
        statements.append(legend_node(roles, has_boxes, has_steps))
    return dot.digraph(statements, caption=[title] if title else None)
