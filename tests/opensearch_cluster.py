"""A local OpenSearch cluster for tests and benchmarks, from Maven Central.

The integ-test distribution of OpenSearch is fetched with Maven (cached in the local Maven
repository), unpacked once into a cache folder, given the analysis-common module (stemmers,
ASCII folding: the integ-test zip carries only the transport module) and started as NODES
nodes on loopback forming one cluster. OpenSearch refuses to run as root: as root the nodes
run as an unprivileged system user created for them.

    python tests/opensearch_cluster.py start [--nodes 2]   # prints the URL, leaves it running
    python tests/opensearch_cluster.py stop
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

VERSION = "2.19.6"  # the newest 2.x: runs on Java 17
DIST = f"org.opensearch.distribution.integ-test-zip:opensearch:{VERSION}:zip"
ANALYSIS = f"org.opensearch.plugin:analysis-common:{VERSION}"
# as root the nodes run as another user, who cannot read root's home folder
_DEFAULT_CACHE = Path("/var/cache/foia-search") if os.geteuid() == 0 else Path.home() / ".cache" / "foia-search"
CACHE = Path(os.environ.get("FOIA_CLUSTER_CACHE", _DEFAULT_CACHE))
HEAP = "-Xms512m -Xmx512m"
SERVICE_USER = "foia-opensearch"
HTTP_PORT = 9250
TRANSPORT_PORT = 9350


class ClusterError(RuntimeError):
    """The cluster could not be fetched or started; the message names what is missing."""


@dataclass
class Cluster:
    """Nodes started by `start`, their folder and the URL of the first node."""

    root: Path
    urls: list[str]
    pids: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.urls[0]

    def stop_node(self, index: int) -> None:
        """Stop one node (a fault for tests), waiting until its process is gone."""
        _terminate(self.pids[index])

    def start_node(self, index: int) -> None:
        """Start a node stopped by `stop_node` again."""
        self.pids[index] = _launch(self.root / f"node-{index}")

    def stop(self) -> None:
        for pid in self.pids:
            _terminate(pid)
        (self.root / "pids").unlink(missing_ok=True)


def _run(cmd: list[str], what: str) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise ClusterError(f"{what}: {cmd[0]} is not installed") from exc
    if done.returncode:
        tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
        raise ClusterError(f"{what} failed ({' '.join(cmd)}):\n" + "\n".join(tail))


def _maven_file(coordinates: str, suffix: str) -> Path:
    """Resolve an artifact with `mvn dependency:get` and return its file in ~/.m2."""
    group, artifact, version = coordinates.split(":")[:3]
    path = (Path.home() / ".m2" / "repository" / group.replace(".", "/") / artifact / version
            / f"{artifact}-{version}.{suffix}")
    if not path.exists():
        _run(["mvn", "-q", "-B", "dependency:get", f"-Dartifact={coordinates}",
              "-Dtransitive=false"], f"downloading {coordinates} from Maven Central")
    if not path.exists():
        raise ClusterError(f"Maven reported success but {path} is missing")
    return path


def distribution() -> Path:
    """The unpacked OpenSearch home with analysis-common installed as a module."""
    home = CACHE / f"opensearch-{VERSION}"
    if (home / "bin" / "opensearch").exists() and (home / "modules" / "analysis-common").exists():
        return home
    java_home()
    archive = _maven_file(DIST, "zip")
    jar = _maven_file(ANALYSIS, "jar")
    CACHE.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(home, ignore_errors=True)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(CACHE)
    for script in (home / "bin").iterdir():
        script.chmod(0o755)
    module = home / "modules" / "analysis-common"
    module.mkdir()
    shutil.copy(jar, module)
    (module / "plugin-descriptor.properties").write_text(
        "description=Adds common analysis filters (stemmers, ASCII folding)\n"
        f"version={VERSION}\nname=analysis-common\n"
        "classname=org.opensearch.analysis.common.CommonAnalysisPlugin\n"
        f"java.version=11\nopensearch.version={VERSION}\ncustom.foldername=\n"
        "extended.plugins=\nhas.native.controller=false\n")
    return home


def _service_user() -> str | None:
    """The user the nodes run as: None when not root, else an unprivileged system user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        _run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
              SERVICE_USER], "creating the unprivileged user OpenSearch runs as")
    return SERVICE_USER


def _node_folder(root: Path, home: Path, index: int, nodes: int) -> Path:
    folder = root / f"node-{index}"
    config = folder / "config"
    shutil.copytree(home / "config", config, dirs_exist_ok=True)
    seeds = ", ".join(f'"127.0.0.1:{TRANSPORT_PORT + i}"' for i in range(nodes))
    masters = ", ".join(f'"node-{i}"' for i in range(nodes))
    (config / "opensearch.yml").write_text(
        f"cluster.name: foia-test\nnode.name: node-{index}\n"
        f"path.data: {folder / 'data'}\npath.logs: {folder / 'logs'}\n"
        f"network.host: 127.0.0.1\nhttp.port: {HTTP_PORT + index}\n"
        f"transport.port: {TRANSPORT_PORT + index}\n"
        f"discovery.seed_hosts: [{seeds}]\ncluster.initial_cluster_manager_nodes: [{masters}]\n"
        "cluster.routing.allocation.disk.threshold_enabled: false\n"
        "action.destructive_requires_name: false\n")
    (folder / "home").symlink_to(home)
    for sub in ("data", "logs"):
        (folder / sub).mkdir()
    options = config / "jvm.options"  # it names logs/ and data/ relative to the distribution
    options.write_text(options.read_text().replace("=logs/", f"={folder}/logs/")
                       .replace("file=logs/", f"file={folder}/logs/")
                       .replace("HeapDumpPath=data", f"HeapDumpPath={folder}/data"))
    return folder


def java_home() -> str:
    """The JDK the nodes run on: $JAVA_HOME, else the one `java` on PATH belongs to."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    if java is None:
        raise ClusterError("OpenSearch needs Java 17 or newer: no java on PATH and no JAVA_HOME")
    return str(Path(java).resolve().parent.parent)


def _launch(folder: Path) -> int:
    env = dict(os.environ, OPENSEARCH_PATH_CONF=str(folder / "config"), OPENSEARCH_JAVA_OPTS=HEAP,
               OPENSEARCH_JAVA_HOME=java_home())
    cmd = [str(folder / "home" / "bin" / "opensearch")]
    user = _service_user()
    if user:
        cmd = ["runuser", "-u", user, "--", *cmd]
    log = open(folder / "stdout.log", "ab")  # noqa: SIM115 - the node keeps it open
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    return proc.pid


def _terminate(pid: int, wait: float = 60) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.2)
    os.killpg(pid, signal.SIGKILL)


def health(url: str, timeout: float = 2) -> dict:
    """The cluster's health document, or an empty dict when the node does not answer."""
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=timeout) as resp:
            return json.load(resp)
    except (urllib.error.URLError, OSError, ValueError):
        return {}


def _alive(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:  # not our child: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def wait_for(cluster: Cluster, nodes: int, timeout: float = 240) -> None:
    """Wait until NODES nodes form a cluster whose health is at least yellow."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = health(cluster.url)
        if state.get("number_of_nodes") == nodes and state.get("status") in ("green", "yellow"):
            return
        dead = [i for i, pid in enumerate(cluster.pids) if not _alive(pid)]
        if dead:
            raise ClusterError(f"node-{dead[0]} exited while starting\n{_log_tail(cluster, dead[0])}")
        time.sleep(1)
    raise ClusterError(f"no {nodes}-node cluster at {cluster.url} after {timeout:.0f} s\n"
                       + _log_tail(cluster, 0))


def _log_tail(cluster: Cluster, index: int, lines: int = 15) -> str:
    text = (cluster.root / f"node-{index}" / "stdout.log").read_text(errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def start(nodes: int = 2, root: Path | None = None) -> Cluster:
    """Fetch (once), configure and start NODES nodes; return when they form a cluster."""
    home = distribution()
    root = root or CACHE / "cluster"
    if root.exists():
        stop(root)
        shutil.rmtree(root)
    root.mkdir(parents=True)
    folders = [_node_folder(root, home, i, nodes) for i in range(nodes)]
    user = _service_user()
    if user:
        _run(["chown", "-R", user, str(root)], "giving the cluster folder to its user")
        root.chmod(0o755)
    cluster = Cluster(root, [f"http://127.0.0.1:{HTTP_PORT + i}" for i in range(nodes)])
    cluster.pids = [_launch(folder) for folder in folders]
    (root / "pids").write_text(" ".join(map(str, cluster.pids)))
    try:
        wait_for(cluster, nodes)
    except ClusterError:
        cluster.stop()
        raise
    return cluster


def stop(root: Path | None = None) -> None:
    """Stop the nodes that `start` recorded in ROOT."""
    pids = (root or CACHE / "cluster") / "pids"
    if pids.exists():
        for pid in pids.read_text().split():
            _terminate(int(pid))
        pids.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--nodes", type=int, default=2)
    args = parser.parse_args()
    try:
        if args.action == "start":
            print(start(args.nodes).url)
        else:
            stop()
    except ClusterError as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
