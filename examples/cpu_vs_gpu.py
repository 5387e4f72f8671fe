"""The same MLP trained on the CPU (NumPy) and on the GPU (CuPy), timed epoch by epoch.

Nothing in the model or the training loop names a device: the data's device decides where
every op runs, since each op asks its input arrays for their array module (numpy or cupy).
A GPU pays off when each op has enough work: with small matrices the per-op launch and
Python overheads dominate, so the GPU can even be slower; widen the network (--hidden) or
the batch (--batch-size) and it pulls ahead. Without CuPy or a GPU the example says so and
times the CPU alone.
"""

import time

from common import digits, example_parser, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset
from tinygrad_edu.train import evaluate, make_mlp, train_epoch


def time_training(device, hidden, batch_size, epochs):
    """Seconds per epoch (after one warm-up epoch) and final test accuracy on `device`."""
    tg.manual_seed(0)
    train_x, train_y, test_x, test_y = digits(device=device)
    model = make_mlp(64, hidden, 10).to(device)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=batch_size, shuffle=True,
                        seed=0)
    train_epoch(model, loss_fn, optimizer, loader)  # warm-up: allocations, GPU kernel compiles
    start = time.perf_counter()
    for _ in range(epochs):
        train_epoch(model, loss_fn, optimizer, loader)  # ends reading the device: honest timing
    seconds = (time.perf_counter() - start) / epochs
    test = evaluate(model, loss_fn, DataLoader(TensorDataset(test_x, test_y), batch_size=500))
    return seconds, test.accuracy


def plot(timings):
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 4))
    axes.bar(list(timings), list(timings.values()), color=["C0", "C2"][: len(timings)])
    axes.set(ylabel="seconds per epoch", title="same MLP, same data")
    return figure


def main(argv=None):
    parser = example_parser(__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, nargs="+", default=[512, 512],
                        help="hidden layer sizes (default: 512 512)")
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args(argv)
    epochs = 1 if args.quick else 5
    available = tg.cuda.is_available()
    report("cuda_available", available)
    if not available:
        print("no GPU: CuPy is not installed or sees no GPU, so only the CPU is timed "
              "(pip install \"tinygrad_edu[gpu]\" on a machine with an NVIDIA GPU)")
    timings = {}
    for device in ("cpu", "cuda") if available else ("cpu",):
        seconds, accuracy = time_training(device, args.hidden, args.batch_size, epochs)
        report(f"{device}_seconds_per_epoch", seconds)
        report(f"{device}_test_accuracy", accuracy)
        timings[device] = seconds
    if available:
        report("speedup", timings["cpu"] / timings["cuda"])
    save_figure(plot(timings), args.out, "cpu_vs_gpu.png")


if __name__ == "__main__":
    main()
