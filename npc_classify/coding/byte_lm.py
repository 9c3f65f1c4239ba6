"""A byte-level recurrent language model in torch, and its safe file format.

The model reads bytes and gives, after each prefix, a distribution over the
next byte; position 0 is predicted from a start symbol (index 256). Files hold
the configuration and the weights only and are read with
``torch.load(weights_only=True)``, which builds tensors and plain containers
and runs no code from the file.
"""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np

try:
    import torch
    from torch import nn
except ImportError as error:  # pragma: no cover - exercised without torch installed
    raise ImportError(
        'The language-model compressor needs PyTorch: pip install "npc-classify[lm]".'
    ) from error

from .._output import write_chunks
from ._torch import check_device, load_error

START_SYMBOL = 256


class ByteGRU(nn.Module):
    """Embedding, a GRU, and a projection to 256 next-byte logits.

    Parameters
    ----------
    embedding_dim : int, default=32
    hidden_size : int, default=256
    num_layers : int, default=1
    """

    def __init__(self, embedding_dim: int = 32, hidden_size: int = 256, num_layers: int = 1):
        super().__init__()
        self.config = {
            "embedding_dim": embedding_dim,
            "hidden_size": hidden_size,
            "num_layers": num_layers,
        }
        self.embed = nn.Embedding(START_SYMBOL + 1, embedding_dim)
        self.gru = nn.GRU(embedding_dim, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, START_SYMBOL)

    def forward(
        self, symbols: torch.Tensor, state: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Log-probabilities of the byte after each input symbol, and the new state.

        Parameters
        ----------
        symbols : Tensor of shape (batch, length)
            Integer symbols: bytes, or :data:`START_SYMBOL`.
        state : Tensor of shape (num_layers, batch, hidden_size), default=None
            The GRU's state after the symbols before; None starts from zeros.
        """
        output, state = self.gru(self.embed(symbols), state)
        return torch.log_softmax(self.head(output), dim=-1), state


def save_byte_lm(model: ByteGRU, path: str | os.PathLike[str]) -> None:
    """Write the configuration and weights (tensors only, no pickled code).

    Parameters
    ----------
    model : ByteGRU
    path : path-like
        The file to write.
    """
    save_tensors({"config": dict(model.config), "state_dict": model.state_dict()}, path)


def save_tensors(state: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write ``state`` with ``torch.save``, replacing ``path`` only once the file is whole.

    The bytes are made in memory and written as :func:`npc_classify._output.write_chunks`
    writes a report, so an interrupted or failed save leaves the old file, and no
    temporary one beside it.
    """
    buffer = io.BytesIO()
    torch.save(state, buffer)
    write_chunks(path, [buffer.getvalue()])


def load_byte_lm(path: str | os.PathLike[str], device: str = "cpu") -> ByteGRU:
    """Read a model written by :func:`save_byte_lm`, in evaluation mode.

    The file's configuration is not trusted: before anything is built, every
    size it names must be the size of the weights the file holds (so a
    1 KB file cannot ask for 8,000 layers or a 43 GB matrix), and every
    weight must be finite.

    Parameters
    ----------
    path : path-like
        A file written by :func:`save_byte_lm`.
    device : str, default="cpu"
        The torch device to put the model on.

    Raises
    ------
    ValueError
        If ``device`` is not a torch device this machine has, or the file is
        truncated, damaged, not such a model, or inconsistent.
    """
    torch_device = check_device(device)
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as error:
        raise ValueError(
            f"{path} is not a readable byte language model (truncated, damaged or another "
            f"format): {load_error(error)}"
        ) from None
    config, weights = _checked_contents(saved, path)
    with torch.device("meta"):  # no random initial weights: none are drawn, none are kept
        model = ByteGRU(**config)
    model.load_state_dict(weights, assign=True)
    return model.to(torch_device).eval()


def _expected_shapes(config: dict[str, int]) -> dict[str, tuple[int, ...]]:
    """The shape of every weight of a :class:`ByteGRU` built from ``config``."""
    e, h, layers = config["embedding_dim"], config["hidden_size"], config["num_layers"]
    shapes: dict[str, tuple[int, ...]] = {
        "embed.weight": (START_SYMBOL + 1, e),
        "head.weight": (START_SYMBOL, h),
    }
    shapes["head.bias"] = (START_SYMBOL,)
    for layer in range(layers):
        shapes[f"gru.weight_ih_l{layer}"] = (3 * h, e if layer == 0 else h)
        shapes[f"gru.weight_hh_l{layer}"] = (3 * h, h)
        shapes[f"gru.bias_ih_l{layer}"] = (3 * h,)
        shapes[f"gru.bias_hh_l{layer}"] = (3 * h,)
    return shapes


def _checked_contents(saved: object, path: str | os.PathLike[str]) -> tuple[dict, dict]:
    """The configuration and weights of a loaded file, once they are consistent."""

    def refuse(problem: str) -> ValueError:
        return ValueError(f"{path} is not a consistent byte language model: {problem}.")

    if not isinstance(saved, dict) or set(saved) != {"config", "state_dict"}:
        raise refuse("expected a dict with a config and a state_dict")
    config, weights = saved["config"], saved["state_dict"]
    names = {"embedding_dim", "hidden_size", "num_layers"}
    if not isinstance(config, dict) or set(config) != names:
        raise refuse(f"its config must have exactly {sorted(names)}, got {config!r:.200}")
    for name, value in config.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise refuse(f"config {name} must be a positive int, got {value!r:.50}")
    if not isinstance(weights, dict) or not all(
        isinstance(tensor, torch.Tensor) for tensor in weights.values()
    ):
        raise refuse("its state_dict must map names to tensors")
    # Compare the sizes the config names with the weights the file holds before
    # building anything: the number of layers first, which the number of tensors bounds.
    if 4 * config["num_layers"] + 3 != len(weights):
        raise refuse(
            f"config num_layers={config['num_layers']} needs {4 * config['num_layers'] + 3} "
            f"tensors, the file holds {len(weights)}"
        )
    expected = _expected_shapes(config)
    for name, shape in expected.items():
        if name not in weights or tuple(weights[name].shape) != shape:
            found = tuple(weights[name].shape) if name in weights else "no such tensor"
            raise refuse(f"config {config} needs {name} of shape {shape}, found {found}")
    for name, tensor in weights.items():
        if not tensor.is_floating_point() or not bool(torch.isfinite(tensor).all()):
            raise refuse(f"{name} holds values that are not finite numbers")
    return config, weights


class ByteLMStream:
    """The model as a :class:`~npc_classify.coding.arithmetic.SymbolModel`, one byte at a time."""

    def __init__(self, model: ByteGRU, device: str = "cpu") -> None:
        self.model = model
        self.device = device
        self.state: torch.Tensor | None = None

    def reset(self) -> np.ndarray:
        self.state = None
        return self._step(START_SYMBOL)

    def update(self, byte: int) -> np.ndarray:
        return self._step(byte)

    @torch.no_grad()
    def _step(self, symbol: int) -> np.ndarray:
        inputs = torch.tensor([[symbol]], device=self.device)
        log_probs, self.state = self.model(inputs, self.state)
        return log_probs[0, -1].double().exp().cpu().numpy()


#: Bytes of a prefix read per forward pass of :func:`prefix_and_suffix_probabilities`.
PREFIX_CHUNK = 1 << 14


@torch.no_grad()
def prefix_and_suffix_probabilities(
    model: ByteGRU, prefix: bytes, suffixes: list[bytes], device: str, batch_size: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The probability the model gives each byte: of ``prefix``, and of each suffix after it.

    The prefix is read once, :data:`PREFIX_CHUNK` bytes per forward pass with
    the state carried from one to the next, so that its memory is that of one
    piece plus about 20 bytes per byte (read whole, a prefix took about 6 KB
    per byte with 256 hidden units: 1.2 GB for a 200 KB class text). Each
    piece's log-probabilities are written into one tensor allocated before the
    first: kept as one small tensor per piece, they split the blocks freed by
    each piece, so the allocator took new ones for the next (a 4 MB prefix
    raised the peak memory by 3.9 GB, 0.24 GB written in place). Its final
    state starts every suffix. The suffixes run in batches of similar lengths
    (sorted by length), each batch in passes of at most :data:`PREFIX_CHUNK`
    positions (rows times bytes) with the states carried and a suffix leaving
    the batch when it ends, so that a long suffix neither pads the short ones
    beside it to its length nor takes more memory than a piece of the prefix.

    Parameters
    ----------
    model : ByteGRU
    prefix : bytes
    suffixes : list of bytes
    device : str
        The torch device the model is on.
    batch_size : int
        Suffixes per batch.
    """
    prefix_bytes = np.frombuffer(prefix, dtype=np.uint8)
    symbols = torch.from_numpy(np.concatenate([[START_SYMBOL], prefix_bytes])).to(device)
    state = torch.zeros(model.gru.num_layers, 1, model.gru.hidden_size, device=device)
    prefix_log_probs = torch.empty(len(prefix), dtype=model.head.weight.dtype, device=device)
    for start in range(0, len(symbols), PREFIX_CHUNK):
        log_probs, state = model(symbols[None, start : start + PREFIX_CHUNK], state)
        following = symbols[start + 1 : start + 1 + PREFIX_CHUNK]  # what each input predicts
        torch.gather(
            log_probs[0, : len(following)],
            1,
            following[:, None],
            out=prefix_log_probs[start : start + len(following), None],
        )
    prefix_probs = prefix_log_probs.double().exp()
    first = log_probs[0, -1].double().exp().cpu().numpy()  # of each suffix's first byte
    out = []
    for suffix in suffixes:
        probs = np.empty(len(suffix))
        probs[:1] = first[np.frombuffer(suffix[:1], dtype=np.uint8)]
        out.append(probs)
    by_length = sorted(range(len(suffixes)), key=lambda n: len(suffixes[n]))
    rows_per_batch = min(batch_size, PREFIX_CHUNK)
    for start in range(0, len(by_length), rows_per_batch):
        rows = by_length[start : start + rows_per_batch]  # the shortest first
        _read_suffixes(model, state, [suffixes[n] for n in rows], [out[n] for n in rows], device)
    return prefix_probs.cpu().numpy(), out


def _read_suffixes(
    model: ByteGRU, state: Any, suffixes: list[bytes], out: list[np.ndarray], device: str
) -> None:
    """Write into ``out`` the probability of each byte after the first of each suffix, the
    suffixes (sorted by length, at most :data:`PREFIX_CHUNK`) read together from ``state``.

    Each pass reads at most :data:`PREFIX_CHUNK` positions (rows times bytes) of the
    suffixes that still have bytes to predict, with their states carried; a suffix that
    has ended leaves the batch.
    """
    padded = np.zeros((len(suffixes), len(suffixes[-1])), dtype=np.uint8)
    for row, suffix in enumerate(suffixes):
        padded[row, : len(suffix)] = np.frombuffer(suffix, dtype=np.uint8)
    rows_state = state.expand(-1, len(suffixes), -1)
    ended, start = 0, 0  # suffixes[:ended] have no byte to predict after position start
    while start < len(suffixes[-1]) - 1:
        dropped = ended
        while len(suffixes[ended]) <= start + 1:
            ended += 1
        rows_state = rows_state[:, ended - dropped :].contiguous()
        stop = min(start + PREFIX_CHUNK // (len(suffixes) - ended), len(suffixes[-1]) - 1)
        reading = torch.from_numpy(padded[ended:, start : stop + 1].astype(np.int64)).to(device)
        log_probs, rows_state = model(reading[:, :-1], rows_state)
        chosen = log_probs.gather(2, reading[:, 1:, None])[:, :, 0].double().exp().cpu().numpy()
        for row, suffix in enumerate(suffixes[ended:]):
            end = min(stop, len(suffix) - 1)  # the last position this pass predicts for it
            out[ended + row][start + 1 : end + 1] = chosen[row, : end - start]
        start = stop
