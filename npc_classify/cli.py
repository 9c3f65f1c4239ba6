"""The ``npc-classify`` command line: parses arguments, runs :mod:`npc_classify.evaluation`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from . import __version__, datasets, evaluation, load_model, reports, save_model
from ._command import ending_on_signals, signal_behind
from ._compression_classifier import CompressionClassifier
from ._distance import ORDERS
from ._ncd_classifier import NCDClassifier
from ._output import STDOUT, check_destination, default_checkpoint, write_chunks, write_text
from ._parallel import SERIAL_PAIRS, dask_backend, local_workers, workers_for
from ._text import encode_texts
from ._voting import TIE_BREAKS, WEIGHTS
from .compressors import (
    DEFAULT_MAX_SIZE,
    Compressor,
    available_compressors,
    compressor_from_settings,
    get_compressor,
)
from .datasets import LabeledTexts
from .evaluation import MODEL_FREE_COMPRESSORS, PAPER_TOP_K


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``npc-classify``; returns the exit status.

    SIGINT (Ctrl-C) and SIGTERM end a run cleanly: the run unwinds, so a
    checkpoint holds every finished record and joblib's workers are stopped,
    and one line says what happened (exit status 130 and 143). The command
    itself starts in :func:`npc_classify._command.main`, which handles them
    from before this module's imports.
    """
    return ending_on_signals(lambda: _run(argv))


def _run(argv: Sequence[str] | None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        with dask_backend(args.scheduler):
            return int(args.handler(args))
    except (ValueError, TypeError, FileNotFoundError, ImportError, OSError) as error:
        if signal_behind(error) is not None:
            raise  # a signal in disguise, reported by ending_on_signals
        print(f"npc-classify: error: {error}", file=sys.stderr)
        return 2


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def _dictionary_count(text: str) -> int | str:
    return text if text == "auto" else _positive_int(text)


def _positive_number(text: str, other: str, *, finite: bool = False) -> float:
    """A positive number (finite when ``finite``); the error names ``other``, the word the
    option also takes."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value > 0 and (value < float("inf") or not finite)):
        raise argparse.ArgumentTypeError(f"expected a positive number or {other}, got {text!r}")
    return value


def _temperature(text: str) -> float | str:
    """``--temperature``: a positive number of bits, or ``auto``."""
    return text if text == "auto" else _positive_number(text, "auto", finite=True)


def _complement_ratio(text: str) -> float:
    """``--complement``: a positive number, or ``all`` for the whole complement."""
    return float("inf") if text == "all" else _positive_number(text, "all")


def _destination(text: str) -> Path:
    """A report's ``--output``, refused before any work when it cannot take one."""
    try:
        check_destination(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return Path(text)


class _HelpFormatter(argparse.HelpFormatter):
    """Adds "(default: ...)" to an option's help, unless the help says it or there is none."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text, default = action.help or "", action.default
        if "default" in text or default in (None, [], argparse.SUPPRESS) or default is False:
            return text
        shown = " ".join(map(str, default)) if isinstance(default, list) else default
        return f"{text} (default: {shown})"


#: The options of ``train-lm``, passed on to ``train_byte_lm``: name, type, default, help.
_TRAIN_LM_OPTIONS: list[tuple[str, Callable[[str], Any], Any, str]] = [
    ("steps", _positive_int, 2000, "optimiser steps"),
    ("seq_len", _positive_int, 256, "bytes in each training window"),
    ("batch_size", _positive_int, 32, "windows in each step"),
    ("learning_rate", float, 3e-3, "Adam's learning rate"),
    ("hidden_size", _positive_int, 256, "units of the GRU's hidden state"),
    ("checkpoint_every", _positive_int, 100, "save a checkpoint (OUT.ckpt) every N steps"),
    ("seed", int, 0, "seed of the weights and of the windows drawn"),
]
#: The ``predict`` input that means standard input.
_STDIN = "-"
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


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="npc-classify",
        description="Text classification with compressors (NCD + k nearest neighbours).",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    summary = "fit on a training split, score a test split"
    evaluate = _command(commands, "evaluate", _evaluate, summary)
    _add_data_arguments(evaluate, test=True)
    _add_training_arguments(evaluate)
    _add_model_arguments(evaluate, scoring=True)
    output = _add_output_arguments(evaluate, progress=True)
    text = "save the search as it goes, to resume from (default: OUTPUT.partial.jsonl)"
    output.add_argument("--checkpoint", type=Path, metavar="FILE", help=text)

    summary = "the paper's few-shot protocol: mean accuracy over seeds, 95%% interval"
    shots = _command(commands, "few-shot", _few_shot, summary)
    _add_data_arguments(shots, test=True)
    _add_training_arguments(shots, per_class=False)
    _add_model_arguments(shots, scoring=True)
    add = shots.add_argument
    text = "training texts per class"
    add("--shots", type=_positive_int, nargs="+", default=[5, 10, 50, 100], metavar="N", help=text)
    text = "one sample of training texts per seed"
    add("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4], metavar="S", help=text)
    _add_output_arguments(shots, progress=True)

    fit = _command(commands, "fit", _fit, "fit a classifier on a training split and save it")
    _add_data_arguments(fit, test=False)
    _add_training_arguments(fit, probabilities=True)
    _add_model_arguments(fit, scoring=False)
    fit.add_argument("--out", type=Path, required=True, metavar="FILE", help="model (required)")
    fit.set_defaults(progress=False)

    predict = _command(commands, "predict", _predict, "classify texts with a saved model")
    add = predict.add_argument
    add("model_file", type=Path, metavar="MODEL", help="a model file from fit or save_model")
    text = "a file of texts, one per line (or csv/tsv); - is standard input"
    add("input", nargs="?", default=_STDIN, metavar="INPUT", help=text)
    formats = datasets.TEXT_FORMATS
    add("--input-format", choices=formats, default="lines", help="how INPUT holds texts")
    _add_table_arguments(predict.add_argument_group("csv and tsv input"))
    add("--proba", action="store_true", help="print class probabilities (default: labels)")
    text = 'text: a label (or with --proba, probabilities) per line; jsonl: {"label", "proba"}'
    add("--format", choices=["text", "jsonl"], default="text", help=text)
    _add_workers_argument(predict)
    _add_progress_argument(predict)

    explain = _command(
        commands, "explain", _explain, "why a saved classifier gives a text its class"
    )
    add = explain.add_argument
    add("model_file", type=Path, metavar="MODEL", help="a classifier file from fit or save_model")
    add("text", metavar="TEXT", help="the text to explain")
    add("--spans", type=_positive_int, default=5, metavar="N", help="spans to list (default: 5)")
    add("--html", type=Path, metavar="FILE", help="also write it as HTML to FILE (default: no)")

    train_lm = _command(commands, "train-lm", _train_lm, "train the lm compressor's byte GRU")
    add = train_lm.add_argument
    add("--corpus", required=True, metavar="FILE", help="text, or ag_news: its texts (required)")
    add("--data-dir", type=Path, metavar="DIR", help="AG News's CSVs (default: the Hub)")
    add("--out", type=Path, required=True, metavar="FILE", help="model (required)")
    for name, kind, default, text in _TRAIN_LM_OPTIONS:
        metavar = "LR" if kind is float else "N"
        add(f"--{name.replace('_', '-')}", type=kind, default=default, metavar=metavar, help=text)
    _add_progress_argument(train_lm)

    for name in ["compress", "decompress"]:
        command = _command(commands, name, _code, f"{name} a file")
        command.set_defaults(direction=name)
        command.add_argument("input", type=Path, metavar="FILE", help=f"the file to {name}")
        command.add_argument(
            "--output", "-o", type=Path, required=True, metavar="FILE", help="(required)"
        )
        _add_compressor_arguments(command)
    decompress = commands.choices["decompress"]
    decompress.add_argument(
        "--max-size",
        type=int,
        default=DEFAULT_MAX_SIZE,
        metavar="BYTES",
        help=f"refuse output past BYTES (default: {DEFAULT_MAX_SIZE}, 1 GiB)",
    )

    summary = "bits per byte of each compressor on the test texts, alone and as one file"
    bpb = _command(commands, "bpb", _bpb, summary)
    _add_data_arguments(bpb, test=True)
    add = bpb.add_argument
    add("--model", type=Path, metavar="FILE", help="also this train-lm model (default: none)")
    add("--hf-model", metavar="MODEL", help="also this Hugging Face LM (default: none)")
    add("--n-docs", type=_positive_int, default=200, metavar="N", help="the first N test texts")
    _add_output_arguments(bpb, progress=False)
    return parser


def _command(
    commands: Any, name: str, handler: Callable[[argparse.Namespace], int], summary: str
) -> argparse.ArgumentParser:
    description = summary.replace("%%", "%")  # help= is %-formatted, description= is not
    command: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=description, formatter_class=_HelpFormatter
    )
    defaults = {"scheduler": None, "n_jobs": None, "n_jobs_chosen_for_pairs": None}
    command.set_defaults(handler=handler, **defaults)
    return command


def _add_data_arguments(parser: argparse.ArgumentParser, *, test: bool) -> None:
    add = parser.add_argument_group("data").add_argument
    text = "AG News, TREC (6 coarse or 50 fine classes), or your csv/tsv files"
    add("--dataset", choices=datasets.DATASETS, default="ag_news", help=text)
    text = "the files' folder (default: the Hub, for AG News)"
    add("--data-dir", type=Path, metavar="DIR", help=text)
    for split in ["train", "test"] if test else ["train"]:
        add(f"--{split}", type=Path, metavar="FILE", help=f"csv/tsv (default: DIR/{split}.csv)")
    table = parser.add_argument_group("csv and tsv files")
    _add_table_arguments(table)
    text = "the class column (default: label, or 1 with --no-header)"
    table.add_argument("--label-column", metavar="COL", help=text)
    if test:
        add("--n-test", type=_positive_int, metavar="N", help="sample N test texts (default: all)")
    add("--seed", type=int, default=0, metavar="S", help="seed of samples and random ties")


def _add_table_arguments(group: Any) -> None:
    add = group.add_argument
    text = "a column of text, repeatable (default: text, or 2 with --no-header)"
    add("--text-column", action="append", metavar="COL", help=text)
    add("--no-header", action="store_true", help="columns by number, 1 the first (default: name)")
    add("--quoting", choices=datasets.QUOTINGS, help="(default: csv, or none for tsv)")


def _add_training_arguments(
    parser: argparse.ArgumentParser, *, per_class: bool = True, probabilities: bool = False
) -> None:
    """The method and its class-conditional options; ``per_class``: ``--n-train-per-class``;
    ``probabilities``: ``--temperature``, for a model saved to give them."""
    add = parser.add_argument_group("training").add_argument
    if per_class:
        text = "sample N training texts per class (default: all)"
        add("--n-train-per-class", type=_positive_int, metavar="N", help=text)
    text = "NCD neighbours or one compression per class (CompressionClassifier)"
    add("--method", choices=["knn", "class-conditional"], default="knn", help=text)
    text = (
        "class-conditional: dictionaries per class, or auto (cross-validated in fit) (default: 1)"
    )
    add("--n-dictionaries", type=_dictionary_count, metavar="N|auto", help=text)
    text = (
        "class-conditional: score each class against the other classes' most recent texts, "
        "up to R times its own length (default: its own text alone)"
    )
    add("--complement", type=_complement_ratio, metavar="R|all", help=text)
    text = (
        "class-conditional: subtract from each class's bits an offset fitted on held-out "
        'training texts, cross-validated in fit (class_offsets="auto") (default: no offsets)'
    )
    add("--class-offsets", action="store_const", const="auto", help=text)
    if probabilities:
        text = (
            "class-conditional: softness of predict --proba in bits, or auto (the least "
            "log loss on held-out training texts, cross-validated in fit) (default: 1)"
        )
        add("--temperature", type=_temperature, metavar="T|auto", help=text)


def _add_compressor_arguments(group: Any) -> None:
    add = group.add_argument
    add("--compressor", choices=available_compressors(), default="gzip", help="the compressor")
    text = "a setting of the compressor, repeatable: level=19... (default: none)"
    add("--param", dest="params", action="append", default=[], metavar="NAME=VALUE", help=text)
    add("--model", help="lm: a train-lm file; hf: a Hugging Face LM (default: none)")


def _add_model_arguments(parser: argparse.ArgumentParser, *, scoring: bool) -> None:
    """The classifier's options; ``scoring`` commands take several k and the paper's rule."""
    model = parser.add_argument_group("model")
    _add_compressor_arguments(model)
    add = model.add_argument
    text = "neighbours that vote" + ("; several, scored from one search" if scoring else "")
    add("--k", type=_positive_int, nargs="+" if scoring else 1, help=f"{text} (default: 5)")
    rules = [*TIE_BREAKS, PAPER_TOP_K] if scoring else TIE_BREAKS
    paper = "; paper-top-k adds the paper's bound, k >= 2" if scoring else ""
    add("--tie", choices=rules, help=f"how a tie is settled{paper} (default: nearest)")
    text = "compare with the M texts a 4-gram estimate ranks nearest (default: all, exact)"
    add("--candidates", type=_positive_int, metavar="M", help=text)
    add("--weights", choices=WEIGHTS, help="votes per neighbour (default: uniform)")
    text = "which text of a pair comes first (default: query-first)"
    add("--order", choices=ORDERS, help=text)
    if scoring:
        _add_workers_argument(model)
        add("--scheduler", metavar="ADDRESS", help="a Dask cluster (default: this machine)")


def _add_workers_argument(group: Any) -> None:
    text = (
        f"parallel workers (default: 1 below {SERIAL_PAIRS:,} NCD pairs, else all cores; "
        "class-conditional: 1)"
    )
    group.add_argument("--n-jobs", type=int, metavar="N", help=text)


def _add_progress_argument(group: Any) -> None:
    text = "show progress bars (default: when standard error is a terminal)"
    group.add_argument("--progress", action=argparse.BooleanOptionalAction, help=text)


def _add_output_arguments(parser: argparse.ArgumentParser, *, progress: bool) -> Any:
    output = parser.add_argument_group("output")
    text = f"write the results as JSON; {STDOUT}: to standard output (default: none)"
    output.add_argument("--output", type=_destination, metavar="FILE", help=text)
    if progress:
        _add_progress_argument(output)
    return output


def _progress(args: argparse.Namespace) -> bool:
    """``--progress`` or ``--no-progress``; without either, whether stderr is a terminal."""
    return bool(sys.stderr.isatty() if args.progress is None else args.progress)


def _report_stream(args: argparse.Namespace) -> TextIO:
    """Where the printed report goes: standard error when the JSON goes to standard output."""
    return sys.stderr if str(args.output) == STDOUT else sys.stdout


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
    if args.n_test is not None:
        test = test.sample(args.n_test, np.random.RandomState(args.seed))
    return train, test


def _per_class(args: argparse.Namespace, train: LabeledTexts) -> LabeledTexts:
    """``train``, or ``--n-train-per-class`` texts of each of its classes if asked."""
    if args.n_train_per_class is None:
        return train
    rng = np.random.RandomState(args.seed)
    return train.subset(datasets.sample_per_class(train.labels, args.n_train_per_class, rng))


def _compressor(args: argparse.Namespace) -> Compressor:
    """``--compressor`` with its ``--param`` settings and ``--model``, validated."""
    return compressor_from_settings(args.compressor, args.params, model=args.model)


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
    config = {key: value for key, value in vars(args).items() if key != "handler"}
    config = {key: str(v) if isinstance(v, Path) else v for key, v in config.items()}
    return {**config, "compressor": repr(clf.compressor)}


def _evaluate(args: argparse.Namespace) -> int:
    report, clf = _report_stream(args), _model(args)
    train, test = _load(args)
    train = _per_class(args, train)
    outcome: dict[str, Any] = {"command": "evaluate"}
    checkpoint = args.checkpoint or default_checkpoint(args.output)
    if isinstance(clf, CompressionClassifier):
        _announce(checkpoint)
        outcome |= {"method": "class-conditional", "config": _config(args, clf)}
        outcome |= evaluation.evaluate_class_conditional(clf, train, test, checkpoint=checkpoint)
        if outcome["resumed_class_texts"]:
            n_texts = len(clf.classes_) * (1 if clf.complement is None else 2)
            resumed = outcome["resumed_class_texts"]
            print(f"resumed {resumed} of {n_texts} class texts", file=sys.stderr)
        description = f"{clf.compressor_!r}, {len(clf.classes_)} classes"
        print(reports.format_class_conditional(outcome, description), file=report)
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
        print(reports.format_neighbor_evaluation(outcome, clf.tie_break), file=report)
    _write(outcome, args.output, report)
    if args.checkpoint is None and checkpoint is not None:
        checkpoint.unlink()
    return 0


def _announce(checkpoint: Path | None) -> None:
    if checkpoint is not None:
        print(f"checkpoint: {checkpoint} (rerun the same command to resume)", file=sys.stderr)


def _few_shot(args: argparse.Namespace) -> int:
    report, clf = _report_stream(args), _model(args)
    pool, test = _load(args)
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
    print(f"few-shot on {len(test)} test texts, {described}", file=report)
    print(reports.format_few_shot(rows, rules), file=report)
    outcome = {"command": "few-shot", "config": _config(args, clf), "n_test": len(test)}
    return _write({**outcome, "rows": rows}, args.output, report)


def _fit(args: argparse.Namespace) -> int:
    model = _model(args)
    files = {"path": args.train, **_file_options(args)}
    train = _per_class(
        args, datasets.load_split(args.dataset, "train", data_dir=args.data_dir, **files)
    )
    model.fit(train.texts, train.labels)
    save_model(model, args.out)
    print(f"{model!r} fitted on {len(train)} texts of {len(model.classes_)} classes")
    if getattr(model, "temperature", None) == "auto":
        print(f"temperature: {model.temperature_:.4g} bits (least held-out log loss)")
    if getattr(model, "class_offsets", None) == "auto":
        names = datasets.label_names(model.classes_, train.class_names)
        shown = ", ".join(
            f"{n} {b:+.2f}" for n, b in zip(names, model.class_offsets_, strict=True)
        )
        print(f"class offsets, bits (fitted on held-out training texts): {shown}")
    print(f"model written to {args.out}")
    return 0


def _predict(args: argparse.Namespace) -> int:
    model = load_model(args.model_file)
    source = sys.stdin.buffer if args.input == _STDIN else Path(args.input)
    texts = datasets.read_texts(source, format=args.input_format, **_file_options(args))
    params = model.get_params()
    if "n_jobs" in params and hasattr(model, "n_candidates_"):  # an NCD neighbour search
        _choose_workers(args, model, len(texts) * model.n_candidates_, sys.stderr)
    elif "n_jobs" in params and args.n_jobs is not None:
        model.set_params(n_jobs=args.n_jobs)
    if "progress" in params:
        model.set_params(progress=_progress(args))
    style = "jsonl" if args.format == "jsonl" else "proba" if args.proba else "labels"
    labels, proba = evaluation.predictions(
        model, texts, labels=style != "proba", proba=style != "labels"
    )
    for line in reports.prediction_lines(getattr(model, "classes_", []), labels, proba, style):
        print(line)
    return 0


def _explain(args: argparse.Namespace) -> int:
    model = load_model(args.model_file)
    if not hasattr(model, "explain"):
        kind = type(model).__name__
        raise ValueError(f"{args.model_file} holds a {kind}, which cannot explain a prediction.")
    explanation = model.explain(args.text, n_spans=args.spans)
    print(reports.format_explanation(explanation))
    if args.html is not None:
        check_destination(args.html)
        write_text(args.html, explanation.to_html())
        print(f"HTML written to {args.html}")
    return 0


def _train_lm(args: argparse.Namespace) -> int:
    from .coding.training import train_byte_lm

    if args.corpus == "ag_news":
        corpus = "\n".join(datasets.load_ag_news("train", args.data_dir).texts).encode()
    else:
        corpus = Path(args.corpus).read_bytes()
    options = {name: getattr(args, name) for name, _, _, _ in _TRAIN_LM_OPTIONS}
    _, resumed_from = train_byte_lm(corpus, args.out, progress=_progress(args), **options)
    if resumed_from:
        print(f"resumed from step {resumed_from}")
    print(f"model written to {args.out}")
    return 0


def _code(args: argparse.Namespace) -> int:
    """``compress`` or ``decompress``, as ``args.direction`` says, a file into a file.

    Decompressed output is written as it is inflated (one piece held at a
    time) and replaces the output file only once it is whole.
    """
    compressor, data = _compressor(args), args.input.read_bytes()
    if args.direction == "compress":
        write_chunks(args.output, [compressor.compress(data)])
    else:
        write_chunks(args.output, compressor.decompress_chunks(data, max_size=args.max_size))
    return 0


def _bpb(args: argparse.Namespace) -> int:
    report = _report_stream(args)
    _, test = _load(args)
    documents = encode_texts(test.texts[: args.n_docs])
    compressors = {name: get_compressor(name) for name in MODEL_FREE_COMPRESSORS}
    if args.model is not None:
        compressors["lm"] = get_compressor("lm", model_path=str(args.model))
    if args.hf_model is not None:
        compressors["hf"] = get_compressor("hf", model=args.hf_model)
    rows = {name: evaluation.bits_per_byte(c, documents) for name, c in compressors.items()}
    print(f"{len(documents)} texts, {sum(map(len, documents)):,} bytes", file=report)
    print(reports.format_bits_per_byte(rows), file=report)
    table = {
        name: {"per_document": per_document, "whole_file": whole_file}
        for name, (per_document, whole_file) in rows.items()
    }
    outcome = {"command": "bpb", "n_documents": len(documents), "bits_per_byte": table}
    return _write(outcome, args.output, report)


def _write(outcome: dict[str, Any], path: Path | None, report: TextIO) -> int:
    """The JSON of ``outcome`` to ``path`` (standard output for ``-``), if given; returns 0."""
    text = json.dumps(outcome, indent=2) + "\n"
    if path is not None and str(path) == STDOUT:
        sys.stdout.write(text)
    elif path is not None:
        write_text(path, text)
        print(f"\nresults written to {path}", file=report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
