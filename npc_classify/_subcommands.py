"""What each ``npc-classify`` command does with its parsed arguments.

:mod:`npc_classify.cli` parses the arguments and imports this module only
then: its imports (the estimators, scikit-learn, SciPy, joblib) take over a
second, which ``--help`` and a mistyped option do not wait for.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import numpy as np

from . import datasets, evaluation, load_model, reports, save_model
from ._compression_classifier import CompressionClassifier
from ._ncd_classifier import NCDClassifier
from ._output import STDOUT, default_checkpoint, write_chunks, write_text
from ._parallel import dask_backend, local_workers, workers_for
from ._persistence import estimators_within, skops_io
from ._text import encode_texts, one_line
from ._voting import PAPER_TOP_K
from .cli import STDIN, TRAIN_LM_OPTIONS
from .compressors import Compressor, OutputLimitError, compressor_from_settings, get_compressor
from .datasets import LabeledTexts
from .evaluation import MODEL_FREE_COMPRESSORS

#: Texts ``predict`` classifies before it prints their lines: an interrupted run keeps
#: the blocks printed, and each block keeps the workers busy for a while.
PREDICT_BLOCK = 10_000


def run(args: argparse.Namespace) -> int:
    """Run the command ``args.command`` names; returns its exit status."""
    with dask_backend(args.scheduler):
        return int(HANDLERS[args.command](args))


#: Compressor settings that only class-conditional compression reads.
_CLASS_CONDITIONAL_SETTINGS = frozenset({"fine_tune_steps"})
#: The options only NCD neighbours read, with the value each takes when not given.
_NEIGHBOUR_OPTIONS: dict[str, Any] = {
    "k": [5],
    "tie": "nearest",
    "candidates": None,
    "weights": "uniform",
    "order": "query-first",
}
#: The options only class-conditional compression reads, and theirs.
_CLASS_CONDITIONAL_OPTIONS: dict[str, Any] = {
    "n_dictionaries": 1,
    "complement": None,
    "class_offsets": None,
    "temperature": 1.0,
}


def _progress(args: argparse.Namespace) -> bool:
    """``--progress`` or ``--no-progress``; without either, whether stderr is a terminal."""
    return bool(sys.stderr.isatty() if args.progress is None else args.progress)


def _set_progress(model: Any, shown: bool) -> None:
    """Show or hide the progress bars of the estimators of this package in ``model``: it,
    a pipeline's steps, a meta-estimator's fitted copies. A saved model keeps the setting
    it was saved with."""
    for estimator in estimators_within(model, set()):
        estimator.set_params(progress=shown)


def _report_stream(args: argparse.Namespace) -> TextIO:
    """Where the printed report goes: standard error when the JSON goes to standard output
    (``-``, or standard output's file by name: ``/dev/stdout``)."""
    return sys.stderr if _is_standard_output(args.output) else sys.stdout


def _is_standard_output(path: Path | None) -> bool:
    """Whether ``path`` is ``-`` or what standard output writes to (``/dev/stdout``)."""
    return path is not None and (str(path) == STDOUT or _writes_to(path, sys.stdout))


def _writes_to(path: Path, stream: TextIO | None) -> bool:
    """Whether ``path`` is the file, pipe or terminal ``stream`` writes to; not a device
    such as ``/dev/null``, which is shared without mixing what is written to it."""
    if stream is None:  # started with it closed
        return False
    try:
        written = os.fstat(stream.fileno())
        same = os.path.samestat(os.stat(path), written)
        return same and not (stat.S_ISCHR(written.st_mode) and not stream.isatty())
    except (OSError, ValueError):  # no such file; a stream without a file (io.StringIO)
        return False


def _checkpoint(args: argparse.Namespace) -> Path | None:
    """``--checkpoint``, or the default one beside a ``--output`` file; none beside what
    standard output or standard error writes to (``/dev/stdout``), which is no folder's."""
    if args.checkpoint is not None or args.output is None:
        return args.checkpoint
    if any(_writes_to(args.output, stream) for stream in (sys.stdout, sys.stderr)):
        return None
    return default_checkpoint(args.output)


def _standard_input() -> BinaryIO:
    """Standard input's bytes, refused in one line when the command started without it."""
    if sys.stdin is None:
        raise ValueError("standard input is closed; name a file to read, or pipe text in.")
    return sys.stdin.buffer


def _file_options(args: argparse.Namespace) -> dict[str, Any]:
    """How the csv/tsv files are read: the columns, the header row, the quoting."""
    options = {"text_columns": args.text_column, "quoting": args.quoting}
    options["header"] = not args.no_header
    if "label_column" in args:  # labelled files; predict's texts have no label
        options["label_column"] = args.label_column
    return options


def _load(args: argparse.Namespace) -> tuple[LabeledTexts, LabeledTexts]:
    """The training and test splits of the data options, the test split sampled."""
    files = {"train": args.train, "test": args.test, **_file_options(args)}
    train, test = datasets.load_splits(args.dataset, data_dir=args.data_dir, **files)
    return train, _sampled(args, test)


def _sampled(args: argparse.Namespace, test: LabeledTexts) -> LabeledTexts:
    """``test``, or ``--n-test`` of its texts if asked."""
    if args.n_test is None:
        return test
    return test.subset(_drawn(args, len(test)))


def _drawn(args: argparse.Namespace, n_texts: int) -> np.ndarray:
    """The positions of the ``--n-test`` texts drawn (with ``--seed``) from ``n_texts``."""
    return datasets.sample_indices(n_texts, args.n_test, np.random.RandomState(args.seed))


def _per_class(args: argparse.Namespace, train: LabeledTexts) -> LabeledTexts:
    """``train``, or ``--n-train-per-class`` texts of each of its classes if asked."""
    if args.n_train_per_class is None:
        return train
    rng = np.random.RandomState(args.seed)
    chosen = datasets.sample_per_class(
        train.labels, args.n_train_per_class, rng, class_names=train.class_names
    )
    return train.subset(chosen)


def _compressor(args: argparse.Namespace) -> Compressor:
    """``--compressor`` with its ``--param`` settings and ``--model``, validated."""
    model = args.model
    if model is not None and Path(model).exists():  # a file or folder, not a Hub name
        model = str(Path(model).resolve())  # a saved model finds it from any folder
    return compressor_from_settings(args.compressor, args.params, model=model)


def _model(args: argparse.Namespace) -> NCDClassifier | CompressionClassifier:
    """The classifier ``--method`` names."""
    _settle_method_options(args)
    if args.method == "class-conditional":
        return CompressionClassifier(
            _compressor(args),
            n_dictionaries=args.n_dictionaries,
            complement=args.complement,
            class_offsets=args.class_offsets,
            temperature=getattr(args, "temperature", 1.0),
            progress=_progress(args),
            n_jobs=-1 if args.n_jobs is None and args.scheduler is not None else args.n_jobs,
        )
    return _classifier(args)


def _settle_method_options(args: argparse.Namespace) -> None:
    """Refuse the options of the method ``--method`` did not choose; give the chosen
    method's options that were not given their defaults."""
    neighbours = args.method != "class-conditional"
    unused = _CLASS_CONDITIONAL_OPTIONS if neighbours else _NEIGHBOUR_OPTIONS
    for name in unused:
        if getattr(args, name, None) is not None:
            flag = "--" + name.replace("_", "-")
            raise ValueError(
                f"{flag} is for --method class-conditional, not NCD neighbours."
                if neighbours
                else f"{flag} is for NCD neighbours, not --method class-conditional."
            )
    for name, default in (
        _NEIGHBOUR_OPTIONS if neighbours else _CLASS_CONDITIONAL_OPTIONS
    ).items():
        if hasattr(args, name) and getattr(args, name) is None:
            setattr(args, name, default)
    if neighbours:
        args.k = sorted(set(args.k))  # one row per k, in order, however they were given


def _classifier(args: argparse.Namespace) -> NCDClassifier:
    refused = _CLASS_CONDITIONAL_SETTINGS & {param.partition("=")[0] for param in args.params}
    if refused:
        raise ValueError(
            f"--param {min(refused)} is for --method class-conditional, not NCD neighbours."
        )
    return NCDClassifier(
        _compressor(args),
        k=max(args.k),
        weights=args.weights,
        tie_break="nearest" if args.tie == PAPER_TOP_K else args.tie,
        order=args.order,
        candidates=args.candidates,
        n_jobs=args.n_jobs,
        progress=_progress(args),
        random_state=args.seed,
    )


def _choose_workers(args: argparse.Namespace, model: Any, n_pairs: int, stream: TextIO) -> None:
    """Set ``model``'s ``n_jobs``: ``--n-jobs``, or without it the workers ``n_pairs`` are worth.

    With ``--scheduler`` and no ``--n-jobs``, every worker of the cluster. The
    choice is printed to ``stream`` and kept in ``args`` for the JSON config.
    """
    if args.n_jobs is None and args.scheduler is None:
        args.n_jobs, args.n_jobs_chosen_for_pairs = workers_for(n_pairs), n_pairs
        count = local_workers(args.n_jobs)
        print(f"{count} worker{'s' * (count > 1)}: {n_pairs:,} pairs", file=stream)
    model.set_params(n_jobs=-1 if args.n_jobs is None else args.n_jobs)


def _config(args: argparse.Namespace, clf: Any) -> dict[str, Any]:
    """The arguments, JSON-ready, and the compressor that ``clf`` was built with."""
    return {**_arguments(args), "compressor": repr(clf.compressor)}


def _arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The command's arguments, JSON-ready."""
    config = {key: value for key, value in vars(args).items() if key != "command"}
    config = {key: str(v) if isinstance(v, Path) else v for key, v in config.items()}
    if config.get("complement") == math.inf:  # --complement all; JSON has no Infinity
        config["complement"] = "all"
    return config


def _evaluate(args: argparse.Namespace) -> int:
    report, clf, checkpoint = _report_stream(args), _model(args), _checkpoint(args)
    train, test = _load(args)
    _refuse_overwriting_inputs(args, {"--output": args.output, "--checkpoint": checkpoint})
    train = _per_class(args, train)
    _warn_of_unseen_labels(train, test)
    outcome: dict[str, Any] = {"command": "evaluate"}
    if isinstance(clf, CompressionClassifier):
        _announce(checkpoint)
        outcome |= {"method": "class-conditional", "config": _config(args, clf)}
        outcome |= evaluation.evaluate_class_conditional(clf, train, test, checkpoint=checkpoint)
        if outcome["resumed_class_texts"]:
            n_texts = len(clf.classes_) * (1 if clf.complement_ is None else 2)
            resumed = outcome["resumed_class_texts"]
            print(f"resumed {resumed} of {n_texts} class texts", file=sys.stderr)
        description = f"{clf.compressor_!r}, {len(clf.classes_)} classes"
        text = reports.format_class_conditional(outcome, description)
    else:
        n_pairs = len(test) * min(args.candidates or len(train), len(train))
        _choose_workers(args, clf, n_pairs, report)
        _announce(checkpoint)
        paper_top_k = args.tie == PAPER_TOP_K
        outcome["config"] = _config(args, clf)
        outcome |= evaluation.evaluate_neighbors(
            clf, train, test, args.k, paper_top_k=paper_top_k, checkpoint=checkpoint
        )
        if outcome["resumed_queries"]:
            print(f"resumed {outcome['resumed_queries']} of {len(test)} queries", file=sys.stderr)
        text = reports.format_neighbor_evaluation(outcome, clf.tie_break)
    _save(outcome, args.output)
    if args.checkpoint is None and checkpoint is not None:
        checkpoint.unlink()
    return _show(text, outcome, args.output, report)


def _warn_of_unseen_labels(train: LabeledTexts, test: LabeledTexts) -> None:
    """Say on standard error which test labels no training text has: no model predicts them."""
    known = set(datasets.label_names(train.labels, train.class_names))
    tested = datasets.label_names(test.labels, test.class_names)
    unseen = sorted(set(tested) - known)
    if unseen:
        count = sum(label in unseen for label in tested)
        print(
            f"warning: {count} of {len(tested)} test texts have a label no training text has, "
            f"which no classifier fitted on them predicts: {unseen} (training labels: "
            f"{sorted(known)})",
            file=sys.stderr,
        )


#: The options naming a file a command reads besides its data, and what each file is.
_READ_FILES = {
    "input": "the input file",
    "model": "the language model",
    "hf_model": "the language model",
    "model_file": "the model file",
    "corpus": "the corpus",
}


def _data_files(args: argparse.Namespace) -> list[Path]:
    """The data files a command reads: its training and test files, or AG News's."""
    if getattr(args, "dataset", None) is None:  # train-lm: its corpus may be AG News's
        if getattr(args, "corpus", None) != "ag_news":
            return []
        args = argparse.Namespace(dataset="ag_news", data_dir=args.data_dir)
    files = (
        datasets.split_file(
            args.dataset, split, data_dir=args.data_dir, path=getattr(args, split, None)
        )
        for split in ("train", "test")
    )
    return [path for path in files if path is not None]


def _refuse_overwriting_inputs(
    args: argparse.Namespace, destinations: dict[str, Path | None]
) -> None:
    """Refuse a report, checkpoint, model or page that is one of the files the command
    reads (its data files, a model, a corpus), a file in a folder it reads (a Hugging Face
    model), or each other.

    Called after those files are read, so that their loaders' checks speak
    first; nothing has been written then.
    """
    inputs = {path: "the data file" for path in _data_files(args)}
    for name, what in _READ_FILES.items():
        if getattr(args, name, None) is not None and str(getattr(args, name)) != STDIN:
            inputs[Path(getattr(args, name))] = what
    named = {
        option: Path(path)
        for option, path in destinations.items()
        if path is not None and str(path) != STDOUT
    }
    written = {option: path.resolve() for option, path in named.items()}
    for option, path in written.items():
        for read, what in inputs.items():
            if read.is_file() and path.is_file() and os.path.samefile(read, path):
                raise ValueError(
                    f"{option} {destinations[option]} is {what} {read}, which it would "
                    "replace; name another file."
                )
            if read.is_dir() and path.is_file() and _in_folder(named[option], read):
                raise ValueError(  # a Hugging Face model's folder
                    f"{option} {destinations[option]} is in {what} {read}, which it would "
                    "change; name a file outside it."
                )
    if len(set(written.values())) < len(written):
        raise ValueError(
            f"--output and --checkpoint name the same file, {args.output}: the report would "
            "replace the checkpoint; name two files."
        )


def _in_folder(path: Path, folder: Path) -> bool:
    """Whether the file ``path`` is in ``folder``, by its name or as the target of a link in
    it (a Hugging Face cache's snapshot folder links to files kept beside it)."""
    named = Path(os.path.abspath(path))
    if named.is_relative_to(os.path.abspath(folder)):
        return True
    if path.resolve().is_relative_to(folder.resolve()):
        return True
    return any(f.is_file() and os.path.samefile(f, path) for f in folder.rglob("*"))


def _announce(checkpoint: Path | None) -> None:
    if checkpoint is not None:
        print(f"checkpoint: {checkpoint} (rerun the same command to resume)", file=sys.stderr)


def _few_shot(args: argparse.Namespace) -> int:
    report, clf = _report_stream(args), _model(args)
    pool, test = _load(args)
    _refuse_overwriting_inputs(args, {"--output": args.output})
    _warn_of_unseen_labels(pool, test)
    if isinstance(clf, CompressionClassifier):
        rows = evaluation.few_shot(clf, pool, test, args.shots, args.seeds)
        rules = [evaluation.CLASS_CONDITIONAL]
    else:
        sizes = [shots * len(np.unique(pool.labels)) for shots in args.shots]
        n_pairs = len(args.seeds) * sum(len(test) * min(args.candidates or n, n) for n in sizes)
        _choose_workers(args, clf, n_pairs, report)
        paper_top_k = args.tie == PAPER_TOP_K
        rows = evaluation.few_shot(
            clf, pool, test, args.shots, args.seeds, args.k, paper_top_k=paper_top_k
        )
        rules = [clf.tie_break] + ([PAPER_TOP_K] if paper_top_k else [])
    described = f"seeds {args.seeds}, {args.method}, {clf.compressor!r}"
    text = f"few-shot on {len(test)} test texts, {described}\n"
    text += reports.format_few_shot(rows, rules)
    outcome = {"command": "few-shot", "config": _config(args, clf), "n_test": len(test)}
    outcome["rows"] = rows
    _save(outcome, args.output)
    return _show(text, outcome, args.output, report)


def _fit(args: argparse.Namespace) -> int:
    skops_io()  # a model that cannot be saved is refused before it is fitted
    model = _model(args)
    files = {"path": args.train, **_file_options(args)}
    train = _per_class(
        args, datasets.load_split(args.dataset, "train", data_dir=args.data_dir, **files)
    )
    _refuse_overwriting_inputs(args, {"--out": args.out})
    # the classes by name (World, Sports...), so that predict and explain print them
    model.fit(train.texts, datasets.label_names(train.labels, train.class_names))
    _set_progress(model, False)  # how a run shows its work is for predict and explain to say
    save_model(model, args.out)
    print(f"{model!r} fitted on {len(train)} texts of {len(model.classes_)} classes")
    if getattr(model, "temperature", None) == "auto":
        print(f"temperature: {model.temperature_:.4g} bits (least held-out log loss)")
    if getattr(model, "class_offsets", None) == "auto":
        shown = ", ".join(
            f"{one_line(name)} {bits:+.2f}"
            for name, bits in zip(model.classes_, model.class_offsets_, strict=True)
        )
        print(f"class offsets, bits (fitted on held-out training texts): {shown}")
    print(f"model written to {args.out}")
    return 0


def _reads_text(model: Any) -> bool:
    """Whether ``model`` takes a list of texts: scikit-learn's string input tag, its own,
    its first step's (a pipeline), every part's (a feature union), or that of the estimator
    or estimators it wraps (``OneVsRestClassifier``, voting); a ``ColumnTransformer``
    reads a table, not texts."""
    from sklearn.base import BaseEstimator
    from sklearn.pipeline import Pipeline
    from sklearn.utils import get_tags

    if not isinstance(model, BaseEstimator):
        return False
    if get_tags(model).input_tags.string:
        return True
    if isinstance(model, Pipeline):
        steps = [step for _, step in model.steps if step not in (None, "passthrough")]
        return bool(steps) and _reads_text(steps[0])
    params = model.get_params(deep=False)
    listed = params.get("transformer_list") or params.get("estimators") or []
    parts = [item[1] if isinstance(item, tuple) and len(item) > 1 else item for item in listed]
    parts += [params["estimator"]] if "estimator" in params else []
    parts = [part for part in parts if isinstance(part, BaseEstimator)]
    return bool(parts) and all(map(_reads_text, parts))


def _predict(args: argparse.Namespace) -> int:
    model = load_model(args.model_file)
    if not (hasattr(model, "predict") and hasattr(model, "get_params")):
        kind = type(model).__name__
        raise ValueError(
            f"{args.model_file} holds a {kind}, which cannot predict; expected a model "
            "from fit or save_model."
        )
    if not _reads_text(model):
        raise ValueError(
            f"{args.model_file} holds a {type(model).__name__}, which does not classify "
            "texts; expected a model from fit, or one saved by save_model whose input is text."
        )
    source = _standard_input() if str(args.input) == STDIN else Path(args.input)
    blocks = datasets.read_text_blocks(
        source, PREDICT_BLOCK, format=args.input_format, **_file_options(args)
    )  # lines classified as they arrive
    params = model.get_params()
    first = next(blocks, [])
    if "n_jobs" in params and hasattr(model, "n_candidates_"):  # an NCD neighbour search
        _choose_workers(args, model, len(first) * model.n_candidates_, sys.stderr)
    elif "n_jobs" in params and args.n_jobs is not None:
        model.set_params(n_jobs=args.n_jobs)
    _set_progress(model, _progress(args))
    style = "jsonl" if args.format == "jsonl" else "proba" if args.proba else "labels"
    classes = getattr(model, "classes_", [])
    for n, texts in enumerate(itertools.chain([first], blocks)):
        labels, proba = evaluation.predictions(
            model, texts, labels=style != "proba", proba=style != "labels"
        )
        lines = reports.prediction_lines(classes, labels, proba, style, header=not n)
        if lines:
            print(*lines, sep="\n", flush=True)
    return 0


def _explain(args: argparse.Namespace) -> int:
    try:  # argument bytes that are not UTF-8 reach Python as lone surrogates
        os.fsencode(args.text).decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError) as error:  # a surrogate of no byte
        raise ValueError(
            f"TEXT is not valid UTF-8 ({error.reason}); give the text in UTF-8."
        ) from None
    model = load_model(args.model_file)
    if not hasattr(model, "explain"):
        kind = type(model).__name__
        raise ValueError(f"{args.model_file} holds a {kind}, which cannot explain a prediction.")
    _refuse_overwriting_inputs(args, {"--html": args.html})
    _set_progress(model, _progress(args))
    explanation = model.explain(args.text, n_spans=args.spans)
    if str(args.html) == STDOUT:  # the page to standard output, the report beside it
        print(reports.format_explanation(explanation), file=sys.stderr)
        print(explanation.to_html())
        return 0
    print(reports.format_explanation(explanation))
    if args.html is not None:  # a folder was refused when the arguments were parsed
        write_text(args.html, explanation.to_html())
        print(f"HTML written to {args.html}")
    return 0


def _train_lm(args: argparse.Namespace) -> int:
    from .coding.training import train_byte_lm

    if args.data_dir is not None and args.corpus != "ag_news":
        raise ValueError(
            f"--data-dir is for --corpus ag_news, AG News's CSVs; got --corpus {args.corpus}, "
            "a file read as it is."
        )
    if args.corpus == "ag_news":
        corpus = "\n".join(datasets.load_ag_news("train", args.data_dir).texts).encode()
    else:
        corpus = Path(args.corpus).read_bytes()
    _refuse_overwriting_inputs(args, {"--out": args.out})
    options = {name: getattr(args, name) for name, _, _, _ in TRAIN_LM_OPTIONS}
    _, resumed_from = train_byte_lm(corpus, args.out, progress=_progress(args), **options)
    if resumed_from:
        print(f"resumed from step {resumed_from}")
    print(f"model written to {args.out}")
    return 0


def _code(args: argparse.Namespace) -> int:
    """``compress`` or ``decompress``, as ``args.direction`` says, a file (or standard
    input, ``-``) into a file (or standard output, ``-``).

    Decompressed output is written as it is inflated (one piece held at a
    time) and replaces the output file only once it is whole.
    """
    compressor = _compressor(args)
    data = _standard_input().read() if str(args.input) == STDIN else args.input.read_bytes()
    _refuse_overwriting_inputs(args, {"--output": args.output})
    if args.direction == "compress":
        chunks: Iterable[bytes] = [compressor.compress(data)]
    else:
        chunks = compressor.decompress_chunks(data, max_size=args.max_size)
    try:
        if str(args.output) == STDOUT:
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
        else:
            write_chunks(args.output, chunks)
    except OutputLimitError:
        raise ValueError(
            f"The decompressed output passes --max-size {args.max_size:,} bytes: stopped "
            "before using more memory. If you trust this input, give a larger --max-size."
        ) from None
    return 0


def _bpb(args: argparse.Namespace) -> int:
    report = _report_stream(args)
    files = {"path": args.test, **_file_options(args)}  # texts alone: a file needs no labels
    texts = datasets.load_split_texts(args.dataset, "test", data_dir=args.data_dir, **files)
    _refuse_overwriting_inputs(args, {"--output": args.output})
    if args.n_test is not None:  # the texts evaluate's --n-test draws from a labelled file
        texts = [texts[i] for i in _drawn(args, len(texts))]
    documents = encode_texts(texts[: args.n_docs])
    compressors = {name: get_compressor(name) for name in MODEL_FREE_COMPRESSORS}
    if args.model is not None:
        compressors["lm"] = get_compressor("lm", model_path=str(args.model))
    if args.hf_model is not None:
        compressors["hf"] = get_compressor("hf", model=args.hf_model)
    rows = {name: evaluation.bits_per_byte(c, documents) for name, c in compressors.items()}
    text = f"{len(documents)} texts, {sum(map(len, documents)):,} bytes\n"
    text += reports.format_bits_per_byte(rows)
    table = {
        name: {"per_document": per_document, "whole_file": whole_file}
        for name, (per_document, whole_file) in rows.items()
    }
    outcome = {"command": "bpb", "config": _arguments(args), "n_documents": len(documents)}
    outcome["bits_per_byte"] = table
    _save(outcome, args.output)
    return _show(text, outcome, args.output, report)


def _save(outcome: dict[str, Any], path: Path | None) -> None:
    """The JSON of ``outcome`` to the file ``path``, if one is given.

    Written before the report is printed, so that a reader who closes the
    pipe early (``| head``) cuts the report short, not the results.
    """
    if path is not None and str(path) != STDOUT:
        write_text(path, _json(outcome))


def _show(text: str, outcome: dict[str, Any], path: Path | None, report: TextIO) -> int:
    """Print the report ``text``, then the JSON to standard output for ``--output -``, or
    where :func:`_save` wrote it; returns 0."""
    print(text, file=report)
    if path is not None and str(path) == STDOUT:
        sys.stdout.write(_json(outcome))
    elif path is not None:
        print(f"\nresults written to {path}", file=report)
    return 0


def _json(outcome: dict[str, Any]) -> str:
    return json.dumps(outcome, indent=2) + "\n"


#: The function that runs each command.
HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "evaluate": _evaluate,
    "few-shot": _few_shot,
    "fit": _fit,
    "predict": _predict,
    "explain": _explain,
    "train-lm": _train_lm,
    "compress": _code,
    "decompress": _code,
    "bpb": _bpb,
}
