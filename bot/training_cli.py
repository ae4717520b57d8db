"""``teamweather train`` and ``teamweather eval``: fine-tuning, and val metrics with the quality
gates beside the lexicon baseline."""

from __future__ import annotations

from pathlib import Path

import click

from analyzers.analyzer import Analyzer
from analyzers.lexicon import LexiconAnalyzer
from domain.errors import TeamweatherError

DEFAULT_DATA = Path("../shared/data")


@click.command("eval")
@click.option(
    "--model", "model_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A model directory to measure  [default: the bundled model].",
)
@click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DATA,
    show_default=True, help="Folder holding sentiment/, stress/ and workplace/ with their val splits.",
)
def evaluate_command(model_dir: Path | None, data_dir: Path) -> None:
    """Print a model's val metrics and the quality gates (the bundled model unless --model is
    given), with the lexicon baseline measured in the same run."""
    from training.data import DataError
    from training.evaluate import GATES, evaluate

    from analyzers.bundled import BUNDLED_DIR
    from analyzers.classifier import Classifier

    analyzers: dict[str, Analyzer] = {"lexicon": LexiconAnalyzer()}
    model = Classifier.load(model_dir or BUNDLED_DIR)
    analyzers[model.version] = model
    results: dict[str, dict[str, float]] = {}
    for name, analyzer in analyzers.items():
        click.echo(f"measuring {name} on {data_dir} (val) ...", err=True)
        try:
            results[name] = evaluate(analyzer, data_dir)
        except DataError as exc:
            raise TeamweatherError(str(exc)) from None
    goals = dict(GATES)
    metrics = [m for m in next(iter(results.values())) if not m.startswith("n_")]
    click.echo("| metric | " + " | ".join(results) + " | gate |")
    click.echo("|---|" + "---:|" * len(results) + "---|")
    for metric in metrics:
        values = " | ".join(f"{r[metric]:.1f}" for r in results.values())
        goal = goals.get(metric)
        if goal is None:
            gate = ""
        else:
            gate = f"≥ {goal:.0f}: " + ("passed" if list(results.values())[-1][metric] >= goal else "NOT passed")
        click.echo(f"| {metric} | {values} | {gate} |")


@click.command(
    "train",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)
@click.pass_context
def train_command(ctx: click.Context) -> None:
    """Fine-tune the Teamweather classifiers (options: teamweather train --help)."""
    from training.data import DataError
    from training.train import main

    try:
        status = main(ctx.args, prog="teamweather train")
    except (DataError, FileExistsError) as exc:  # a data file, or --out already holding files
        raise TeamweatherError(str(exc)) from None
    raise SystemExit(status)
