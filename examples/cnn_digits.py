"""A LeNet-style CNN reads digits: its accuracy next to the MLP's, and what it learned.

A convolution slides small filters (5x5 here) over the image: every output pixel sees only a
neighbourhood, and the same weights are used at every position, so a CNN has far fewer
weights than an MLP and knows from the start that a stroke is a stroke wherever it is. Two
blocks Conv2d -> BatchNorm2d -> ReLU -> MaxPool2d halve the image twice; two Linear layers
classify what is left (tinygrad_edu.train.make_cnn; `tinygrad-edu train --model cnn`).

It trains the CNN and the MLP of `tinygrad-edu train` (hidden layers 128 and 64) with the same
optimizer on the same split, reports both held-out accuracies, and saves three pictures: the
learned first-layer filters, the feature maps of one test digit layer by layer, and the
computation graph of one conv block.

    python examples/cnn_digits.py                          # scikit-learn's 8x8 digits
    python examples/cnn_digits.py --data-dir data/mnist    # MNIST IDX files: t10k's first
                                                           # 8,000 train, its last 2,000 test
"""

import os
import time

import numpy as np
from common import example_parser, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import nn, optim, viz
from tinygrad_edu.data import DataLoader, TensorDataset, datasets
from tinygrad_edu.train import evaluate, fit, make_cnn, make_mlp

MNIST_TRAIN = 8000  # MNIST: the first 8,000 t10k images train, the rest (2,000) are held out


def load(data_dir, quick, seed):
    """(train images, train labels, test images, test labels, description) as NumPy arrays;
    images are flat float32 rows in [0, 1]."""
    if data_dir is None:
        train_x, train_y = datasets.Digits(train=True, seed=seed).arrays()
        test_x, test_y = datasets.Digits(train=False, seed=seed).arrays()
        if quick:
            train_x, train_y = train_x[:600], train_y[:600]
        return train_x, train_y, test_x, test_y, "scikit-learn digits 8x8, 80/20 split"
    images, labels = datasets.MNIST(data_dir, train=False).arrays()
    cut = 800 if quick else MNIST_TRAIN
    end = 1000 if quick else len(labels)
    return (images[:cut], labels[:cut], images[cut:end], labels[cut:end],
            f"MNIST t10k: first {cut} train, next {end - cut} test")


def train(model, data, epochs, seed):
    """Adam (lr 1e-3, halved every 3 epochs), batch 64; (held-out accuracy, seconds)."""
    train_x, train_y, test_x, test_y = (tg.tensor(array) for array in data)
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=64, shuffle=True, seed=seed)
    held_out = DataLoader(TensorDataset(test_x, test_y), batch_size=1000)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    start = time.perf_counter()
    fit(model, nn.CrossEntropyLoss(), optimizer, loader, epochs, scheduler=scheduler,
        progress=False, log=None)
    seconds = time.perf_counter() - start
    return evaluate(model, nn.CrossEntropyLoss(), held_out).accuracy, seconds


def conv_block_graph(model, digit, out):
    """The graph of the first conv block (Conv2d, BatchNorm2d, ReLU, MaxPool2d; eval mode, so
    the running statistics stay) on one digit, after a backward pass of the sum of its
    outputs: a PNG (the DOT text when Graphviz's `dot` is missing)."""
    block = model[1:5]
    output = block(digit)
    output.name = "pooled maps"
    total = output.sum()
    total.backward(retain_graph=True)  # keep the values on the graph for the picture
    dot_text = viz.graph_to_dot(total, params=block, title="one conv block, one digit")
    model.zero_grad()
    path = os.path.join(out, "cnn_conv_block_graph.png")
    try:
        viz.render(dot_text, path, format="png", dpi=60)
    except viz.DotNotFoundError:
        path = os.path.splitext(path)[0] + ".dot"  # render wrote the DOT text there
    report("figure", path)


def main(argv=None):
    parser = example_parser(__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="folder with MNIST's t10k IDX files (default: "
                        "scikit-learn's 8x8 digits)")
    parser.add_argument("--epochs", type=int, help="default: 2 with --quick, else 9")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = args.epochs or (2 if args.quick else 9)
    *data, description = load(args.data_dir, args.quick, args.seed)
    pixels = data[0].shape[1]
    report("data", description.replace(" ", "_").replace(":", "").replace(",", ""))
    results = {}
    for name, make in (("cnn", lambda: make_cnn(pixels, 10)),
                       ("mlp", lambda: make_mlp(pixels, [128, 64], 10))):
        tg.manual_seed(args.seed)
        model = make()
        accuracy, seconds = train(model, data, epochs, args.seed)
        results[name] = model
        report(f"{name}_test_accuracy", accuracy)
        report(f"{name}_seconds", seconds)
        report(f"{name}_parameters", sum(p.numel() for p in model.parameters()))
    cnn = results["cnn"].eval()
    side = int(round(pixels ** 0.5))
    digit = tg.tensor(data[2][:1])
    save_figure(viz.plot_filters(cnn[1], title="first-layer filters (5x5), learned"),
                args.out, "cnn_filters.png")
    maps = viz.feature_maps(cnn, digit)
    maps = [(name, value) for name, value in maps if value.ndim == 4][:9]  # the image layers
    save_figure(viz.plot_feature_maps(maps, max_maps=8, title=f"one test digit (label "
                                      f"{int(data[3][0])}), layer by layer"),
                args.out, "cnn_feature_maps.png")
    conv_block_graph(cnn, tg.tensor(data[2][:1].reshape(1, 1, side, side)), args.out)
    report("predicted", int(np.argmax(cnn(digit).numpy())))


if __name__ == "__main__":
    main()
