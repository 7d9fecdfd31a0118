"""How the ``stakemap`` command shows things: Rich tables and progress bars on the two
consoles, and failures as one line on standard error.

Results go to standard output (:data:`out`); progress, notes and errors to standard error
(:data:`err`), so a command's output can be piped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console, JustifyMethod
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from app.cli.importing import Tally, rows_with_errors
from app.crm import RowError
from schemas.analytics import EntryPath, EntryPaths, NextContacts
from schemas.interactions import InteractionLogged

__all__ = [
    "RateColumn",
    "err",
    "fail",
    "have",
    "out",
    "path_text",
    "percent",
    "print_errors",
    "progress",
    "rows",
    "show_entry_paths",
    "show_logged",
    "show_next_contacts",
    "summary",
    "task",
]

out = Console()
err = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print ``message`` as the command's one error line; the exit (code 1) to raise."""
    err.print(Text("error: ", style="red").append(message), soft_wrap=True)
    return typer.Exit(1)


# --- progress -------------------------------------------------------------------------------


class RateColumn(ProgressColumn):
    """Rows per second, from Rich's own speed estimate."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} rows/s", style="progress.data.speed")


def progress() -> Progress:
    """A progress display on standard error: bar, done of total, rows/s, time."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        console=err,
    )


@contextmanager
def task(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress display of one task; yields the function that advances it by n rows."""
    with progress() as display:
        task_id = display.add_task(description, total=total)
        yield lambda n: display.advance(task_id, n)


# --- imports --------------------------------------------------------------------------------


def print_errors(errors: list[RowError], limit: int | None = None) -> None:
    """One line per error (file, row, column: reason)."""
    shown = errors if limit is None else errors[:limit]
    for error in shown:
        err.print(Text(str(error)), soft_wrap=True)


def rows(errors: list[RowError]) -> str:
    """ "3 rows": how many input rows ``errors`` are about.

    >>> rows([RowError("a.csv", 2, None, "x"), RowError("a.csv", 2, "email", "y")])
    '1 row'
    """
    count = rows_with_errors(errors)
    return f"{count} row{'s' if count != 1 else ''}"


def have(errors: list[RowError]) -> str:
    """The verb after :func:`rows`: "has" for one row, "have" for several."""
    return "has" if rows_with_errors(errors) == 1 else "have"


def summary(tally: Tally, *, dry_run: bool) -> Table:
    """What an import did (or would do), as a table of created/updated/unchanged/removed."""
    table = Table(
        title="Dry run: what the import would do (nothing was stored)" if dry_run else None,
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("")
    for column in ("created", "updated", "unchanged", "removed"):
        table.add_column(column, justify="right")
    orgs = tally.organisations
    table.add_row("organisations", str(orgs.created), str(orgs.updated), str(orgs.unchanged), "")
    for label, name in (
        ("people", "people"),
        ("team members", "team"),
        ("ties", "relationships"),
        ("deals", "opportunities"),
        ("committee seats", "committee"),
    ):
        table.add_row(
            label,
            str(getattr(tally.created, name)),
            str(getattr(tally.updated, name)) if name != "team" else "",
            str(getattr(tally.unchanged, name)),
            str(getattr(tally.removed, name)) if name == "relationships" else "",
        )
    return table


# --- next, paths ----------------------------------------------------------------------------


def percent(p: float) -> str:
    """A probability for people: whole percent, one decimal below 10%.

    >>> percent(0.84), percent(0.053)
    ('84%', '5.3%')
    """
    return f"{p:.0%}" if p >= 0.1 else f"{p:.1%}"


def path_text(path: EntryPath) -> str:
    """``Anna → Marco (70%) → …``: a path's hops with each introduction's chance."""
    hops = [path.member_name] + [
        f"{step.to_name} ({percent(step.probability)})" for step in path.steps
    ]
    return " → ".join(hops)


def show_next_contacts(result: NextContacts) -> None:
    """Who to reach next, as a table, then each one's reasons."""
    if not result.items:
        out.print(result.reason or "Nobody left to reach: we are engaged with everyone.")
        return
    chosen = "top decision-maker" if result.target_source == "top_decision_maker" else "target"
    target = f" ({chosen}: {result.target_name})" if result.target_name else ""
    table = Table(
        title=f"Who to reach next{target}, as of {result.as_of.isoformat()}",
        title_justify="left",
        show_lines=True,
    )
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"),
        ("who", "left"),
        ("score", "right"),
        ("power", "right"),
        ("reach", "right"),
        ("path in (chance of each introduction)", "left"),
    )
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for number, item in enumerate(result.items, start=1):
        who = Text(item.name, style="bold")
        details = ", ".join(filter(None, [item.title, item.stance.value, *item.roles]))
        if details:
            who.append(f"\n{details}", style="dim")
        table.add_row(
            str(number),
            who,
            f"{item.score:.2f}",
            f"{item.power:.2f}\n#{item.rank}",
            percent(item.reachability),
            path_text(item.path) if item.path else "-",
        )
    out.print(table)
    for number, item in enumerate(result.items, start=1):
        out.print(Text(f"{number}. {item.name}: ", style="bold").append("; ".join(item.reasons)))


def show_entry_paths(result: EntryPaths) -> None:
    """The ways in, as a table with each path's chance, hops, explanation and risks."""
    if not result.paths:
        out.print(result.reason or "No path found.")
        return
    table = Table(
        title=f"Ways in to {result.target_name}, as of {result.as_of.isoformat()}",
        show_lines=True,
    )
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"),
        ("chance", "right"),
        ("hops", "right"),
        ("path", "left"),
        ("risks", "left"),
    )
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for number, path in enumerate(result.paths, start=1):
        steps = Text(path_text(path), style="bold")
        steps.append(f"\n{path.explanation}", style="dim")
        table.add_row(
            str(number),
            percent(path.probability),
            str(path.hops),
            steps,
            ", ".join(flag.value.replace("_", " ") for flag in path.flags) or "-",
        )
    out.print(table)
    if not result.exact:
        out.print("[dim]Some longer paths were not examined; the list may miss one.[/]")


def show_logged(logged: InteractionLogged, names: dict[str, str]) -> None:
    """The logged interaction and every tie it created or brought up to date."""
    who = ", ".join(names.get(p, p) for p in logged.person_ids)
    out.print(
        f"Logged {logged.kind.value} on {logged.occurred_on.isoformat()} with {who} ({logged.id})."
    )
    if not logged.ties:
        out.print("No tie was created: a large event introduces nobody.")
        return
    table = Table(show_lines=False)
    for column in ("member", "person", "tie", "last contact", "strength", "history says"):
        table.add_column(column)
    for tie in logged.ties:
        strength = "-" if tie.strength is None else f"{tie.strength:.2f}"
        if tie.strength_source is not None:
            strength += f" ({tie.strength_source.value})"
        table.add_row(
            names.get(tie.member_id, tie.member_id),
            names.get(tie.person_id, tie.person_id),
            "new" if tie.created else "updated",
            tie.last_contact.isoformat(),
            strength,
            f"{tie.derived_strength:.2f}",
        )
    out.print(table)
