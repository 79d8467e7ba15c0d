"""The package layout's rules (issue 8), read off the source with ``ast``: imports flow one way through the
pipeline's stages, no module imports itself round a cycle, modules stay small, the pure stages do no I/O,
and the tests mirror the stage folders."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BATCH = ROOT / "batch"
MAX_LINES = 400
#: Lines of its own modules (subfolders not counted) a folder may hold before it is split (issue 16).
MAX_FOLDER_LINES = 2000

STAGES = (
    *("load", "validate", "plan", "provision", "export", "change", "run"),
    *("undo", "api", "report", "emulator", "history", "notify"),
)
SHARED = {"batch", "batch.errors", "batch.problems", "batch.jobs", "batch.keys", "batch.reasons"}
PIPELINE = {"batch.pipeline"}
#: What each part may import (besides itself, ``schemas`` and third-party code). ``entry`` is the CLI and
#: what it calls directly (demo, template, docs, console): it may import anything.
ALLOWED = {
    "shared": {"shared"},
    "load": {"shared"},
    "validate": {"load", "shared"},
    "plan": {"validate", "shared"},
    "report": {"plan", "validate", "load", "history", "shared"},
    "pipeline": {"report", "validate", "load", "shared"},
    "api": {"shared"},
    "provision": {"pipeline", "plan", "report", "validate", "load", "api", "shared"},
    "export": {"provision", "report", "load", "api", "shared"},  # what is on the server, in the input form
    #: issue 20: change control shapes the run's plan and actions; the engine (run) calls it, never the reverse.
    "change": {"provision", "plan", "api", "shared"},
    "run": {
        "change", "export", "provision", "pipeline", "plan", "report", "validate", "load", "api", "history", "shared",
    },
    #: issue 20: undo reads the run's journal and reverses through the provisioning vocabulary; nothing imports it.
    "undo": {"run", "provision", "report", "api", "shared"},
    "emulator": set(),
    #: The record of past runs: a leaf, handed summaries and plain values.
    "history": {"shared"},
    #: Telling the world (notifications, heartbeat, metrics): reads the reports and the history, posts with
    #: httpx; the runner reaches it only through ``batch.run.hooks.RunWatcher``, wired by the CLI.
    "notify": {"report", "history", "api", "shared"},
}
#: Stages split into subfolders that tests/ mirrors folder by folder (issue 16: the emulator by API family).
MIRRORED = ("emulator",)
#: Modules that read or write files, sockets or processes: none may appear in a pure stage.
IO_MODULES = {
    "anyio",
    "asyncio",
    "fastexcel",
    "ftplib",
    "glob",
    "http",
    "httpx",
    "io",
    "openpyxl",
    "os",
    "pathlib",
    "shutil",
    "socket",
    "sqlite3",
    "subprocess",
    "tempfile",
    "urllib",
    "uvicorn",
    "xlsxwriter",
    "zipfile",
}
IO_CALLS = {
    "open",
    "read_text",
    "write_text",
    "read_bytes",
    "write_bytes",
    "read_csv",
    "write_csv",
    "read_excel",
    "write_excel",
    "scan_csv",
    "read_parquet",
    "write_parquet",
    "read_json",
    "write_json",
    "sink_csv",
}
#: The flat modules issue 8 moved into stage folders: nothing may be left at these paths.
OLD_PATHS = (
    "actions",
    "cells.py",
    "client.py",
    "client_errors.py",
    "client_http.py",
    "client_net.py",
    "emails.py",
    "executor.py",
    "journal.py",
    "load.py",
    "load_csv.py",
    "load_xlsx.py",
    "phone_fastpath.py",
    "phones.py",
    "plan.py",
    "preview.py",
    "progress.py",
    "ratelimit.py",
    "report.py",
    "report_retry.py",
    "report_xlsx.py",
    "results.py",
    "rules",
    "run.py",
    "validate.py",
    "validation_report.py",
    "run/actions",
    "run/preview.py",
    "run/plan_checks.py",
    "run/journal.py",
    "run/sync.py",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(BATCH.rglob("*.py"))}


def part_of(module: str) -> str:
    if module in SHARED:
        return "shared"
    if module in PIPELINE:
        return "pipeline"
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (BATCH / parts[1]).is_dir()):
        return parts[1]
    return "entry"


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """Every module an import statement names (anywhere in the file, ``TYPE_CHECKING`` blocks too)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield node.lineno, full if full in MODULES else node.module


def batch_edges(module: str) -> set[str]:
    return {name for _, name in imported(MODULES[module]) if name in MODULES and name != module}


def test_imports_flow_one_way_through_the_stages() -> None:
    wrong = []
    for module, path in MODULES.items():
        part = part_of(module)
        if part == "entry":
            continue
        for line, name in imported(path):
            if name not in MODULES or part_of(name) == part:
                continue
            if part_of(name) not in ALLOWED[part]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} ({part}) imports {name} ({part_of(name)})")
    assert not wrong, "\n".join(wrong)


def test_the_api_client_and_the_emulator_know_no_stage() -> None:
    """Restated from ALLOWED because it is the rule that keeps the emulator honest: it shares nothing with
    the client it is there to test."""
    for module in MODULES:
        if part_of(module) in ("api", "emulator"):
            others = {part_of(name) for name in batch_edges(module)} - {part_of(module), "shared"}
            assert not others, f"{module} imports {others}"
            if part_of(module) == "emulator":
                assert not {part_of(name) for name in batch_edges(module)} - {"emulator"}


def test_no_import_cycle() -> None:
    graph = {module: batch_edges(module) for module in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    assert not cycles, f"import cycles: {cycles}"


def test_no_module_over_400_lines() -> None:
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these along their ideas: {long}"


@pytest.mark.parametrize("stage", ["plan", "validate"])
def test_pure_stages_do_no_io(stage: str) -> None:
    found = []
    for module, path in MODULES.items():
        if part_of(module) != stage:
            continue
        for line, name in imported(path):
            if name.split(".")[0] in IO_MODULES:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name in IO_CALLS:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {name}()")
    assert not found, "\n".join(found)


def test_stage_folders_and_no_modules_left_at_old_paths() -> None:
    for stage in STAGES:
        assert (BATCH / stage / "__init__.py").is_file(), f"batch/{stage}/ is missing"
    left = [name for name in OLD_PATHS if (BATCH / name).exists()]
    assert not left, f"moved modules are back at their old paths: {left}"


def test_no_folder_over_2000_lines() -> None:
    def own_lines(folder: Path) -> int:
        return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.py"))

    sizes = {str(folder.relative_to(ROOT)): own_lines(folder) for folder in {p.parent for p in BATCH.rglob("*.py")}}
    big = {folder: lines for folder, lines in sizes.items() if lines > MAX_FOLDER_LINES}
    assert not big, f"split these folders along their ideas: {big}"


def test_tests_mirror_the_subfolders() -> None:
    """A stage split into subfolders (the emulator by API family) has its tests in the same subfolders."""
    for stage in MIRRORED:
        subfolders = sorted(p.parent for p in (BATCH / stage).rglob("__init__.py") if p.parent != BATCH / stage)
        assert subfolders, f"batch/{stage}/ has no subfolders to mirror"
        for folder in subfolders:
            mirror = ROOT / "tests" / folder.relative_to(BATCH)
            assert list(mirror.glob("test_*.py")), f"tests/{folder.relative_to(BATCH)}/ holds no tests"


def test_tests_mirror_the_layout() -> None:
    for stage in STAGES:
        assert list((ROOT / "tests" / stage).glob("test_*.py")), f"tests/{stage}/ holds no tests"
    root_modules = {p.stem for p in BATCH.glob("*.py")}
    about_the_project = {"samples", "packaging", "openapi_check", "layout"}
    for test in (ROOT / "tests").glob("test_*.py"):
        subject = test.stem.removeprefix("test_")
        assert subject in about_the_project or subject.split("_")[0] in root_modules, (
            f"{test.name} tests no root module: move it into its stage's folder"
        )


def test_the_rules_see_a_violation() -> None:
    """The checks above must be able to fail: the graph really holds the edges it is meant to judge."""
    assert "batch.validate.validator" in batch_edges("batch.pipeline")
    assert part_of("batch.run.executor") == "run"
    assert part_of("batch.emulator.wholesale.customers") == "emulator"
    assert "batch.emulator.wholesale.customers" in MODULES and "batch.emulator.org.scope" in MODULES
    assert part_of("batch.cli") == "entry" and part_of("batch.jobs") == "shared"
    assert "api" not in ALLOWED["plan"] and "run" not in ALLOWED["report"] and "run" not in ALLOWED["provision"]
    assert "notify" not in ALLOWED["run"] and part_of("batch.notify.watch") == "notify"
    assert import_depth("batch.provision.actions") >= 2


#: The longest chain of imports (hops from module to module) inside ``batch.provision`` from the action map
#: down (issue 16: it was a tower nine imports deep).
MAX_ACTION_DEPTH = 5


def import_depth(module: str, seen: frozenset[str] = frozenset()) -> int:
    """Imports on the longest chain from ``module`` down inside its own package (0: it imports none of it)."""
    package = module.rsplit(".", 1)[0]
    inside = [m for m in batch_edges(module) if m.startswith(package + ".") and m not in seen]
    return max((1 + import_depth(m, seen | {module}) for m in inside), default=0)


def test_the_actions_are_at_most_five_imports_deep() -> None:
    assert import_depth("batch.provision.actions") <= MAX_ACTION_DEPTH
