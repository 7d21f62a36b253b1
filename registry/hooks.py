"""A central registry's git hooks: the door every pushed version goes through.

`install_hooks(git_dir, ...)` writes two small scripts into the repository's `hooks/` folder,
each running this module with the absolute path of the Python that installed them (so a hook
finds the catalogue whatever the pushing user's PATH), and their settings beside them in
`catalogue-hooks.json`:

- `pre-receive` refuses a push that `registry.receive.check_push` finds fault with, printing
  each file and reason in the pusher's `git push` output;
  While it checks, it starts `catalogue.after_push` (what `catalogue registry notify` runs) in
  a process of its own (detached), which loads the catalogue meanwhile (the slow part of its
  start), waits for git to move main, and indexes the push; a refused push ends it;
- `post-receive` does not wait for it (git push never waits for slow work): it prints at once
  a link to the page of each dataset whose data the push changed, where its new version
  appears once indexed (a second or two), and starts the notify process itself only if
  pre-receive's is not there. With a wait (`install-hooks --wait SECONDS`, off by default) it
  starts the notify itself, waits that long at most for the catalogue to index the push and
  prints a link to each new version's own page; if the catalogue takes longer, it says so and
  the detached process finishes the job.

Both start fast: this module imports only the standard library until a hook needs more
(pre-receive: pygit2 and the metadata validators; post-receive: nothing else, `git log` tells it
which datasets a push changed).
"""

from __future__ import annotations

import json
import os
import selectors
import shlex
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from registry.refupdates import ZERO, RefUpdate, parse_updates

if TYPE_CHECKING:
    from registry.history import RegistryHistory

BRANCH = "main"  # registry.history.BRANCH, without importing pygit2 here
CONFIG_FILE = "catalogue-hooks.json"
LOG_FILE = "catalogue-post-receive.log"
READY_PREFIX = "catalogue-ready-"
HOOKS = ("pre-receive", "post-receive")
SCRIPT = """#!/bin/sh
# Installed by `catalogue registry install-hooks`: the data catalogue's {name} hook.
# Its settings are in {config} in this repository's git directory.
exec {python} -P -m registry.hooks {name}
"""


class HooksFailed(Exception):
    """The hooks could not be installed; the message says why."""


@dataclass(frozen=True)
class HookConfig:
    python: str
    remote: str
    catalogue_url: str | None = None
    instance: str | None = None
    database_url: str | None = None
    wait_seconds: float = 0.0
    remote_config: str | None = None
    """A DVC config file outside git (the catalogue instance's `config.local`: an S3
    endpoint, a region) laid over the registry's `.dvc/config` to reach the remote.
    Credentials are never written here: DVC takes them from the environment."""

    @classmethod
    def load(cls, git_dir: Path) -> HookConfig:
        return cls(**json.loads((git_dir / CONFIG_FILE).read_text()))


def install_hooks(git_dir: Path, *, remote: str | None = None, catalogue_url: str | None = None,
                  instance: Path | None = None, database_url: str | None = None,
                  wait_seconds: float = 0.0, remote_config: Path | None = None) -> list[Path]:
    """Install the pre-receive and post-receive hooks into a registry's git directory (a bare
    central repository, usually); returns the scripts written. Installing again replaces them.

    `remote` defaults to the DVC remote that `main`'s `.dvc/config` names. Without `instance`,
    the post-receive hook tells no catalogue (the forge webhook may do it instead). With
    `wait_seconds` (0: the default), post-receive waits that long at most for the new versions'
    numbers before `git push` returns.
    """
    from registry.history import RegistryHistory, RegistryUnreadable
    from registry.mirror import is_local
    from registry.remote_store import RemoteUnreadable, open_store

    try:
        history = RegistryHistory(str(git_dir))
    except RegistryUnreadable as exc:
        raise HooksFailed(str(exc)) from None
    folder = Path(history.repo.path).resolve()
    remote = remote or default_remote(history)
    if not remote:
        raise HooksFailed(f"{git_dir} names no DVC remote on {BRANCH}: give one with --remote")
    if is_local(remote) and not os.path.isabs(remote):
        raise HooksFailed(f"the DVC remote {remote!r} is a relative path: give its absolute "
                          "path with --remote")
    local = str(remote_config.resolve()) if remote_config else None
    try:
        open_store(remote, remote_settings(history, history.head(), remote, local))
    except RemoteUnreadable as exc:
        raise HooksFailed(str(exc)) from None
    config = HookConfig(python=sys.executable, remote=remote,
                        catalogue_url=catalogue_url.rstrip("/") if catalogue_url else None,
                        instance=str(instance.resolve()) if instance else None,
                        database_url=database_url, wait_seconds=wait_seconds,
                        remote_config=local)
    config_path = folder / CONFIG_FILE
    config_path.write_text(json.dumps(asdict(config), indent=2) + "\n")
    config_path.chmod(0o600 if database_url else 0o644)
    hooks = folder / "hooks"
    hooks.mkdir(exist_ok=True)
    written = []
    for name in HOOKS:
        script = hooks / name
        script.write_text(SCRIPT.format(name=name, config=CONFIG_FILE,
                                        python=shlex.quote(sys.executable)))
        script.chmod(0o755)
        written.append(script)
    return written


def default_remote(history: RegistryHistory) -> str | None:
    """The URL of the default DVC remote in `.dvc/config` at the tip of main."""
    from registry.remotes import (
        CONFIG,
        RemoteNotConfigured,
        parse_config,
    )
    from registry.remotes import (
        default_remote as remote_of,
    )

    head = history.head()
    raw = history.read_blob(head, CONFIG) if head else None
    if raw is None:
        return None
    try:
        return remote_of(parse_config(raw.decode("utf-8"))).url
    except UnicodeDecodeError:
        return None
    except RemoteNotConfigured as exc:
        raise HooksFailed(f"{history.repo.path}: {exc}; give the remote with --remote") from None


def remote_settings(history: RegistryHistory, rev: str | None, url: str,
                    local_config: str | None) -> dict[str, str]:
    """The settings DVC needs to reach the remote at `url` besides credentials (an S3
    endpoint, a region…): those of the remote with that URL in `.dvc/config` at `rev`, with
    `local_config`'s laid over them, as DVC lays `.dvc/config.local` over `.dvc/config`."""
    from registry.remotes import CONFIG, merge, parse_config, read_local_config

    raw = history.read_blob(rev, CONFIG) if rev else None
    try:
        committed = parse_config(raw.decode("utf-8")) if raw else {}
    except UnicodeDecodeError:
        committed = {}
    config = merge(committed, read_local_config(Path(local_config) if local_config else None))
    for section, values in config.items():
        if section.startswith("remote ") and values.get("url") == url:
            return {key: value for key, value in values.items() if key != "url"}
    return {}


def pre_receive(git_dir: Path, updates: list[RefUpdate], config: HookConfig,
                out: TextIO) -> int:
    """The pre-receive hook: 0 accepts the push, 1 refuses it.

    While it checks, the catalogue's notify process starts loading (see `_start_ready`), so
    that it indexes the push as soon as git has moved main."""
    ready = _start_ready(git_dir, updates, config)
    accepted = False
    try:
        from registry.receive import check_push, open_pushed, refusal
        from registry.remote_store import RemoteUnreadable, open_store

        history = open_pushed(str(git_dir), os.environ.get("GIT_QUARANTINE_PATH"))
        pushed = [u.new for u in updates if u.ref == f"refs/heads/{BRANCH}" and u.new != ZERO]
        rev = pushed[0] if pushed else history.head()
        try:
            store = open_store(config.remote, remote_settings(history, rev, config.remote,
                                                              config.remote_config))
        except RemoteUnreadable as exc:
            out.write(f"catalogue: push refused: {exc}; tell the registry's administrator\n")
            return 1
        problems = check_push(history, updates, store)
        if problems:
            out.write(refusal(problems))
            return 1
        accepted = True
        return 0
    finally:
        if ready and not accepted:
            child, marker = ready
            child.kill()
            marker.unlink(missing_ok=True)


def _start_ready(git_dir: Path, updates: list[RefUpdate],
                 config: HookConfig) -> tuple[subprocess.Popen, Path] | None:
    """When post-receive will not wait: start the process that indexes the push, to load the
    catalogue while the push is checked and wait for main to move (catalogue.after_push's
    `--ready-marker`). The marker file, holding its process id, tells post-receive so."""
    pushed = [u for u in updates if u.ref == f"refs/heads/{BRANCH}" and not u.deletes]
    if not pushed or not config.instance or config.wait_seconds > 0:
        return None
    update = pushed[0]
    marker = git_dir / f"{READY_PREFIX}{update.new}"
    command = [config.python, "-P", "-m", "catalogue.after_push", str(git_dir), update.old,
               update.new, "--instance", config.instance, "--ready-marker", str(marker)]
    with open(git_dir / LOG_FILE, "ab") as log:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=log, cwd=git_dir, env=_child_environment(config),
                                 start_new_session=True)
    marker.write_text(f"{child.pid}\n")
    return child, marker


def _ready_started(git_dir: Path, new: str) -> bool:
    """Whether pre-receive's process for this push is there (and alive) to index it."""
    try:
        pid = int((git_dir / f"{READY_PREFIX}{new}").read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def post_receive(git_dir: Path, updates: list[RefUpdate], config: HookConfig,
                 out: TextIO) -> None:
    """The post-receive hook: tell the catalogue, print links for the pusher."""
    pushed = [u for u in updates if u.ref == f"refs/heads/{BRANCH}" and not u.deletes]
    if not pushed:
        return
    if not config.instance:
        out.write("catalogue: no catalogue is configured to be told of pushes here "
                  "(catalogue registry install-hooks --instance)\n")
        return
    update = pushed[0]
    waits = config.wait_seconds > 0
    if not waits and _ready_started(git_dir, update.new):
        out.write(announce(changed_datasets(git_dir, update.old, update.new),
                           config.catalogue_url))
        return
    command = [config.python, "-P", "-m", "catalogue.after_push", str(git_dir),
               update.old, update.new, "--instance", config.instance]
    if config.catalogue_url:
        command += ["--catalogue-url", config.catalogue_url]
    if waits:
        command.append("--report")
    with open(git_dir / LOG_FILE, "ab") as log:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE if waits else subprocess.DEVNULL,
                                 stderr=log, cwd=git_dir, env=_child_environment(config),
                                 start_new_session=True)
    if not waits:
        out.write(announce(changed_datasets(git_dir, update.old, update.new),
                           config.catalogue_url))
        return
    report, finished = _read_until_closed(child, config.wait_seconds)
    out.write(report)
    if not finished:
        where = f" at {config.catalogue_url}" if config.catalogue_url else ""
        out.write(f"catalogue: still indexing this push; its versions will appear{where} "
                  "shortly\n")


def changed_datasets(git_dir: Path, old: str, new: str) -> list[str] | None:
    """The `department/dataset` folders whose DVC files (`*.dvc`, `dvc.lock`) the commits of
    `old..new` on main's first-parent chain change, in the order first changed; None when git
    cannot say. A changed DVC file usually is a new version; the indexer decides (by hash)."""
    since = [] if old == ZERO else [f"^{old}"]
    try:
        listed = subprocess.run(
            ["git", "--git-dir", str(git_dir), "log", "--first-parent", "--reverse",
             "--format=", "--name-only", "--no-renames", new, *since, "--"],
            capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    keys: dict[str, None] = {}
    for path in listed.splitlines():
        parts = path.split("/")
        if len(parts) >= 3 and not parts[0].startswith(".") and (
                parts[-1].endswith(".dvc") or parts[-1] == "dvc.lock"):
            keys.setdefault(f"{parts[0]}/{parts[1]}")
    return list(keys)


def announce(keys: list[str] | None, catalogue_url: str | None) -> str:
    """What the pusher reads when post-receive does not wait: the catalogue is told, and where
    each new version will appear."""
    if keys is None:
        return "catalogue: the catalogue is indexing this push\n"
    if not keys:
        return ("catalogue: the catalogue is indexing this push (no DVC file changed: "
                "no new version)\n")
    lines = [f"catalogue: the catalogue is indexing this push; the new version(s) of "
             f"{len(keys)} dataset(s) appear in a few seconds" + (" at:" if catalogue_url
                                                                   else ":")]
    for key in keys:
        link = f"  {catalogue_url}/datasets/{key}" if catalogue_url else ""
        lines.append(f"catalogue:   {key}{link}")
    return "\n".join(lines) + "\n"


def _child_environment(config: HookConfig) -> dict[str, str]:
    """This environment less git's own variables for the hook (GIT_DIR is relative to it)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GIT_") or k.startswith("GIT_CONFIG")}
    if config.database_url:
        env["DATABASE_URL"] = config.database_url
    return env


def _read_until_closed(child: subprocess.Popen, seconds: float) -> tuple[str, bool]:
    """What the child writes until it closes its output, or until `seconds` have passed."""
    assert child.stdout is not None
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(left):
                continue
            chunk = os.read(child.stdout.fileno(), 65536)
            if not chunk:
                child.stdout.close()
                return b"".join(chunks).decode("utf-8", "replace"), True
            chunks.append(chunk)
    child.stdout.close()
    return b"".join(chunks).decode("utf-8", "replace"), False


def main(argv: list[str] | None = None) -> int:
    """`python -m registry.hooks pre-receive|post-receive`, as the hook scripts run it."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in HOOKS:
        sys.stderr.write(f"usage: python -m registry.hooks {'|'.join(HOOKS)}\n")
        return 2
    git_dir = Path(os.environ.get("GIT_DIR", ".")).resolve()
    updates = parse_updates(sys.stdin)
    try:
        config = HookConfig.load(git_dir)
        if args[0] == "pre-receive":
            return pre_receive(git_dir, updates, config, sys.stderr)
        post_receive(git_dir, updates, config, sys.stderr)
        return 0
    except Exception as exc:  # a hook must explain itself, never show a traceback
        sys.stderr.write(f"catalogue: the registry's {args[0]} hook failed: "
                         f"{type(exc).__name__}: {exc}; tell the registry's administrator\n")
        return 1 if args[0] == "pre-receive" else 0


if __name__ == "__main__":
    sys.exit(main())
