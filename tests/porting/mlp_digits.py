"""An MLP on scikit-learn's 8x8 digits: TensorDataset, a shuffling DataLoader seeded with a
Generator, SGD with momentum, a StepLR schedule, evaluation under no_grad."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset


def load_data():
    digits = load_digits()
    images = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    labels = torch.tensor(digits.target)
    return (images[:1400], labels[:1400]), (images[1400:], labels[1400:])


def make_model():
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    rng = np.random.default_rng(0)  # the same starting weights in any framework
    state = {name: torch.tensor(rng.uniform(-0.1, 0.1, tuple(value.shape)), dtype=torch.float32)
             for name, value in model.state_dict().items()}
    model.load_state_dict(state)
    return model


def evaluate(model, images, labels):
    model.eval()
    with torch.no_grad():
        logits = model(images)
        loss = F.cross_entropy(logits, labels).item()
        accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
    model.train()
    return loss, accuracy


def main():
    (train_x, train_y), (test_x, test_y) = load_data()
    model = make_model()
    initial_loss, _ = evaluate(model, test_x, test_y)
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=64, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)
    learning_rates = []
    for epoch in range(12):
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        learning_rates.append(scheduler.get_last_lr()[0])
        scheduler.step()
    train_loss, train_accuracy = evaluate(model, train_x, train_y)
    test_loss, test_accuracy = evaluate(model, test_x, test_y)
    results = {"initial_loss": initial_loss, "learning_rates": learning_rates,
               "train_loss": train_loss, "test_accuracy": test_accuracy,
               "batches_per_epoch": len(loader)}
    print(results)
    return results


if __name__ == "__main__":
    main()
