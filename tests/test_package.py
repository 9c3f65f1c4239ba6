"""The package's namespace: every public name, imported on first use."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import npc_classify


@pytest.mark.parametrize("name", npc_classify.__all__)
def test_every_public_name_is_importable_from_the_package(name):
    namespace: dict[str, object] = {}
    exec(f"from npc_classify import {name}", namespace)
    assert namespace[name] is getattr(npc_classify, name)
    home = importlib.import_module(getattr(namespace[name], "__module__", "npc_classify"))
    assert getattr(home, name) is namespace[name]


def test_dir_lists_the_public_names_and_the_public_modules():
    listed = dir(npc_classify)
    assert set(npc_classify.__all__) <= set(listed)
    modules = {"coding", "compressors", "datasets", "evaluation", "reports"}
    assert {"__version__", *modules} <= set(listed)
    for module in modules:
        assert getattr(npc_classify, module) is importlib.import_module(f"npc_classify.{module}")
    assert listed == sorted(listed)


@pytest.mark.parametrize(
    ("module", "extra"),
    [
        ("npc_classify.coding.byte_lm", "lm"),
        ("npc_classify.coding.training", "lm"),
        ("npc_classify.coding.hf_lm", "hf"),
    ],
)
def test_a_module_needing_pytorch_names_the_extra_to_install_without_it(module, extra):
    program = f"import sys; sys.modules['torch'] = None; import {module}"
    completed = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 1
    assert "ImportError: " in completed.stderr
    assert f'pip install "npc-classify[{extra}]"' in completed.stderr


def test_a_name_the_package_lacks_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'NCDClassifer'"):
        npc_classify.NCDClassifer  # noqa: B018
    with pytest.raises(ImportError):
        exec("from npc_classify import NCDClassifer", {})


def test_importing_the_package_is_cheap_and_its_names_and_modules_come_on_first_use():
    program = (
        "import sys, npc_classify as nc\n"
        "print(sorted({m.partition('.')[0] for m in sys.modules} & {'numpy', 'sklearn'}))\n"
        "print(nc.compressors.GzipCompressor().compress(b'x')[:2].hex(), nc.NCDClassifier())\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert completed.stdout == "[]\n1f8b NCDClassifier()\n"


def test_the_source_distribution_holds_everything_its_tests_need_and_the_license(tmp_path):
    """An sdist is built from the repository's tracked files, as a release would be."""
    import shutil
    import tarfile
    from pathlib import Path

    pytest.importorskip("setuptools", minversion="77", reason="the build backend pyproject names")

    root = Path(__file__).resolve().parents[1]
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    tests = [name for name in tracked if name.startswith("tests/")]
    if not tests:
        pytest.skip("not a git checkout: the tracked files are unknown")
    source = tmp_path / "source"
    for name in tracked:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, source / name)
    build = "from setuptools import build_meta; print(build_meta.build_sdist('dist'))"
    made = subprocess.run(
        [sys.executable, "-c", build], cwd=source, capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    with tarfile.open(source / "dist" / made) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert set(tests) <= names
    assert "LICENSE" in names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
