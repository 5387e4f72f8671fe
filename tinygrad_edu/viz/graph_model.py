"""The autograd graph behind a tensor, read into plain lists of nodes and edges.

Walking `root.grad_fn -> inputs -> their grad_fn -> ...` finds every op (a Function node) and
every tensor of the graph: a tensor is the root or some op's input. The result, a `GraphModel`,
lists them in data-flow order (inputs before the ops that use them), with edges
`input tensor -> op -> output tensor`. Drawing code (graph.py, backprop_steps.py) only reads it.

After a backward() that freed the graph, a node holds its input tensors only weakly: a tensor
still alive elsewhere is drawn as usual, one that is gone as a `FreedTensor` placeholder.

Collapsing modules: `nn.Module.__call__` records `(module, input tensors)` in `module_calls` of
the node that made the call's output. The ops between those inputs and that node belong to the
call, and a collapsed call is drawn as one box whose inputs are the call's inputs plus every
outside tensor its ops read (the module's parameters).
"""

import inspect
import weakref
from dataclasses import dataclass

from ..autograd.engine import topological_order
from ..autograd.function import Function
from ..tensor import Tensor
from .summary import format_constant


class FreedTensor:
    """Stands in for an input tensor that backward() released and nothing else kept alive:
    only where its gradient went (`grad_fn`) is known."""

    shape = None
    dtype = device = name = grad = None
    requires_grad = True

    def __init__(self, reference, edge):
        self.reference = reference  # the dead weak reference, shared by every node that used it
        self.grad_fn = edge if isinstance(edge, Function) else None


def node_inputs(node):
    """A node's inputs; after backward freed the node, each weakly held tensor as itself while
    it is alive, else as a FreedTensor."""
    return tuple(_alive(value, edge) for value, edge in zip(node.inputs, node.edges, strict=True))


def _alive(value, edge):
    if isinstance(value, weakref.ReferenceType):
        tensor = value()
        return FreedTensor(value, edge) if tensor is None else tensor
    return value


def is_tensor(value):
    """A Tensor, or the placeholder of one that backward released."""
    return isinstance(value, Tensor | FreedTensor)


def identity(tensor):
    """A key for a tensor: the same for a Tensor and for every placeholder of it."""
    return id(tensor.reference) if isinstance(tensor, FreedTensor) else id(tensor)


@dataclass
class TensorNode:
    key: str  # DOT id, "t0", "t1", ...
    tensor: Tensor
    name: str | None  # the tensor's own name, or its parameter name


@dataclass
class OpNode:
    key: str  # DOT id, "op0", ... for an op, "box0", ... for a collapsed module call
    title: str  # the Function's class name, or "Linear fc1" for a module box
    functions: list  # the Function nodes drawn here (one, or all of a module call's ops)
    arguments: str = ""  # "(·, 2)" when the op took constants besides tensors, else ""


@dataclass
class Edge:
    source: str
    target: str
    functions: list  # the Function nodes whose backward sends a gradient along this edge
    carries_gradient: bool  # False for inputs that do not require grad


@dataclass
class GraphModel:
    tensors: list  # TensorNode, in data-flow order
    ops: list  # OpNode, in data-flow order
    edges: list  # Edge
    root: TensorNode
    tensor_nodes: dict  # id(tensor) -> its TensorNode


def parameter_names(params):
    """id(tensor) -> name from a dict name -> tensor or a Module (anything with
    named_parameters()); empty for None."""
    if params is None:
        return {}
    named = params.named_parameters() if hasattr(params, "named_parameters") else params.items()
    return {id(tensor): name for name, tensor in named}


def _module_names(params):
    if params is None or not hasattr(params, "named_modules"):
        return {}
    return {id(module): name for name, module in params.named_modules() if name}


def _module_selector(collapse_modules):
    """Which module calls become boxes: False none; True the modules without child modules
    (layers such as Linear or ReLU); or an iterable of Module classes and/or instances."""
    if collapse_modules is False or collapse_modules is None:
        return lambda module: False
    if collapse_modules is True:
        return lambda module: not any(True for _ in module.children())
    chosen = list(collapse_modules)
    classes = tuple(item for item in chosen if isinstance(item, type))
    instances = [item for item in chosen if not isinstance(item, type)]
    return lambda module: isinstance(module, classes) or any(module is m for m in instances)


def _call_members(output_node, call_inputs):
    """The Function nodes between a module call's input tensors and its output node."""
    stops = {identity(tensor) for tensor in call_inputs}
    members = {output_node}
    stack = [output_node]
    while stack:
        for value in node_inputs(stack.pop()):
            if is_tensor(value) and identity(value) not in stops:
                producer = value.grad_fn
                if producer is not None and producer not in members:
                    members.add(producer)
                    stack.append(producer)
    return members


def _assign_boxes(order, outputs, collapse_modules, params):
    """(Function node -> box index for the ops inside collapsed module calls, each box's title).
    Calls are taken largest first, so a call nested inside another collapsed one disappears
    into it."""
    selected = _module_selector(collapse_modules)
    module_names = _module_names(params)
    calls = []
    for node in order:
        for module, call_inputs in node.module_calls:
            call_inputs = [_alive(value, None) for value in call_inputs]
            if selected(module) and all(identity(outputs[node]) != identity(t)
                                        for t in call_inputs):
                calls.append((node, module, _call_members(node, call_inputs)))
    calls.sort(key=lambda call: -len(call[2]))
    box_of = {}
    titles = []
    for output_node, module, members in calls:
        if output_node in box_of:
            continue
        name = module_names.get(id(module))
        titles.append(type(module).__name__ + (f" {name}" if name else ""))
        for member in members:
            box_of.setdefault(member, len(titles) - 1)
    return box_of, titles


def output_tensors(root, order):
    """Function node -> the Tensor it produced, for every node in `order` (a graph's nodes)."""
    outputs = {root.grad_fn: root}
    for node in order:
        for value in node_inputs(node):
            if is_tensor(value) and value.grad_fn is not None:
                outputs[value.grad_fn] = value
    return outputs


def _arguments_text(function_class, inputs):
    """The op's arguments with tensors as "·" and constants written out: "(·, 2)" for a single
    constant, named after the forward's parameters when there are several, as in
    "(·, ·, ignore_index=-100, reduction=mean)"; empty when there is no constant worth
    showing (see `format_constant`)."""
    constants = [None if is_tensor(value) else format_constant(value) for value in inputs]
    shown_count = sum(text is not None for text in constants)
    if shown_count == 0:
        return ""
    names = _forward_parameter_names(function_class)
    if shown_count > 1 and len(names) == len(inputs):
        constants = [None if text is None else f"{name}={text}"
                     for name, text in zip(names, constants, strict=True)]
    shown = ["\u00b7" if is_tensor(value) else text
             for value, text in zip(inputs, constants, strict=True)]
    return "(" + ", ".join(text for text in shown if text is not None) + ")"


def _forward_parameter_names(function_class):
    """The names of forward's arguments after ctx; empty when it takes *args."""
    parameters = list(inspect.signature(function_class.forward).parameters.values())[1:]
    if any(parameter.kind is parameter.VAR_POSITIONAL for parameter in parameters):
        return []
    return [parameter.name for parameter in parameters]


def build_graph_model(root, params=None, collapse_modules=False):
    """Read the graph that produced `root` (see the module docstring)."""
    if not isinstance(root, Tensor):
        raise TypeError(f"draw_graph: expected a Tensor, got {type(root).__name__}")
    names = parameter_names(params)
    tensors, ops, edges = [], [], []
    tensor_nodes = {}

    def tensor_key(tensor):
        key = identity(tensor)
        if key not in tensor_nodes:
            tensor_nodes[key] = TensorNode(f"t{len(tensors)}", tensor,
                                           tensor.name or names.get(key))
            tensors.append(tensor_nodes[key])
        return tensor_nodes[key].key

    if root.grad_fn is None:
        tensor_key(root)
        return GraphModel(tensors, ops, edges, tensors[0], tensor_nodes)

    order = topological_order([root.grad_fn])  # consumers first
    outputs = output_tensors(root, order)
    box_of, box_titles = _assign_boxes(order, outputs, collapse_modules, params)
    exits_box = set()  # nodes whose output is used outside their box (or is the root)
    for node in order:
        for value in node_inputs(node):
            if is_tensor(value) and value.grad_fn in box_of:
                if box_of.get(node) != box_of[value.grad_fn]:
                    exits_box.add(value.grad_fn)
    exits_box.add(root.grad_fn)

    boxes, box_edges = {}, {}  # box index -> OpNode; (tensor key, box key) -> Edge
    for node in reversed(order):  # data-flow order: producers first
        box = box_of.get(node)
        if box is None:
            key = f"op{len(ops)}"
            ops.append(OpNode(key, type(node).__name__, [node],
                              _arguments_text(type(node), node_inputs(node))))
        else:
            if box not in boxes:
                boxes[box] = OpNode(f"box{len(boxes)}", box_titles[box], [])
                ops.append(boxes[box])
            key = boxes[box].key
            boxes[box].functions.append(node)
        for value in node_inputs(node):
            if not is_tensor(value):
                continue
            if box is not None and value.grad_fn is not None and box_of.get(value.grad_fn) == box:
                continue  # a tensor inside the box
            source = tensor_key(value)
            if box is None:
                edges.append(Edge(source, key, [node], value.requires_grad))
            elif (source, key) in box_edges:
                box_edges[(source, key)].functions.append(node)
            else:
                box_edges[(source, key)] = Edge(source, key, [node], value.requires_grad)
                edges.append(box_edges[(source, key)])
        if box is None or node in exits_box:
            edges.append(Edge(key, tensor_key(outputs[node]), [node], True))
    return GraphModel(tensors, ops, edges, tensor_nodes[id(root)], tensor_nodes)
