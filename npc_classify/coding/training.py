"""Training the byte-level language model on unlabeled text, resumably."""

from __future__ import annotations

import copy
import hashlib
import operator
import os
import pickle
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np

try:
    import torch
except ImportError as error:  # exercised without torch installed (tests/test_package.py)
    raise ImportError(
        'Training the byte-level language model needs PyTorch: pip install "npc-classify[lm]".'
    ) from error

from .._progress import progress_bar
from .._validation import AT_LEAST_ONE, Interval, validate_params
from ._torch import keeps_random_state, load_error
from .byte_lm import START_SYMBOL, ByteGRU, save_byte_lm, save_tensors

#: A training step whose windows cost more bits per byte than this (8 times a uniform
#: guess's 8), or NaN, has diverged: training stops rather than write its model.
DIVERGED_BITS_PER_BYTE = 64.0


@validate_params(
    {
        "corpus": "no_validation",  # refused below with advice
        "out": "no_validation",
        "steps": [AT_LEAST_ONE],
        "seq_len": [AT_LEAST_ONE],
        "batch_size": [AT_LEAST_ONE],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "embedding_dim": [AT_LEAST_ONE],
        "hidden_size": [AT_LEAST_ONE],
        "seed": [Interval(Integral, 0, 2**32 - 1, closed="both")],
        "checkpoint_every": [AT_LEAST_ONE],
        "progress": ["boolean"],
    }
)
@keeps_random_state
def train_byte_lm(
    corpus: bytes,
    out: str | os.PathLike[str],
    *,
    steps: int = 2000,
    seq_len: int = 256,
    batch_size: int = 32,
    learning_rate: float = 3e-3,
    embedding_dim: int = 32,
    hidden_size: int = 256,
    seed: int = 0,
    checkpoint_every: int = 100,
    progress: bool = True,
) -> tuple[ByteGRU, int]:
    """Train a :class:`~npc_classify.coding.byte_lm.ByteGRU` on random windows of ``corpus``.

    Every ``checkpoint_every`` steps the model, the optimiser, the step and the
    random generators are saved to ``out + ".ckpt"`` (tensors and plain values,
    read back with ``weights_only=True``); called again with the
    same arguments, training resumes from there and ends with the same weights
    as an uninterrupted run. The finished model is written to ``out`` (its
    folder created if missing) and the checkpoint removed. Both are written
    whole or not at all: an interrupted save leaves the file before it.

    Parameters
    ----------
    corpus : bytes
        The training text, longer than ``seq_len`` bytes.
    out : path-like
        The model file to write.
    steps : int, default=2000
        Optimiser steps in all, those before a resumed checkpoint included.
    seq_len : int, default=256
        Bytes per window.
    batch_size : int, default=32
        Windows per step.
    learning_rate : float, default=3e-3
        Adam's learning rate.
    embedding_dim : int, default=32
        As in :class:`~npc_classify.coding.byte_lm.ByteGRU`.
    hidden_size : int, default=256
        As in :class:`~npc_classify.coding.byte_lm.ByteGRU`.
    seed : int, default=0
        Seeds the initial weights and the draw of the windows; torch's own
        generators are left as they were before the call.
    checkpoint_every : int, default=100
        Steps between checkpoints.
    progress : bool, default=True
        Show a progress bar over the steps, with the last step's bits per byte.

    Returns
    -------
    model : ByteGRU
    resumed_from : int
        The step training resumed from (0 for a fresh start).

    Raises
    ------
    TypeError
        If ``corpus`` is not bytes (a ``str`` is to be encoded first).
    sklearn.utils._param_validation.InvalidParameterError
        A ``ValueError`` and ``TypeError``, before any training: if a setting is
        out of its range (a count below 1, a learning rate not positive and
        finite, a seed outside 0 to 2**32 - 1), in scikit-learn's wording.
    ValueError
        Before any training: if ``corpus`` is too short, ``out`` or its checkpoint's
        path is a directory,
        the model does not fit in memory, or the checkpoint is another run's,
        past ``steps``, or no checkpoint (truncated, damaged, another file);
        during training, if it diverges (a step's bits per byte NaN or above
        :data:`DIVERGED_BITS_PER_BYTE`, or a weight not finite).
    """
    # NumPy numbers (a grid from np.arange) as Python's: torch takes no others, and the
    # checkpoint's settings are read back with weights_only=True.
    steps, seq_len, batch_size, embedding_dim, hidden_size, seed, checkpoint_every = map(
        operator.index, (steps, seq_len, batch_size, embedding_dim, hidden_size, seed,
                         checkpoint_every)
    )  # fmt: skip
    learning_rate = float(learning_rate)
    if not isinstance(corpus, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"corpus must be bytes, got {type(corpus).__name__}; encode a text first "
            '(text.encode("utf-8")).'
        )
    if len(corpus) < seq_len + 1:
        raise ValueError(
            f"The corpus has {len(corpus)} bytes; training needs more than seq_len={seq_len}."
        )
    if Path(out).is_dir():
        raise ValueError(f"{out} is a directory; expected the path of the model file to write.")
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    checkpoint = Path(f"{out}.ckpt")
    if checkpoint.is_dir():
        raise ValueError(
            f"{checkpoint} is a directory, where train_byte_lm keeps the checkpoint of "
            f"{out}; move it away, or name another model file."
        )
    torch.random.default_generator.manual_seed(seed)  # the CPU's, where the model is built
    try:
        model = ByteGRU(embedding_dim, hidden_size)
    except RuntimeError as error:  # torch's allocator: "can't allocate memory"
        raise ValueError(
            f"A GRU of hidden_size={hidden_size} does not fit in this machine's memory: {error}"
        ) from None
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    rng = np.random.RandomState(seed)
    corpus_digest = hashlib.sha256(corpus).hexdigest()
    settings = [
        corpus_digest,
        seq_len,
        batch_size,
        learning_rate,
        embedding_dim,
        hidden_size,
        seed,
    ]
    step = 0
    if checkpoint.exists():
        step = _resume(checkpoint, settings, steps, model, optimizer, rng)
    resumed_from = step
    data = _as_tensor(corpus)
    model.train()
    with progress_bar(progress, total=steps, initial=step, desc="train-lm", unit="step") as bar:
        while step < steps:
            bits_per_byte = _training_step(model, optimizer, data, rng, seq_len, batch_size)
            step += 1
            if not (bits_per_byte <= DIVERGED_BITS_PER_BYTE and _finite_weights(model)):
                raise ValueError(
                    f"Training diverged at step {step} (bits per byte {bits_per_byte:.4g}, "
                    f"learning_rate={learning_rate}): lower the learning rate. No model "
                    "was written; the last checkpoint, if any, is kept."
                )
            bar.set_postfix(bits_per_byte=f"{bits_per_byte:.3f}")
            bar.update(1)
            if step % checkpoint_every == 0 and step < steps:
                save_tensors(
                    {
                        "settings": settings,
                        "model": model.state_dict(),
                        "optimizer": optimizer.state_dict(),
                        "numpy_rng": _plain_rng_state(rng),
                        "torch_rng": torch.get_rng_state(),
                        "step": step,
                    },
                    checkpoint,
                )
    model.eval()
    save_byte_lm(model, out)
    checkpoint.unlink(missing_ok=True)
    return model, resumed_from


def _resume(
    checkpoint: Path,
    settings: list[Any],
    steps: int,
    model: ByteGRU,
    optimizer: torch.optim.Optimizer,
    rng: np.random.RandomState,
) -> int:
    """Restore the model, optimiser and generators of ``checkpoint``; return its step.

    Raises
    ------
    ValueError
        If the file is no checkpoint of train-lm (truncated, damaged, another
        file), was written with other ``settings``, or is past ``steps``.
    """
    damaged = (RuntimeError, EOFError, pickle.UnpicklingError, KeyError, TypeError, ValueError)
    try:
        saved = torch.load(checkpoint, weights_only=True)
        saved_settings, step = saved["settings"], int(saved["step"])
    except damaged as error:
        raise _not_a_checkpoint(checkpoint, error) from None
    if saved_settings != settings:
        raise ValueError(
            f"{checkpoint} was written by a training run with other settings or corpus; "
            "delete it to start again."
        )
    if step > steps:
        raise ValueError(
            f"{checkpoint} holds a training run at step {step}, past steps={steps}: delete "
            f"it to train {steps} steps from the start, or ask for {step} or more."
        )
    try:
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        name, keys, position, has_gauss, cached = saved["numpy_rng"]
        rng.set_state((name, keys.numpy().astype(np.uint32), position, has_gauss, cached))
        torch.set_rng_state(saved["torch_rng"])
    except damaged as error:
        raise _not_a_checkpoint(checkpoint, error) from None
    return step


def _not_a_checkpoint(checkpoint: Path, error: Exception) -> ValueError:
    return ValueError(
        f"{checkpoint} is not a train-lm checkpoint: it is truncated, damaged or another "
        f"file ({load_error(error)}); delete it to start again."
    )


def fine_tune_byte_lm(
    model: ByteGRU,
    text: bytes,
    *,
    steps: int,
    seq_len: int = 256,
    batch_size: int = 16,
    learning_rate: float = 1e-3,
    seed: int = 0,
) -> ByteGRU:
    """A copy of ``model`` trained ``steps`` more steps on random windows of ``text``.

    The original is left untouched. A text of at most ``seq_len`` bytes is
    used whole, in every window; a longer one in windows of ``seq_len`` bytes
    starting anywhere, so that every byte, the last included, is trained on.

    Parameters
    ----------
    model : ByteGRU
        The model to start from.
    text : bytes
        The text to train on; one of fewer than 2 bytes gives no step.
    steps : int
        Optimiser steps.
    seq_len : int, default=256
        Bytes per window.
    batch_size : int, default=16
        Windows per step.
    learning_rate : float, default=1e-3
        Adam's learning rate.
    seed : int, default=0
        Seeds the draw of the windows, the only random step (torch's
        generators are not used).

    Returns
    -------
    tuned : ByteGRU
        In evaluation mode, on ``model``'s device.
    """
    tuned = copy.deepcopy(model).train()
    optimizer = torch.optim.Adam(tuned.parameters(), lr=learning_rate)
    rng = np.random.RandomState(seed)
    data = _as_tensor(text).to(next(tuned.parameters()).device)
    seq_len = min(seq_len, len(text))
    if len(text) >= 2:
        for _ in range(steps):
            _training_step(tuned, optimizer, data, rng, seq_len, batch_size)
    return tuned.eval()


def _as_tensor(corpus: bytes) -> torch.Tensor:
    return torch.tensor(np.frombuffer(corpus, dtype=np.uint8).astype(np.int64))


def _training_step(
    model: ByteGRU,
    optimizer: torch.optim.Optimizer,
    data: torch.Tensor,
    rng: np.random.RandomState,
    seq_len: int,
    batch_size: int,
) -> float:
    """One optimiser step on ``batch_size`` random windows; returns the bits per byte.

    A window is ``seq_len`` bytes starting anywhere, the last ``seq_len`` included.
    """
    starts = rng.randint(0, len(data) - seq_len + 1, size=batch_size)
    targets = torch.stack([data[s : s + seq_len] for s in starts])
    start = torch.full((batch_size, 1), START_SYMBOL, device=data.device)
    inputs = torch.cat([start, targets[:, :-1]], dim=1)
    log_probs, _ = model(inputs)
    loss = torch.nn.functional.nll_loss(log_probs.reshape(-1, START_SYMBOL), targets.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return loss.item() / np.log(2)


def _finite_weights(model: ByteGRU) -> bool:
    """Whether every weight of ``model`` is a finite number."""
    return all(bool(torch.isfinite(weight).all()) for weight in model.parameters())


def _plain_rng_state(rng: np.random.RandomState) -> list:
    """The generator's state as a tensor and plain values, loadable with weights_only."""
    name, keys, position, has_gauss, cached = rng.get_state(legacy=True)
    return [name, torch.from_numpy(np.asarray(keys, dtype=np.int64)), position, has_gauss, cached]
