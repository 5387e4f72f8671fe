"""Character-level language models of first names: an MLP, an LSTM and a small transformer.

Each model learns p(next character | characters so far) from about 4,600 first names (the
lists that PyPI's `names` package ships, read from its files: no download) and is measured
on 10% of the names it never saw: the held-out loss per character, in nats. Predicting
uniformly over the 27 symbols (26 letters and '.', which marks both ends of a name) costs
ln 27 = 3.30; every nat below that is structure the model found.

- MLP over a context window (Bengio et al. 2003): embed the last 3 characters, concatenate,
  one tanh hidden layer, softmax over the next character.
- LSTM: embed each character, an LSTM over the whole prefix, a linear read-out per step.
- Transformer: token + position embeddings, pre-LayerNorm blocks of causal multi-head
  self-attention and an MLP, each added back to the residual stream (Vaswani et al. 2017;
  the GPT-2 arrangement).
All three see the same split, optimizer (Adam) and number of steps; the run prints the
losses (final, and the best held-out loss seen, measured every 5% of the run: the larger
models start to memorize the training names well before the end), samples new names from
each model, and saves the loss curves and an attention map.
"""

import math
import os
import string

import matplotlib.pyplot as plt
import numpy as np
from common import example_parser, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.nn import functional as F

VOCAB = "." + string.ascii_lowercase
END = 0  # the index of '.'
IGNORE = -100  # cross_entropy's ignore_index: padding after a name's end


# ----- data ---------------------------------------------------------------------------------

def load_names():
    """The distinct first names of the `names` package's female and male lists, lowercase."""
    try:
        import names
    except ImportError:
        raise SystemExit("char_lm needs the `names` package: pip install names "
                         "(or pip install tinygrad_edu[data])") from None
    folder = os.path.dirname(names.__file__)
    found = set()
    for filename in ("dist.female.first", "dist.male.first"):
        with open(os.path.join(folder, filename)) as lines:
            found.update(line.split()[0].lower() for line in lines if line.strip())
    return sorted(found)


def encode(name):
    return [VOCAB.index(character) for character in name]


def windows(names, context):
    """(contexts (M, context), next characters (M,)): one row per character of every name,
    its end included, the context padded with '.' at the start."""
    contexts, targets = [], []
    for name in names:
        padded = [END] * context + encode(name) + [END]
        for position in range(context, len(padded)):
            contexts.append(padded[position - context:position])
            targets.append(padded[position])
    return np.array(contexts, np.int64), np.array(targets, np.int64)


def sequences(names, length):
    """(inputs (N, length), targets (N, length)): '.' + name as input, name + '.' as target,
    targets after the end set to IGNORE so that padding costs nothing."""
    inputs = np.full((len(names), length), END, np.int64)
    targets = np.full((len(names), length), IGNORE, np.int64)
    for row, name in enumerate(names):
        codes = encode(name)
        inputs[row, 1:len(codes) + 1] = codes
        targets[row, :len(codes) + 1] = codes + [END]
    return inputs, targets


# ----- models -------------------------------------------------------------------------------

class WindowMLP(nn.Module):
    """Bengio et al. 2003: logits = W2 tanh(W1 [e(c_1); ...; e(c_k)] + b1) + b2."""

    def __init__(self, context, embedding_dim, hidden_size):
        super().__init__()
        self.embedding = nn.Embedding(len(VOCAB), embedding_dim)
        self.hidden = nn.Linear(context * embedding_dim, hidden_size)
        self.output = nn.Linear(hidden_size, len(VOCAB))

    def forward(self, contexts):
        embedded = self.embedding(contexts).flatten(1)
        return self.output(self.hidden(embedded).tanh())


class CharLSTM(nn.Module):
    """logits_t = W h_t + b, h_t from an LSTM over the embedded characters 1..t."""

    def __init__(self, embedding_dim, hidden_size):
        super().__init__()
        self.embedding = nn.Embedding(len(VOCAB), embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, batch_first=True)
        self.output = nn.Linear(hidden_size, len(VOCAB))

    def forward(self, tokens):
        hidden, _ = self.lstm(self.embedding(tokens))
        return self.output(hidden)


class Block(nn.Module):
    """x + attention(LayerNorm(x)), then x + MLP(LayerNorm(x)) (pre-norm residual block)."""

    def __init__(self, width, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(width)
        self.attention = nn.MultiheadAttention(width, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(),
                                 nn.Linear(4 * width, width))

    def forward(self, x, mask):
        normed = self.norm1(x)
        attended, weights = self.attention(normed, normed, normed, attn_mask=mask)
        x = x + attended
        return x + self.mlp(self.norm2(x)), weights


class CharTransformer(nn.Module):
    """Token and position embeddings, causal attention blocks, a final LayerNorm, logits."""

    def __init__(self, length, width, heads, depth):
        super().__init__()
        self.token_embedding = nn.Embedding(len(VOCAB), width)
        self.position_embedding = nn.Embedding(length, width)
        self.blocks = nn.Sequential(*(Block(width, heads) for _ in range(depth)))
        self.norm = nn.LayerNorm(width)
        self.output = nn.Linear(width, len(VOCAB))

    def forward(self, tokens, return_attention=False):
        length = tokens.shape[1]
        future = tg.tensor(np.triu(np.ones((length, length), bool), 1))  # True: may not attend
        x = self.token_embedding(tokens) + self.position_embedding(tg.arange(length))
        attention = []
        for block in self.blocks:
            x, weights = block(x, future)
            attention.append(weights)
        logits = self.output(self.norm(x))
        return (logits, attention) if return_attention else logits


# ----- training, evaluation, sampling -------------------------------------------------------

def loss_of(model, inputs, targets):
    """Mean cross-entropy per predicted character (padding ignored)."""
    logits = model(tg.tensor(inputs))
    return F.cross_entropy(logits.reshape(-1, len(VOCAB)), tg.tensor(targets.reshape(-1)),
                           ignore_index=IGNORE)


def train(model, train_data, heldout_data, steps, batch_size, lr, seed):
    """Adam on random mini-batches; returns (train loss per step, [(step, held-out loss)])."""
    rng = np.random.default_rng(seed)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    inputs, targets = train_data
    curve, heldout_curve = [], []
    for step in range(1, steps + 1):
        rows = rng.integers(0, len(inputs), batch_size)
        loss = loss_of(model, inputs[rows], targets[rows])
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        curve.append(loss.item())
        if step % max(steps // 20, 1) == 0 or step == steps:
            heldout_curve.append((step, evaluate(model, heldout_data)))
    return curve, heldout_curve


def evaluate(model, data):
    model.eval()
    with tg.no_grad():
        loss = loss_of(model, *data).item()
    model.train()
    return loss


def sample(next_logits, rng, count, longest=20):
    """`count` names drawn character by character from softmax(next_logits(prefix))."""
    drawn = []
    for _ in range(count):
        codes = []
        while len(codes) < longest:
            probabilities = next_logits(codes).softmax(-1).numpy().astype(np.float64)
            code = int(rng.choice(len(VOCAB), p=probabilities / probabilities.sum()))
            if code == END:
                break
            codes.append(code)
        drawn.append("".join(VOCAB[code] for code in codes))
    return drawn


def window_next(model, context):
    def next_logits(codes):
        window = ([END] * context + codes)[-context:]
        return model(tg.tensor([window]))[0]
    return next_logits


def sequence_next(model, length):
    def next_logits(codes):
        return model(tg.tensor([([END] + codes)[-length:]]))[0, -1]
    return next_logits


# ----- the run ------------------------------------------------------------------------------

def main(argv=None):
    args = example_parser(__doc__.splitlines()[0]).parse_args(argv)
    quick = args.quick
    names = load_names()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(names))
    heldout_count = len(names) // 10
    heldout = [names[i] for i in order[:heldout_count]]
    training = [names[i] for i in order[heldout_count:]]
    length = max(map(len, names)) + 1
    report("names", len(names))
    report("train_names", len(training))
    report("heldout_names", len(heldout))
    report("uniform_loss", math.log(len(VOCAB)))

    steps = 300 if quick else 3000
    context, width = 3, (32 if quick else 64)
    tg.manual_seed(0)
    models = {
        "mlp": (WindowMLP(context, 10, 4 * width), windows, context, 3e-3),
        "lstm": (CharLSTM(16, 2 * width), sequences, length, 3e-3),
        "transformer": (CharTransformer(length, width, 4, 2), sequences, length, 1e-3),
    }
    figure, axes = plt.subplots(figsize=(8, 4.5))
    axes.axhline(math.log(len(VOCAB)), color="gray", linestyle=":", label="uniform: ln 27")
    for name, (model, make_data, size, lr) in models.items():
        data = make_data(training, size), make_data(heldout, size)
        batch_size = 128 if make_data is windows else 32
        curve, heldout_curve = train(model, *data, steps, batch_size, lr, seed=1)
        report(f"{name}_parameters", sum(p.numel() for p in model.parameters()))
        report(f"{name}_train_loss", evaluate(model, data[0]))
        report(f"{name}_heldout_loss", heldout_curve[-1][1])
        best_step, best_loss = min(heldout_curve, key=lambda point: point[1])
        report(f"{name}_best_heldout_loss", best_loss)
        report(f"{name}_best_step", best_step)
        next_logits = (window_next if make_data is windows else sequence_next)(model, size)
        model.eval()
        with tg.no_grad():
            report(f"{name}_samples", " ".join(sample(next_logits, np.random.default_rng(2), 8)))
        smooth = np.convolve(curve, np.ones(25) / 25, mode="valid")
        line, = axes.plot(np.arange(len(smooth)) + 25, smooth, alpha=0.6,
                          label=f"{name} (train, moving average)")
        axes.plot(*zip(*heldout_curve), "o-", color=line.get_color(), label=f"{name} (held out)")
    axes.set(xlabel="step", ylabel="loss per character (nats)", ylim=(1.5, 3.6),
             title="character-level models of first names")
    axes.legend(fontsize=8)
    save_figure(figure, args.out, "char_lm_losses.png")
    save_attention_map(models["transformer"][0], heldout[0], length, args.out)


def save_attention_map(model, name, length, out):
    """The first block's attention weights (averaged over heads) while reading `name`."""
    codes = [END] + encode(name)
    model.eval()
    with tg.no_grad():
        _, attention = model(tg.tensor([codes]), return_attention=True)
    weights = attention[0][0].numpy()
    figure, axes = plt.subplots(figsize=(4.5, 4))
    axes.imshow(weights, cmap="viridis")
    labels = ["."] + list(name)
    axes.set_xticks(range(len(labels)), labels)
    axes.set_yticks(range(len(labels)), [f"predict {c}" for c in list(name) + ["."]])
    axes.set(xlabel="attends to", title=f"block 1 attention reading '{name}'")
    report("attention_name", name)
    save_figure(figure, out, "char_lm_attention.png")


if __name__ == "__main__":
    main()
