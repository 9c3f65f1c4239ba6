"""The AG News quickstart notebook runs top to bottom, and is committed clean."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "ag_news_quickstart.ipynb"
KERNEL = "python3"

#: Printed by the notebook's last code cell, above the gzip-vs-zstd table.
TABLE_TITLE = "gzip vs zstd on AG News"
TABLE_HEADER = "compressor"


def test_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"code cell {index} has committed outputs"
            assert cell.execution_count is None, f"code cell {index} has an execution count"


def test_notebook_runs_on_a_tiny_slice(
    ag_news_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        pytest.fail(f"No {KERNEL!r} Jupyter kernel found; ipykernel (a test extra) provides it.")

    # The kernel is a child process and inherits these.
    monkeypatch.setenv("NPC_CLASSIFY_AG_NEWS_DIR", str(ag_news_path))
    monkeypatch.setenv("NPC_CLASSIFY_NB_TRAIN_PER_CLASS", "40")
    monkeypatch.setenv("NPC_CLASSIFY_NB_TEST", "80")

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=600,
        resources={"metadata": {"path": str(tmp_path)}},  # the run_path (working dir)
    )
    client.execute()  # raises CellExecutionError if any cell fails

    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    errors = [out for cell in code_cells for out in cell.outputs if out.output_type == "error"]
    assert not errors, errors
    stdout = "".join(
        out.get("text", "")
        for cell in code_cells
        for out in cell.outputs
        if out.output_type == "stream" and out.name == "stdout"
    )
    assert "slice: 160 train, 80 test texts" in stdout
    assert TABLE_TITLE in stdout
    table = stdout[stdout.index(TABLE_TITLE) :].splitlines()
    assert table[1].startswith(TABLE_HEADER)
    assert [line.split()[0] for line in table[2:4]] == ["gzip", "zstd"]
    images = [
        out
        for cell in code_cells
        for out in cell.outputs
        if out.output_type == "display_data" and "image/png" in out.data
    ]
    assert len(images) == 2, "expected the accuracy-vs-k plot and the confusion matrix"
