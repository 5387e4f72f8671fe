"""A character-level bigram model trained by gradient descent (the lecture-notebook way):
weights drawn from a seeded torch.Generator, updated through .data, names sampled with
torch.multinomial from the same kind of generator."""

import torch
import torch.nn.functional as F

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia", "harper",
         "evelyn", "abigail", "emily", "elizabeth", "mila", "ella", "avery", "sofia", "camila",
         "aria", "scarlett", "victoria", "madison", "luna", "grace", "chloe", "penelope",
         "layla", "riley", "zoey", "nora", "lily", "eleanor", "hannah", "lillian", "addison",
         "aubrey", "ellie", "stella", "natalie", "zoe", "leah", "hazel", "violet", "aurora"]


def build_dataset(words):
    chars = sorted(set("".join(words)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    xs, ys = [], []
    for word in words:
        letters = ["."] + list(word) + ["."]
        for first, second in zip(letters, letters[1:]):
            xs.append(stoi[first])
            ys.append(stoi[second])
    return torch.tensor(xs), torch.tensor(ys), stoi


def sample_names(probs, count, seed):
    g = torch.Generator().manual_seed(seed)
    names = []
    for _ in range(count):
        index, name = 0, []
        while True:
            index = torch.multinomial(probs[index], num_samples=1, replacement=True,
                                      generator=g).item()
            if index == 0:
                break
            name.append(index)
        names.append(name)
    return names


def main():
    xs, ys, stoi = build_dataset(WORDS)
    vocab = len(stoi)
    g = torch.Generator().manual_seed(2147483647)
    W = torch.randn((vocab, vocab), generator=g, requires_grad=True)
    for step in range(300):
        logits = W[xs]  # the same as one_hot(xs) @ W
        loss = F.cross_entropy(logits, ys) + 0.01 * (W ** 2).mean()
        W.grad = None
        loss.backward()
        W.data += -10 * W.grad
    probs = F.softmax(W.detach(), dim=1)
    names = sample_names(probs, 400, seed=2147483647)
    again = sample_names(probs, 400, seed=2147483647)
    pairs = [(a, b) for name in names for a, b in zip([0] + name, name + [0])]
    sample_nll = -sum(torch.log(probs[a, b]).item() for a, b in pairs) / len(pairs)
    data_nll = F.cross_entropy(W.detach()[xs], ys).item()
    results = {"final_loss": loss.item(), "data_nll": data_nll, "sample_nll": sample_nll,
               "mean_length": sum(len(n) for n in names) / len(names),
               "repeatable": names == again, "vocab": vocab}
    print(results)
    return results


if __name__ == "__main__":
    main()
