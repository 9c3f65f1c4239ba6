"""The notebooks run top to bottom on a small slice, and are committed clean."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

# The notebook tools are in the dev extra, not the light test extra.
nbformat = pytest.importorskip("nbformat")
NotebookClient = pytest.importorskip("nbclient").NotebookClient
kernelspec = pytest.importorskip("jupyter_client.kernelspec")
KernelSpecManager, NoSuchKernel = kernelspec.KernelSpecManager, kernelspec.NoSuchKernel

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"
NOTEBOOK = NOTEBOOKS / "ag_news_quickstart.ipynb"
KERNEL = "python3"

#: Printed by the notebook's last code cell, above the gzip-vs-zstd table.
TABLE_TITLE = "gzip vs zstd on AG News"
TABLE_HEADER = "compressor"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"code cell {index} has committed outputs"
            assert cell.execution_count is None, f"code cell {index} has an execution count"


def run_notebook(
    path: Path, ag_news_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, int]:
    """Execute ``path`` on a tiny slice; return its stdout and the number of images."""
    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        pytest.fail(f"No {KERNEL!r} Jupyter kernel found; ipykernel (a test extra) provides it.")

    # The kernel is a child process and inherits these.
    monkeypatch.setenv("NPC_CLASSIFY_AG_NEWS_DIR", str(ag_news_path))
    monkeypatch.setenv("NPC_CLASSIFY_NB_TRAIN_PER_CLASS", "40")
    monkeypatch.setenv("NPC_CLASSIFY_NB_TEST", "80")
    monkeypatch.setenv("NPC_CLASSIFY_NB_LM_STEPS", "20")
    monkeypatch.setenv("NPC_CLASSIFY_NB_FINE_TUNE_STEPS", "10")

    nb = nbformat.read(path, as_version=4)
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
    images = [
        out
        for cell in code_cells
        for out in cell.outputs
        if out.output_type == "display_data" and "image/png" in out.data
    ]
    return stdout, len(images)


def test_quickstart_notebook_runs_on_a_tiny_slice(
    ag_news_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stdout, images = run_notebook(NOTEBOOK, ag_news_path, tmp_path, monkeypatch)
    assert "slice: 160 train, 80 test texts" in stdout
    assert TABLE_TITLE in stdout
    table = stdout[stdout.index(TABLE_TITLE) :].splitlines()
    assert table[1].startswith(TABLE_HEADER)
    assert [line.split()[0] for line in table[2:4]] == ["gzip", "zstd"]
    assert images == 2, "expected the accuracy-vs-k plot and the confusion matrix"


def test_class_conditional_notebook_runs_on_a_tiny_slice(
    ag_news_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = NOTEBOOKS / "class_conditional.ipynb"
    stdout, images = run_notebook(path, ag_news_path, tmp_path, monkeypatch)
    assert "slice: 160 train, 80 test texts" in stdout
    table = stdout[stdout.index("comparison on AG News") :].splitlines()
    rows = [
        "NCD-kNN gzip,", "NCD-kNN zstd-prefix,", "NCD-kNN gzip,", "class-cond. gzip",
        "class-cond. zstd-19", "class-cond. zstd-19", "class-cond. PPM", "TF-IDF +",
    ]  # fmt: skip
    if importlib.util.find_spec("torch") is not None:
        rows += ["NCD-kNN LM", "class-cond. LM"]
        assert "trained 20 steps" in stdout
    else:
        assert "PyTorch is not installed" in stdout
    assert [" ".join(line.split()[:2]) for line in table[2 : 2 + len(rows)]] == rows
    assert images == 1


def test_compression_toolbox_notebook_runs_on_a_tiny_slice(
    ag_news_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = NOTEBOOKS / "compression_toolbox.ipynb"
    stdout, images = run_notebook(path, ag_news_path, tmp_path, monkeypatch)
    assert "slice: 160 train, 80 test texts" in stdout
    table = stdout[stdout.index("NCD features against NCD-kNN") :].splitlines()
    rows = ["NCD-kNN gzip, k=5", "NCD features + LinearSVC", "NCD features + logistic reg."]
    assert [line[:30].strip() for line in table[2:5]] == rows
    assert "four clusters cut from the tree, by class:" in stdout
    explained = [line for line in stdout.splitlines() if line.startswith("explained: test text")]
    assert [line.endswith("(wrong)") for line in explained] == [False, False, True]
    assert "class-conditional PPM:" in stdout
    assert images == 1, "expected the dendrogram"
