"""A second Docker engine on this machine that behaves like one on another machine.

dockerd runs in network and mount namespaces of its own and listens on TCP at the far end of a
veth pair, so `DOCKER_HOST=tcp://10.231.7.2:2375` is, to paws, an engine elsewhere:

- its container addresses and the ports it publishes live in its own network namespace: this
  host has no route to them, as with an engine on another machine;
- a tmpfs hides the given directory (the project's secrets) in its mount namespace: it does not
  see the files paws writes there, as another machine would not;
- its own iptables (the network namespace's): the first engine's rules are untouched. A second
  dockerd in the host's namespace would rewrite them, and with `--iptables=false` its
  containers' traffic would meet the host's FORWARD policy (DROP under br_netfilter).

It has no internet and no registry: the images are copied from the first engine (`docker save |
docker load`). Everything it made goes when it stops: its namespaces, the veth pair, and its
data and run directories.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

# Ours alone: a /30 from the private range that neither Docker's default pools
# (172.17-31.x, 192.168.x) nor the test stack use.
HOST_SIDE, ENGINE_SIDE, PREFIX = "10.231.7.1", "10.231.7.2", 30
HOST_LINK, ENGINE_LINK = "pawsremote0", "pawsremote1"
PORT = 2375
START_BUDGET_S = 90.0
STOP_BUDGET_S = 60.0
NEEDS = ("unshare", "ip", "dockerd", "docker")

# Inside the new namespaces: wait for our end of the veth pair, bring it up, hide the secrets,
# then become dockerd (exec: the pid we started is the daemon's, and stopping it ends it all).
NAMESPACE_SCRIPT = """
set -e
while ! ip link show "$ENGINE_LINK" >/dev/null 2>&1; do sleep 0.1; done
ip link set lo up
ip addr add "$ENGINE_SIDE/$PREFIX" dev "$ENGINE_LINK"
ip link set "$ENGINE_LINK" up
mount -t tmpfs -o size=1m,mode=0700 paws-remote-hidden "$HIDDEN"
exec dockerd --data-root "$WORK/data" --exec-root "$WORK/exec" --pidfile "$WORK/dockerd.pid" \
    -H "unix://$WORK/docker.sock" -H "tcp://$ENGINE_SIDE:$PORT"
"""


def missing_tools() -> list[str]:
    """What this host lacks to start the stand-in (root, and the tools above)."""
    missing = [tool for tool in NEEDS if shutil.which(tool) is None]
    return missing + ([] if os.geteuid() == 0 else ["root"])


@dataclass
class RemoteEngine:
    """One running stand-in; `docker_host` is what DOCKER_HOST says to reach it."""

    work: Path
    process: subprocess.Popen[bytes]
    docker_host: str = f"tcp://{ENGINE_SIDE}:{PORT}"

    @classmethod
    def start(cls, work: Path, hidden: Path) -> RemoteEngine:
        """Start dockerd in its namespaces and wait until it answers over TCP."""
        _run("ip", "link", "del", HOST_LINK, check=False)  # a killed run's, if any: ours by name
        log = (work / "dockerd.log").open("wb")
        env = {
            **os.environ,
            "WORK": str(work),
            "HIDDEN": str(hidden),
            "ENGINE_LINK": ENGINE_LINK,
            "ENGINE_SIDE": ENGINE_SIDE,
            "PREFIX": str(PREFIX),
            "PORT": str(PORT),
        }
        env.pop("DOCKER_HOST", None)
        process = subprocess.Popen(
            ["unshare", "--net", "--mount", "sh", "-c", NAMESPACE_SCRIPT],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        engine = cls(work, process)
        try:
            engine.wait_until_in_its_namespace()
            _run("ip", "link", "add", HOST_LINK, "type", "veth", "peer", "name", ENGINE_LINK,
                 "netns", str(process.pid))  # fmt: skip
            _run("ip", "addr", "add", f"{HOST_SIDE}/{PREFIX}", "dev", HOST_LINK)
            _run("ip", "link", "set", HOST_LINK, "up")
            engine.wait_until_answering()
        except BaseException:
            engine.stop()
            raise
        return engine

    def docker(self, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", "-H", self.docker_host, *args],
            capture_output=True,
            text=True,
            check=False,
            **kwargs,  # type: ignore[call-overload]
        )

    def wait_until_in_its_namespace(self) -> None:
        """Until unshare made the network namespace: a veth end moved to the pid before that
        lands in this host's namespace, and the script waits for it forever."""
        ours = Path("/proc/self/ns/net").readlink()
        deadline = time.monotonic() + START_BUDGET_S
        while self.process.poll() is None and time.monotonic() < deadline:
            if Path(f"/proc/{self.process.pid}/ns/net").readlink() != ours:
                return
            time.sleep(0.05)
        raise AssertionError(f"unshare made no network namespace:\n{self.log_tail()}")

    def wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_BUDGET_S
        while self.docker("info", "--format", "{{.ServerVersion}}", timeout=10).returncode:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the second engine did not start:\n{self.log_tail()}")
            time.sleep(0.5)

    def copy_images(self, names: list[str]) -> None:
        """`docker save` on the first engine piped into `docker load` on this one."""
        local = {k: v for k, v in os.environ.items() if k != "DOCKER_HOST"}
        save = subprocess.Popen(["docker", "save", *names], stdout=subprocess.PIPE, env=local)
        load = subprocess.run(
            ["docker", "-H", self.docker_host, "load", "--quiet"],
            stdin=save.stdout,
            capture_output=True,
            text=True,
            check=False,
        )
        assert save.stdout is not None
        save.stdout.close()
        assert save.wait() == 0 and load.returncode == 0, f"copying images failed: {load.stderr}"

    def log_tail(self, lines: int = 20) -> str:
        path = self.work / "dockerd.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop dockerd (it stops its containers), then remove everything it made."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_BUDGET_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=10)
        # The namespaces went with their last process, and the engine's end of the veth pair
        # with them; the host's end goes with it, but a failed start may have left it alone.
        _run("ip", "link", "del", HOST_LINK, check=False)
        for name in ("data", "exec"):
            shutil.rmtree(self.work / name, ignore_errors=True)


def _run(*argv: str, check: bool = True) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} -> {result.returncode}: {result.stderr.strip()}")
