"""What the PyTorch models share: the device they run on, checked before any loading."""

from __future__ import annotations

import torch


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
