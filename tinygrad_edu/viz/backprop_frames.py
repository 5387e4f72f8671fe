"""The backward pass as a picture book: one frame per step, as DOT, SVG/PNG files and HTML.

    save_backprop_steps(loss, "backprop/", params={"w": w})   # backprop/step_000.svg, ...,
                                                             # backprop/backprop.html

Frame 0 shows the finished forward pass and the seed dL/dL = 1. Frame k shows step k: the op
being differentiated (orange), the gradient flowing into it (its output, blue), and the
gradients it writes out (its inputs, green); a tensor that already had a gradient from an
earlier use shows the sum `earlier + new = total`. Ops not yet visited are grey and dashed.
"""

from dataclasses import dataclass
from pathlib import Path

from . import dot
from .backprop_steps import record_backward
from .graph import GRADIENT_COLOR, TENSOR_COLORS, op_attributes, tensor_header, tensor_role
from .graph_model import build_graph_model
from .html_player import frames_to_html
from .rendering import DotNotFoundError, run_dot
from .summary import summarize_tensor, summarize_values

CURRENT_OP_COLOR = "#ffb347"
FLOWING_IN_COLOR = "#1f5fbf"
WRITTEN_OUT_COLOR = "#1e8449"
PENDING_COLOR = "#9a9a9a"


@dataclass
class SavedFrames:
    """What save_backprop_steps wrote, and the steps it drew."""

    image_paths: list  # Path of each frame, in order
    html_path: Path
    steps: list  # BackwardStep


def _describe(tensor, model):
    """A tensor as the captions name it: its name, or its shape."""
    name = model.tensor_nodes[id(tensor)].name
    return name or ("shape " + str(tuple(tensor.shape)) if tensor.ndim else "scalar")


def _shares_by_tensor(step):
    """The step's gradient shares grouped per input tensor (x * x writes two into x)."""
    groups = {}
    for share in step.shares:
        groups.setdefault(id(share.tensor), []).append(share)
    return groups


def _sum_text(group):
    """"a + b = total" for an accumulated gradient, or just the share's summary."""
    parts = [] if group[0].previous is None else [group[0].previous]
    parts += [share.share for share in group]
    if len(parts) == 1:
        return summarize_tensor(parts[0])
    return " + ".join(summarize_tensor(part) for part in parts) + " = " + \
        summarize_tensor(group[-1].total)


def _caption(step, count, model):
    lines = [f"Backward step {step.index + 1} of {count}: {type(step.node).__name__}",
             f"  {step.formula}",
             f"  gradient flowing in:  dL/dy = {summarize_tensor(step.grad_output)}"
             f"   (y: {_describe(step.output, model)})"]
    for group in _shares_by_tensor(step).values():
        share = group[0]
        name = _describe(share.tensor, model)
        local = ("" if share.local_derivative is None else
                 f"local derivative dy/dx = {summarize_values(share.local_derivative)};  ")
        lines.append(f"  to input {share.position} ({name}):  {local}"
                     f"writes dL/dy * dy/dx = {summarize_tensor(share.share)}")
        if len(group) > 1 or share.previous is not None:
            lines.append(f"      accumulated gradient of {name}:  {_sum_text(group)}")
    return lines


def _frame_dot(model, steps, current, show_values):
    """The DOT text of the frame after step `current` (-1: the start frame)."""
    known = {id(model.root.tensor): steps[0].grad_output}
    for step in steps[:current + 1]:
        for share in step.shares:
            known[id(share.tensor)] = share.total
    step = steps[current] if current >= 0 else None
    written = _shares_by_tensor(step) if step else {}
    statements = []
    for tensor_node in model.tensors:
        tensor = tensor_node.tensor
        lines = tensor_header(tensor_node)
        if show_values:
            lines.append(summarize_tensor(tensor))
        style = {"shape": "box", "style": "rounded,filled",
                 "fillcolor": TENSOR_COLORS[tensor_role(tensor_node, model.root)]}
        if step is not None and tensor is step.output:
            lines.append("dL/dy = " + summarize_tensor(step.grad_output))
            style.update(color=FLOWING_IN_COLOR, penwidth="2.5", fontcolor=FLOWING_IN_COLOR)
        elif id(tensor) in written:
            lines.append("grad = " + _sum_text(written[id(tensor)]))
            style.update(color=WRITTEN_OUT_COLOR, penwidth="2.5", fontcolor=WRITTEN_OUT_COLOR)
        elif id(tensor) in known:
            lines.append("grad " + summarize_tensor(known[id(tensor)]))
        statements.append(dot.node(tensor_node.key, label=lines, **style))
    visited = {s.node: s.index for s in steps[:current + 1]}
    for op_node in model.ops:
        node = op_node.functions[0]
        lines = [op_node.title + op_node.arguments]
        attributes = op_attributes(op_node, lines)
        if node in visited:
            lines.append(f"step {visited[node] + 1}")
        else:
            attributes.update(style="dashed", fontcolor=PENDING_COLOR, color=PENDING_COLOR)
        if step is not None and node is step.node:
            attributes.update(fillcolor=CURRENT_OP_COLOR, penwidth="2.5")
        statements.append(dot.node(op_node.key, **attributes))
    for edge in model.edges:
        node = edge.functions[0]
        attributes = {}
        if step is not None and node is step.node and edge.carries_gradient:
            attributes = {"color": GRADIENT_COLOR, "penwidth": "2.5"}
        elif node not in visited or not edge.carries_gradient:
            attributes = {"color": PENDING_COLOR}
        statements.append(dot.edge(edge.source, edge.target, **attributes))
    if step is None:
        caption = [f"Forward pass done. Backward starts at the output: dL/dL = "
                   f"{summarize_tensor(steps[0].grad_output)}",
                   f"  then visits the {len(steps)} ops in reverse topological order."]
    else:
        caption = _caption(step, len(steps), model)
    return dot.digraph(statements, caption=caption)


def backprop_frames_to_dot(tensor, steps=None, params=None, show_values=True):
    """DOT text of every frame: the start frame, then one per BackwardStep (recorded from
    `tensor` by record_backward when `steps` is None). params labels parameters by name."""
    if steps is None:
        steps = record_backward(tensor)
    model = build_graph_model(tensor, params)
    return [_frame_dot(model, steps, current, show_values) for current in range(-1, len(steps))]


def save_backprop_steps(tensor, directory, gradient=None, params=None, image_format="svg",
                        show_values=True, title="Backprop, step by step"):
    """Record the backward pass from `tensor` and write its frames to `directory`:
    step_000.<image_format> (svg or png), ... and backprop.html, one offline page with
    previous/next controls (the SVGs inlined). Returns SavedFrames. Needs Graphviz's `dot`;
    without it the frames are written as .dot files and DotNotFoundError is raised."""
    if image_format not in ("svg", "png"):
        raise ValueError(f"save_backprop_steps: image_format must be 'svg' or 'png', got "
                         f"{image_format!r}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    steps = record_backward(tensor, gradient)
    sources = backprop_frames_to_dot(tensor, steps, params, show_values)
    try:
        svgs = [run_dot(source, "svg").decode() for source in sources]
    except DotNotFoundError as error:
        for number, source in enumerate(sources):
            (directory / f"step_{number:03d}.dot").write_text(source)
        raise DotNotFoundError(f"{error}. The frames were written as DOT text to "
                               f"{directory}/step_*.dot") from None
    image_paths = []
    for number, (source, svg) in enumerate(zip(sources, svgs, strict=True)):
        path = directory / f"step_{number:03d}.{image_format}"
        if image_format == "svg":
            path.write_text(svg)
        else:
            path.write_bytes(run_dot(source, "png"))
        image_paths.append(path)
    html_path = directory / "backprop.html"
    html_path.write_text(frames_to_html(svgs, title), encoding="utf-8")
    return SavedFrames(image_paths, html_path, steps)
