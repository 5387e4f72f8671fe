"""The backward pass: reverse-mode differentiation over the recorded graph.

For a scalar loss L and a node y = f(x1, ..., xk), the chain rule gives
    dL/dxi = sum over uses of xi of  (dL/dy) * (dy/dxi),
so the engine must handle every use of a tensor before the tensor's own node: a reverse
topological order. It gets one for free: each node is numbered when it is created
(`Function.sequence_number`), and a node's consumers are always created after it, so taking
the nodes from the highest number down is such an order. A heap hands out the highest-
numbered node that has received a gradient; a node enters the heap with its first gradient,
and by the time it leaves, every consumer has added its share. Each node's `backward` gets
dL/dy and what comes back is added into dL/dxi. Leaves (tensors made by the user) receive
the total in `.grad`.

The walk is iterative: a chain of 100,000 ops needs no recursion. Gradients that an op returns
in its output's broadcast shape are summed down to the input's shape here, in one place
(`Tensor.sum_to_size`), so no op repeats that bookkeeping. A leaf's gradient is converted to
the leaf's dtype, as PyTorch does.

Without `retain_graph`, each node is freed as soon as its backward has run: its saved values
and its references to input tensors go, so a finished graph holds no activations.
"""

from heapq import heapify, heappop, heappush

from ..backend import xp_of
from . import function
from .function import Function, constant
from .grad_mode import _grad_mode


def topological_order(roots):
    """Nodes reachable from the `roots` nodes, each after every node that consumes its output
    (a depth-first post-order, reversed; viz uses it to list a graph's nodes)."""
    postorder = []
    visited = set()
    stack = [(root, False) for root in roots]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            postorder.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for parent in node.edges:
            if isinstance(parent, Function) and parent not in visited:
                stack.append((parent, False))
    postorder.reverse()
    return postorder


def _seed_gradients(outputs, grad_outputs):
    """dL/dL for each output: ones for scalars, else the given gradient (checked)."""
    seeds = []
    tensor_type = function.tensor_type()
    for index, output in enumerate(outputs):
        if not isinstance(output, tensor_type):
            raise TypeError(f"backward: outputs must be Tensors, got {type(output).__name__}")
        if not output.requires_grad:
            raise RuntimeError(
                f"backward: element {index} of the outputs does not require grad and has no "
                "grad_fn (was it computed under no_grad(), or only from tensors that do not "
                "require grad?)"
            )
        given = grad_outputs[index] if grad_outputs is not None else None
        if given is None:
            if output._data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for scalar outputs; output "
                    f"{index} has shape {output.shape}, so pass `gradient` of that shape"
                )
            given = constant(xp_of(output._data).ones(output.shape, output.dtype), output.device)
        elif not isinstance(given, tensor_type):
            given = tensor_type(given, dtype=output.dtype, device=output.device)
        if given.shape != output.shape:
            raise RuntimeError(
                f"backward: gradient of shape {given.shape} given for output {index} of shape "
                f"{output.shape}; they must match"
            )
        seeds.append(given)
    return seeds


def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None, on_node=None):
    """Propagate gradients from `outputs` back through the graph.

    With `inputs=None`, leaf tensors accumulate their gradient into `.grad` (Tensor.backward).
    Otherwise the gradients of exactly those tensors are returned as a list and `.grad` is left
    alone (`grad()`). `on_node(node, grad_output, input_grads)` is called after each node's
    backward; `viz` uses it to show the pass step by step.
    """
    seeds = _seed_gradients(outputs, grad_outputs)
    wanted = None if inputs is None else {id(tensor): None for tensor in inputs}
    wanted_nodes = {} if inputs is None else {t.grad_fn: t for t in inputs if t.grad_fn}
    node_grads = {}  # node -> dL/d(its output), summed over the uses handled so far
    leaf_grads = {}  # id(leaf) -> [leaf, dL/dleaf, whether that sum's array is the engine's own]
    leaf_seeds = []
    for output, seed in zip(outputs, seeds, strict=True):
        if output.grad_fn is None:
            leaf_seeds.append((output, seed))
        else:
            _add(node_grads, output.grad_fn, seed)
    ready = [(-node.sequence_number, node) for node in node_grads]  # a max-heap by number
    heapify(ready)

    previous_mode = _grad_mode.enabled
    _grad_mode.enabled = create_graph
    try:
        for leaf, seed in leaf_seeds:
            _add_leaf(leaf_grads, leaf, seed, False)
        step = 0
        pop_grad = node_grads.pop
        while ready:
            node = heappop(ready)[1]
            grad_output = pop_grad(node)
            if node.hooks is not None or node.retained is not None:
                grad_output = _run_output_hooks(node, grad_output, create_graph)
            if wanted_nodes and node in wanted_nodes:
                _capture(wanted, wanted_nodes[node], grad_output)
            if node.freed:
                raise RuntimeError(_FREED_MESSAGE.format(op=type(node).__name__))
            node.backward_index = step
            step += 1
            input_grads = node.backward(node, grad_output)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            edges = node.edges
            if len(input_grads) != len(edges):
                raise RuntimeError(_ARITY_MESSAGE.format(
                    op=type(node).__name__, returned=len(input_grads), taken=len(edges)))
            for value, edge, grad in zip(node.inputs, edges, input_grads):
                if edge is None or grad is None:
                    continue
                if grad._data.shape != value._data.shape:
                    grad = grad.sum_to_size(value.shape, op_name=type(node).__name__)
                if edge is value:  # a leaf tensor (a node's edge to a leaf is the leaf itself)
                    _add_leaf(leaf_grads, edge, grad, not create_graph)
                elif edge in node_grads:
                    node_grads[edge] = node_grads[edge] + grad
                else:
                    node_grads[edge] = grad
                    heappush(ready, (-edge.sequence_number, edge))
            if on_node is not None:
                on_node(node, grad_output, input_grads)
            if not retain_graph:
                node.free()
    finally:
        _grad_mode.enabled = previous_mode

    if wanted is None:
        handed_out = {id(seed) for seed in seeds}
        for leaf, grad, _ in leaf_grads.values():
            if leaf._hooks:
                grad = _run_leaf_hooks(leaf, grad)
            _accumulate_into_leaf(leaf, grad, create_graph, id(grad) in handed_out)
            handed_out.add(id(grad))
        return None
    for leaf, grad, _ in leaf_grads.values():
        if id(leaf) in wanted:
            wanted[id(leaf)] = _run_leaf_hooks(leaf, grad)
    return [wanted[id(tensor)] for tensor in inputs]


def _add(grads, key, grad):
    previous = grads.get(key)
    grads[key] = grad if previous is None else previous + grad


def _add_leaf(leaf_grads, leaf, grad, in_place):
    """Add one contribution to a leaf's gradient. The second contribution makes a new array
    (the first may be shared: Add hands the same gradient to both its inputs); with
    `in_place` (no create_graph) every later one is added into that array, so a weight used
    at each of a sequence's steps costs one gradient array, not one per step."""
    entry = leaf_grads.get(id(leaf))
    if entry is None:
        leaf_grads[id(leaf)] = [leaf, grad, False]
    elif in_place and entry[2] and entry[1]._data.dtype == grad._data.dtype:
        entry[1]._data += grad._data
    else:
        entry[1] = entry[1] + grad
        entry[2] = True


def _capture(wanted, tensor, grad):
    wanted[id(tensor)] = grad if wanted[id(tensor)] is None else wanted[id(tensor)] + grad


_FREED_MESSAGE = (
    "{op}: trying to backward through the graph a second time (its saved values were freed "
    "by the first pass). Pass retain_graph=True to the first backward() or grad() call if you "
    "need to backward through it again."
)
_ARITY_MESSAGE = (
    "{op}.backward returned {returned} gradients, but forward took {taken} arguments "
    "(return None for those without a gradient)"
)


def _run_output_hooks(node, grad, create_graph):
    """Hooks and retain_grad() of the non-leaf tensor this node produced."""
    for hook in node.hooks or ():
        grad = _hook_result(hook, grad, grad)
    if node.retained is not None:
        tensor = node.retained()
        if tensor is not None:
            kept = grad if create_graph else grad.detach()
            tensor._grad = kept if tensor._grad is None else tensor._grad + kept
    return grad


def _run_leaf_hooks(leaf, grad):
    for hook in leaf._hooks or ():
        grad = _hook_result(hook, grad, leaf)
    return grad


def _hook_result(hook, grad, tensor):
    """A hook's replacement gradient, checked: a Tensor of the same shape (None keeps `grad`)."""
    replaced = hook(grad)
    if replaced is None:
        return grad
    if not isinstance(replaced, function.tensor_type()):
        raise TypeError(f"hook: a gradient hook must return None or a Tensor, got "
                        f"{type(replaced).__name__}")
    if replaced.shape != grad.shape:
        raise RuntimeError(f"hook: the hook returned a gradient of shape {replaced.shape} for "
                           f"a tensor of shape {tensor.shape}; it must keep the shape")
    return replaced


def _accumulate_into_leaf(leaf, grad, create_graph, already_handed_out):
    """leaf.grad += grad, in the leaf's dtype. Without create_graph each leaf gets its own
    writable array, never a broadcast view or one shared with another leaf: optimizers update
    `.grad` in place."""
    data = grad._data
    if data.dtype != leaf._data.dtype:
        grad = grad.to(leaf.dtype)
        data = grad._data
        already_handed_out = False
    if not create_graph:
        if already_handed_out or 0 in data.strides:  # shared, or a broadcast (stride-0) view
            grad = constant(data.copy(), grad.device)
        elif grad.requires_grad:  # a graph tensor handed back as is: keep only its values
            grad = constant(data, grad.device)
    leaf._grad = grad if leaf._grad is None else leaf._grad + grad  # fits: no setter checks


__all__ = ["Function", "run_backward", "topological_order"]
