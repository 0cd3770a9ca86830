"""The live pulse under a room's load: 200 phones answering within two minutes against the local server.

Usage: python bench/pulse_bench.py [--phones 200] [--at-once 30] [--servers streamlit,serve] [--port 8741]

Writes the demo as the customer's own workspace in a scratch folder, opens a short pulse for four teams and
starts the real server on 127.0.0.1: `streamlit run server.py` (the app with the form beside it) and, with
`serve` in --servers, `python -m cxchange pulse serve` (the form alone). Each phone is a thread with its own
cookie jar (at most --at-once at a time): it GETs the form, then POSTs its answers and expects the 303 to the
thank-you page. Meanwhile a presenter polls services.pulse_answer_counts every second, as the workshop's
live step does. Checks that every answer is stored exactly once (the batch's responses and the distinct
devices both equal the phones), that no request failed and that the presenter saw the count rise, and
prints answers per second and p50/p95 time to submit beside two baselines measured in the same run: one
GET of /_stcore/health (the server's floor for a request) and one services.answer_pulse call in-process
(the storage's floor for an answer). Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cxchange import pulses, services, store  # noqa: E402

TEAMS = ("Stores West", "Stores North", "Contact Centre", "E-commerce")
WAVE = "Live pulse bench"
START_TIMEOUT_S = 90


@dataclass
class Run:
    """What one server did under the load."""

    server: str
    url: str
    seconds: float = 0.0
    form_ms: list[float] = field(default_factory=list)
    submit_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seen: list[tuple[float, int]] = field(default_factory=list)
    stored: int = 0
    devices: int = 0


def own_workspace(folder: Path) -> Path:
    """The demo written as the customer's own workspace (the demo itself refuses a pulse), with a new wave."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    path = folder / "pulse-bench.db"
    db = store.open_db(path)
    services.write_demo(db)
    services.save_settings(db, {"backup_every_days": 0})
    with store.write_transaction(db):
        store.settings.set_workspace_kind(db, "own")
    services.add_wave(db, "Customer First", WAVE, "2026-12-01")
    db.close()
    return path


def open_pulse(path: Path) -> tuple[dict, list[int]]:
    db = store.open_db(path)
    try:
        wave_id = int(store.org.waves(db).set_index("name").loc[WAVE, "id"])
        pulse = services.open_pulse(db, wave_id, list(TEAMS), minutes=30)
        return pulse, list(store.pulses.pulse_teams(db, int(pulse["id"])))
    finally:
        db.close()


def start(command: list[str], url: str, health: str, log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{command[2:5]} exited:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}{health}", timeout=2).status_code in (200, 404):
                return process
        except httpx.TransportError:
            time.sleep(0.25)
    process.terminate()
    raise SystemExit(f"{url} did not answer within {START_TIMEOUT_S} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def phone(run: Run, token: str, team_ids: list[int], seed: int, lock: threading.Lock) -> None:
    """One phone: open the form (which sets its cookie), answer every statement, send."""
    rng = random.Random(seed)
    fields = {"team": str(rng.choice(team_ids))} | {
        code: str(rng.randint(1, 5)) for code in ("AW1", "DE1", "KN1", "AB1", "RE1")
    }
    try:
        with httpx.Client(base_url=run.url, timeout=60, follow_redirects=False) as client:
            began = time.perf_counter()
            form = client.get(f"/pulse/{token}")
            opened = time.perf_counter()
            if form.status_code != 200 or "cxpulse" not in client.cookies:
                raise RuntimeError(f"form: {form.status_code}")
            sent = client.post(f"/pulse/{token}", data=fields)
            done = time.perf_counter()
            if sent.status_code != 303:
                raise RuntimeError(f"answer: {sent.status_code} {sent.text[-300:]}")
        with lock:
            run.form_ms.append((opened - began) * 1000)
            run.submit_ms.append((done - opened) * 1000)
    except Exception as problem:  # every failure is counted and reported, none stops the room
        with lock:
            run.errors.append(f"{type(problem).__name__}: {problem}")


def presenter(path: Path, pulse_id: int, run: Run, stop_event: threading.Event, began: float) -> None:
    """The workshop's live step: the count per team, every second, from its own connection."""
    db = store.open_db(path)
    try:
        while not stop_event.wait(1.0):
            run.seen.append((time.perf_counter() - began, sum(services.pulse_answer_counts(db, pulse_id).values())))
        run.seen.append((time.perf_counter() - began, sum(services.pulse_answer_counts(db, pulse_id).values())))
    finally:
        db.close()


def load(run: Run, path: Path, phones: int, at_once: int) -> None:
    pulse, team_ids = open_pulse(path)
    lock, done = threading.Lock(), threading.Event()
    began = time.perf_counter()
    watcher = threading.Thread(target=presenter, args=(path, int(pulse["id"]), run, done, began))
    watcher.start()
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        for seed in range(phones):
            pool.submit(phone, run, pulse["token"], team_ids, seed, lock)
    run.seconds = time.perf_counter() - began
    done.set()
    watcher.join()
    db = store.open_db(path)
    try:
        batch = {"batch": int(pulse["batch_id"]), "pulse": int(pulse["id"])}
        run.stored = db.execute("SELECT COUNT(*) FROM responses WHERE batch_id = :batch", batch).fetchone()[0]
        run.devices = db.execute(
            "SELECT COUNT(DISTINCT device_hash) FROM pulse_devices WHERE pulse_id = :pulse", batch
        ).fetchone()[0]
    finally:
        db.close()


def health_ms(url: str, times: int = 30) -> float:
    with httpx.Client(timeout=10) as client:
        samples = []
        for _ in range(times):
            began = time.perf_counter()
            client.get(f"{url}/_stcore/health")
            samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def in_process_ms(path: Path, times: int = 30) -> float:
    """One answer stored by services.answer_pulse in this process: no HTTP, the same SQLite file."""
    pulse, team_ids = open_pulse(path)
    db = store.open_db(path)
    try:
        samples = []
        for n in range(times):
            fields = {"team": str(team_ids[n % len(team_ids)])} | dict.fromkeys(
                ("AW1", "DE1", "KN1", "AB1", "RE1"), "4"
            )
            began = time.perf_counter()
            services.answer_pulse(db, pulse["token"], pulses.device_hash(pulse["token"], f"bench {n}"), fields)
            samples.append((time.perf_counter() - began) * 1000)
        return statistics.median(samples)
    finally:
        db.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--at-once", type=int, default=30, help="phones sending at the same moment")
    parser.add_argument("--servers", default="streamlit,serve", help="streamlit, serve, or both (comma-separated)")
    parser.add_argument("--port", type=int, default=8741, help="streamlit's port; pulse serve takes the next")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/pulse-bench"))
    args = parser.parse_args()

    path = own_workspace(args.folder)
    env = os.environ | {"CXCHANGE_DB": str(path)}
    streamlit_url = f"http://127.0.0.1:{args.port}"
    app = start(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false", "--server.port", str(args.port)],
        streamlit_url, "/_stcore/health", args.folder / "streamlit.log", env,
    )  # fmt: skip
    runs: list[Run] = []
    served = None
    try:
        baseline_health = health_ms(streamlit_url)
        baseline_answer = in_process_ms(path)
        for server in [name.strip() for name in args.servers.split(",") if name.strip()]:
            if server == "streamlit":
                run = Run("streamlit run server.py", streamlit_url)
            elif server == "serve":
                url = f"http://127.0.0.1:{args.port + 1}"
                served = start(
                    [sys.executable, "-m", "cxchange", "pulse", "serve", "--db", str(path), "--host", "127.0.0.1",
                     "--port", str(args.port + 1)],
                    url, "/", args.folder / "pulse-serve.log", env,
                )  # fmt: skip
                run = Run("pulse serve", url)
            else:
                raise SystemExit(f"--servers: streamlit or serve, not {server!r}")
            load(run, path, args.phones, args.at_once)
            runs.append(run)
    finally:
        stop(app)
        if served is not None:
            stop(served)

    print(f"{args.phones} phones, {args.at_once} at once, short form (5 statements), 4 teams, 127.0.0.1")
    print(f"baselines: GET /_stcore/health {baseline_health:.1f} ms (median of 30); "
          f"services.answer_pulse in-process {baseline_answer:.1f} ms (median of 30)")  # fmt: skip
    header = (f"{'server':<24}{'wall s':>8}{'answers/s':>11}{'form p50':>10}{'submit p50':>12}{'submit p95':>12}"
              f"{'p95/answer':>12}{'stored':>8}{'devices':>9}{'errors':>8}{'polls':>7}")  # fmt: skip
    print(header)
    print("-" * len(header))
    failed = False
    for run in runs:
        answers = len(run.submit_ms)
        p95 = percentile(run.submit_ms, 0.95)
        print(
            f"{run.server:<24}{run.seconds:>8.1f}{answers / run.seconds:>11.1f}"
            f"{percentile(run.form_ms, 0.5):>8.0f}ms{percentile(run.submit_ms, 0.5):>10.0f}ms{p95:>10.0f}ms"
            f"{p95 / baseline_answer:>11.0f}x{run.stored:>8}{run.devices:>9}{len(run.errors):>8}{len(run.seen):>7}"
        )
        counts = [count for _, count in run.seen]
        rising = counts == sorted(counts) and len(set(counts)) > 2 and counts[-1] == args.phones
        checks = {
            "every answer stored once": run.stored == run.devices == args.phones,
            "no error": not run.errors,
            "within two minutes": run.seconds < 120,
            "the presenter saw the count rise": rising,
        }
        for name, ok in checks.items():
            if not ok:
                failed = True
                print(f"  FAILED {run.server}: {name}")
        for problem in sorted(set(run.errors))[:5]:
            print(f"  {problem}")
        shown = ", ".join(f"{at:.0f}s:{count}" for at, count in run.seen[:: max(1, len(run.seen) // 8)])
        print(f"  presenter's count (time:answers): {shown}, end:{counts[-1] if counts else 0}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
