"""The docs tell the truth about the code: the CLI reference is current, and what the pages name exists."""

import ast
import importlib
import importlib.util
import re
import shlex
import unicodedata
from pathlib import Path

import click
import pytest
from helpers import ROOT

from versioner.cli import cli

DOCS = ROOT / "docs"
CLI_REFERENCE = DOCS / "cli.md"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
QUOTED_PATH = re.compile(r"((?:versioner|tests|benchmarks|docs|snapshots)/[\w./-]*)(?:::(\w*))?")
# versioner.db is the database file's default name, not a module.
QUOTED_NAME = re.compile(r"versioner(?!\.db$)(?:\.\w+)+(?::\w+)?(?:\(\))?")
SHELL_OPERATORS = {"&&", "||", "|", ";", "&", ">", ">>", "2>&1", "<"}


def generator():
    """docs/generate_cli_reference.py, which lives beside the docs, not in the package."""
    spec = importlib.util.spec_from_file_location(
        "generate_cli_reference", DOCS / "generate_cli_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prose(text: str) -> str:
    """A page without its fenced code blocks, where a `#` line is a comment, not a heading."""
    return FENCE.sub("", text)


def code_blocks(text: str) -> list[str]:
    return FENCE.findall(text)


def code_spans(text: str) -> list[str]:
    """Inline code of the prose, with a table cell's escaped `\\|` read as the `|` it shows."""
    return [span.replace("\\|", "|") for span in CODE_SPAN.findall(prose(text))]


def anchors(path: Path) -> set[str]:
    """The fragments GitHub makes of a page's headings (a repeated one gets -1, -2, ...)."""
    slugs, counts = set(), {}
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", prose(path.read_text(encoding="utf-8")), re.M):
        text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
        slug = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN").replace(" ", "-")
        count = counts.get(slug, 0)
        counts[slug] = count + 1
        slugs.add(f"{slug}-{count}" if count else slug)
    return slugs


def page_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- The CLI reference -----------------------------------------------------------------------------------


def test_the_cli_reference_is_what_the_generator_writes_now():
    assert CLI_REFERENCE.read_text(encoding="utf-8") == generator().render(), (
        "docs/cli.md is stale: the click commands changed since it was generated; run `make docs` and commit it"
    )


def commands(command: click.Command, path: str = "versioner"):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            if not sub.hidden:
                yield from commands(sub, f"{path} {name}")


def reference_sections() -> dict[str, str]:
    """docs/cli.md split at its `## versioner ...` headings."""
    parts = re.split(r"^## (versioner[\w -]*)$", CLI_REFERENCE.read_text(encoding="utf-8"), flags=re.M)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def test_every_command_and_option_is_in_the_cli_reference():
    sections = reference_sections()
    missing = []
    for path, command in commands(cli):
        if path not in sections:
            missing.append(f"the command `{path}`")
            continue
        for param in command.params:
            if getattr(param, "hidden", False):  # kept for old scripts only, so not in the reference
                continue
            if isinstance(param, click.Option):
                for name in [*param.opts, *param.secondary_opts]:
                    if not re.search(rf"`{re.escape(name)}[ `]", sections[path]):
                        missing.append(f"`{path} {name}`")
            elif param.human_readable_name not in sections[path]:
                missing.append(f"the argument {param.human_readable_name} of `{path}`")
    assert not missing, "missing from docs/cli.md (run `make docs`): " + ", ".join(missing)


# --- Links, paths and names the pages mention --------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_relative_link_points_at_a_file_that_exists(page):
    broken = []
    for target in LINK.findall(prose(page.read_text(encoding="utf-8"))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        file_part, _, fragment = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if not linked.exists():
            broken.append(
                f"{target} (no file {linked.relative_to(ROOT) if linked.is_relative_to(ROOT) else linked})"
            )
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(f"{target} (no heading #{fragment} in {linked.name})")
    assert not broken, f"{page_id(page)} links to nothing at: " + "; ".join(broken)


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_path_and_test_the_page_quotes_exists(page):
    text = page.read_text(encoding="utf-8")
    missing = []
    for span in code_spans(text):
        quoted = QUOTED_PATH.fullmatch(span)
        if quoted:
            path, name = quoted.groups()
            if not (ROOT / path).exists():
                missing.append(path)
            elif name and not defines(ROOT / path, name):
                missing.append(f"{path}::{name}")
        elif re.fullmatch(r"test_\w+", span) and not any(defines(f, span) for f in _test_modules()):
            missing.append(f"the test {span}")
    assert not missing, f"{page_id(page)} names what does not exist: " + ", ".join(missing)


def _test_modules() -> list[Path]:
    return sorted((ROOT / "tests").rglob("test_*.py"))


def defines(path: Path, name: str) -> bool:
    """Whether a Python file defines this function, class or top-level name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name == name:
            return True
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return True
    return False


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_python_name_the_page_quotes_can_be_imported(page):
    missing = [
        span
        for span in code_spans(page.read_text(encoding="utf-8"))
        if QUOTED_NAME.fullmatch(span) and not resolves(span.removesuffix("()"))
    ]
    assert not missing, f"{page_id(page)} names what versioner does not have: " + ", ".join(missing)


def resolves(dotted: str) -> bool:
    """`versioner.a.b` or `versioner.a:b`: the longest importable module, then attributes."""
    module_name, _, attribute = dotted.partition(":")
    parts = module_name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in [*parts[cut:], *filter(None, [attribute])]:
            if not hasattr(value, name):
                return False
            value = getattr(value, name)
        return True
    return False


# --- Command lines in the pages ----------------------------------------------------------------------------


def command_lines(text: str) -> list[list[str]]:
    """Each `versioner ...` invocation in a page's code, as its words up to the next shell operator."""
    lines = [line for block in code_blocks(text) for line in block.splitlines()]
    found = []
    for line in [*lines, *code_spans(text)]:
        try:
            words = shlex.split(line, comments=True)
        except ValueError:  # not shell (a JSON or an ini line with a stray quote)
            continue
        segment_start = True
        for index, word in enumerate(words):
            if word.endswith("/bin/versioner") or (word == "versioner" and segment_start):
                rest = words[index + 1 :]
                end = next((i for i, w in enumerate(rest) if w in SHELL_OPERATORS), len(rest))
                found.append(rest[:end])
            segment_start = word in SHELL_OPERATORS or (segment_start and re.fullmatch(r"\w+=\S*", word))
    return found


def unknown_words(words: list[str]) -> list[str]:
    """The options and subcommands of one command line that the click group does not have."""
    command, path, unknown = cli, "versioner", []
    words = list(words)
    while words:
        word = words.pop(0)
        if word.startswith("-") and word != "-":
            name = word.split("=", 1)[0]
            option = next((p for p in command.params if name in [*p.opts, *p.secondary_opts]), None)
            if (option is None or option.hidden) and name not in ("-h", "--help"):
                unknown.append(f"{path} {name}")  # a hidden option is kept for old scripts, not taught
            elif option is not None and not (option.is_flag or option.count) and "=" not in word and words:
                words.pop(0)
        elif isinstance(command, click.Group):
            if re.fullmatch(r"\[.*\]|[A-Z][A-Z_.]*", word):  # a usage line's placeholder: COMMAND, [ARGS]
                break
            if word not in command.commands:
                unknown.append(f"{path} {word}")
                break
            command, path = command.commands[word], f"{path} {word}"
    return unknown


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_command_line_in_the_page_uses_commands_and_options_that_exist(page):
    unknown = [u for words in command_lines(page.read_text(encoding="utf-8")) for u in unknown_words(words)]
    assert not unknown, f"{page_id(page)} shows options or commands the CLI does not have: " + ", ".join(
        unknown
    )


def test_the_command_line_reader_finds_invocations_and_unknown_options():
    text = (
        "```sh\ncd /srv/x && .venv/bin/versioner --db a.db diff 3 --nope | jq .\nsudo -u versioner ls\n```\n"
    )
    assert command_lines(text) == [["--db", "a.db", "diff", "3", "--nope"]]
    assert unknown_words(["--db", "a.db", "diff", "3", "--nope"]) == ["versioner diff --nope"]
    assert unknown_words(["feeds", "add", "--allow-private", "https://a.example/rss"]) == []


# --- The layout on the design page -------------------------------------------------------------------------


def layout_modules() -> set[str]:
    """The modules the layout block of docs/design.md names, as paths under versioner/."""
    text = (DOCS / "design.md").read_text(encoding="utf-8")
    block = next(b for b in code_blocks(text) if b.startswith("versioner/\n"))
    named, folder = set(), ""
    for line in block.splitlines()[1:]:
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            break  # docs/, tests/: past the package
        first = line.split()[0]
        if indent == 2:
            folder = first if first.endswith("/") else ""
        if indent == 2 and not folder:  # a module of the package root: its name column only
            named.update(re.findall(r"\b\w+\.py\b", line.strip().split("  ", 1)[0]))
        else:
            named.update(f"{folder}{name}" for name in re.findall(r"\b\w+\.py\b", line))
    return named


def test_the_design_page_names_every_module_and_only_modules_that_exist():
    package = ROOT / "versioner"
    modules = {
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if p.name not in ("__init__.py", "__main__.py") or p.parent == package
    }
    # A subpackage's __init__.py is its docstring, or the names it gathers: the folder stands for it.
    named = {name for name in layout_modules() if "/" not in name or not name.endswith("/__init__.py")}
    assert not named - modules, f"docs/design.md lists modules that do not exist: {sorted(named - modules)}"
    assert not modules - named, f"docs/design.md's layout leaves out: {sorted(modules - named)}"
