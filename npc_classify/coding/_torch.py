"""What the PyTorch models share: the device they run on, checked before any loading, and
the caller's random state, left alone."""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import torch

_Params = ParamSpec("_Params")
_Result = TypeVar("_Result")


def keeps_random_state(function: Callable[_Params, _Result]) -> Callable[_Params, _Result]:
    """``function`` run with torch's CPU generator given back as it was after it.

    For training, which seeds that generator to draw its initial weights: the
    program that calls it finds its random stream where it left it. The
    generator is the process's: other threads drawing from it meanwhile would
    draw from the training's stream, and find theirs put back after.
    """

    @functools.wraps(function)
    def keeping(*args: _Params.args, **kwargs: _Params.kwargs) -> _Result:
        with torch.random.fork_rng(devices=[]):
            return function(*args, **kwargs)

    return keeping


def check_device(device: str) -> torch.device:
    """``device`` as a torch device, refused clearly if it is not one this machine has."""
    try:
        torch_device = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(
            f"device={device!r} is not a torch device ('cpu', 'cuda', 'cuda:1', 'mps', ...): "
            f"{error}"
        ) from None
    if torch_device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r}, but this PyTorch build has no CUDA device available; "
            "use device='cpu'."
        )
    if torch_device.type != "cpu":
        try:  # what this machine lacks fails here (mps, xpu, a CUDA index past the last)
            torch.empty(0, device=torch_device)
        except (RuntimeError, AssertionError) as error:
            first_line = (str(error).splitlines() or [type(error).__name__])[0]
            raise ValueError(
                f"device={device!r}, but PyTorch cannot use it on this machine "
                f"({first_line:.120}); use device='cpu'."
            ) from None
    return torch_device


def load_error(error: Exception) -> str:
    """What a failed ``torch.load`` says, without its advice to load the file unsafely.

    ``weights_only=True`` refuses a file that is not tensors and plain
    containers with a message advising ``weights_only=False``, which would run
    the file's code; only its reason is kept.
    """
    text = str(error)
    marker = "WeightsUnpickler error:"
    if isinstance(error, pickle.UnpicklingError) and marker in text:
        reason = text.split(marker, 1)[1].strip().splitlines()[0]
        return f"it is not tensors and plain values that torch.load reads safely ({reason})"
    return f"{type(error).__name__}: {text}"
