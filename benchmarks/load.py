"""Load test: N people at once in real Chromium, each uploading their own photo and visiting pages.

Starts ``streamlit run app.py`` (or uses ``--url``), opens N browser contexts of Debian's
Chromium at once (one Streamlit session each), and in every session: uploads its own JPEG of
``--megapixels`` (a different photo per session, so no cache is shared), then visits every page
through the sidebar links, in the order of the page files. Meanwhile the resident memory (RSS) of
the server's whole process tree is sampled every 0.2 s.

Reported: RSS idle, peak, when the sessions leave and ``--settle`` seconds later; the time of
every page visit (from the click to the end of the rerun: the app element's
``data-test-script-state`` back to ``notRunning``), median and p95 over all visits; the Filter
page's rerun after choosing another kernel; and every error (a page showing an exception, a
console error, a visit that did not end).

With ``--uploads N`` one session instead uploads N different photos one after the other (on the
Filter page, so each is convolved) and the RSS after every upload is reported.

Unless ``--cold``, the server first gets one visit of its home page and 15 s for the background
imports it starts (:func:`ui.common.warm_up`), as a deployed app that someone has opened.

Run (``python -m filters bench --load …`` takes the same options)::

    python benchmarks/load.py --users 1 --megapixels 12
    python benchmarks/load.py --users 5 --megapixels 12 --settle 300 \
        --json benchmarks/results/load.json
    python benchmarks/load.py --uploads 200 --megapixels 2

Needs Debian's Chromium (``/usr/bin/chromium``) and ``pip install pytest-playwright``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

IDLE_STABLE_S = 0.5      # a rerun is over when the app stays "notRunning" this long
START_WAIT_S = 20.0      # how long an action's rerun may take to start (a busy server is slow)
WARM_S = 15.0            # after the first visit: the app's background imports (torch…) finish
VISIT_TIMEOUT_S = 120.0


def page_paths() -> list[str]:
    """The address of every page after the home page, from the page files' names."""
    names = sorted((ROOT / "pages").glob("[0-9]*_*.py"))
    return [p.stem.split("_", 1)[1] for p in names if p.stem.split("_", 1)[1] != "Home"]


def photo(megapixels: float, seed: int) -> bytes:
    """A photo-like JPEG (smooth colour fields, edges and sensor noise) of about ``megapixels``.

    4:3 like a phone camera: 12 MP is 4000×3000.
    """
    width = round((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = round(width * 3 / 4)
    rng = np.random.default_rng(seed)
    small = (rng.random((height // 64 + 1, width // 64 + 1, 3)) * 255).astype(np.uint8)
    image = np.asarray(Image.fromarray(small).resize((width, height), Image.Resampling.BICUBIC))
    noise = rng.normal(0, 6, size=(height, width, 1)).astype(np.float32)
    pixels = np.clip(image.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def server_cpu(server: int) -> float:
    """CPU seconds used so far by the server's process tree."""
    total = 0.0
    with contextlib.suppress(psutil.NoSuchProcess):
        parent = psutil.Process(server)
        for process in [parent, *parent.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
    return total


def tree_rss(pid: int) -> int:
    """Resident bytes of the process ``pid`` and all its children."""
    try:
        parent = psutil.Process(pid)
        processes = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total


class RssSampler(threading.Thread):
    """Samples :func:`tree_rss` every 0.2 s; ``peak`` and ``last`` in bytes. Every second it
    also reads the CPU seconds of each Chromium process (``browser_cpu``: the last reading of
    every process seen, so browsers closed meanwhile still count)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.last = pid, 0, 0
        self._browser_cpu: dict[int, float] = {}
        self._stop_event = threading.Event()

    @property
    def browser_cpu(self) -> float:
        return sum(self._browser_cpu.values())

    def run(self) -> None:
        ticks = 0
        while not self._stop_event.is_set():
            self.last = tree_rss(self.pid)
            self.peak = max(self.peak, self.last)
            if ticks % 5 == 0:
                for process in psutil.process_iter(["name"]):
                    if "chrom" in (process.info.get("name") or ""):
                        with contextlib.suppress(psutil.Error):
                            times = process.cpu_times()
                            self._browser_cpu[process.pid] = times.user + times.system
            ticks += 1
            time.sleep(0.2)

    def stop(self) -> None:
        self._stop_event.set()


async def script_state(page) -> str:
    return await page.evaluate(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') ?? 'missing'")


async def wait_rerun_over(page, since: float, *, started: bool = True) -> float:
    """Seconds from ``since`` until the app is ``notRunning`` for :data:`IDLE_STABLE_S`.

    With ``started`` the rerun the last action asked for must have been seen running first
    (for up to :data:`START_WAIT_S`), so a quick rerun is not mistaken for none.
    """
    deadline = time.monotonic() + VISIT_TIMEOUT_S
    if started:
        begin = time.monotonic() + START_WAIT_S
        while time.monotonic() < begin and await script_state(page) == "notRunning":
            await asyncio.sleep(0.01)
    idle_from = None
    while time.monotonic() < deadline:
        state = await script_state(page)
        now = time.monotonic()
        if state == "notRunning":
            idle_from = idle_from or now
            if now - idle_from >= IDLE_STABLE_S:
                return idle_from - since
        else:
            idle_from = None
        await asyncio.sleep(0.05)
    raise TimeoutError(f"the rerun did not end within {VISIT_TIMEOUT_S:.0f} s")


def sidebar_link(page, path: str):
    """The sidebar's link to the page at ``path`` (e.g. ``"Filter"``)."""
    return page.locator(f"[data-testid='stSidebar'] a[href='{path}'], "
                        f"[data-testid='stSidebar'] a[href$='/{path}']").first


async def change_kernel(page) -> float:
    """On the Filter page, choose the next kernel of the list; seconds until the rerun ends."""
    box = page.locator("[data-testid='stSelectbox']").filter(has_text="Kernel").first
    await box.locator("input").first.click(timeout=VISIT_TIMEOUT_S * 1000)
    await page.keyboard.press("ArrowDown")
    start = time.monotonic()
    await page.keyboard.press("Enter")
    return await wait_rerun_over(page, start)


async def page_errors(page) -> list[str]:
    """Exceptions shown on the page (Streamlit's exception element)."""
    boxes = page.locator("[data-testid='stException']")
    return [await boxes.nth(i).inner_text() for i in range(await boxes.count())]


async def one_user(browser, url: str, index: int, jpeg: Path, paths: list[str],
                   result: dict) -> None:
    """One session: upload ``jpeg`` on the home page, then visit every page by its link."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    console: list[str] = []
    page.on("pageerror", lambda e: console.append(str(e)))
    visits: dict[str, float] = {}
    errors: list[str] = []
    try:
        start = time.monotonic()
        await page.goto(url)
        visits["home"] = await wait_rerun_over(page, start)
        await page.get_by_text("Upload", exact=True).first.click()
        await wait_rerun_over(page, time.monotonic())
        start = time.monotonic()
        await page.locator("[data-testid='stSidebar'] input[type='file']").first.set_input_files(
            str(jpeg))
        await page.get_by_text(jpeg.name, exact=False).first.wait_for(timeout=120_000)
        visits["upload"] = await wait_rerun_over(page, start, started=False)
        for path in paths:
            start = time.monotonic()
            await sidebar_link(page, path).click()
            visits[path] = await wait_rerun_over(page, start)
            errors += [f"{path}: {e[:200]}" for e in await page_errors(page)]
            if path == "Filter":
                visits["Filter, another kernel"] = await change_kernel(page)
    except Exception as error:  # a failed visit is a result of the load test, not a crash
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        await context.close()
    result.update(user=index, visits=visits, errors=errors + console)


async def run_users(url: str, users: int, megapixels: float, paths: list[str],
                    folder: Path) -> list[dict]:
    from playwright.async_api import async_playwright

    files = []
    for index in range(users):
        path = folder / f"photo_{index}_{megapixels:g}mp.jpg"
        path.write_bytes(photo(megapixels, seed=index))
        files.append(path)
    results: list[dict] = [{} for _ in range(users)]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        await asyncio.gather(*(one_user(browser, url, i, files[i], paths, results[i])
                               for i in range(users)))
        await browser.close()
    return results


async def many_uploads(url: str, count: int, megapixels: float, folder: Path,
                       sampler: RssSampler) -> dict:
    """One session uploads ``count`` different photos on the Filter page; RSS after each."""
    from playwright.async_api import async_playwright

    rss: list[float] = []
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})
                      ).new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        await page.goto(url)
        await wait_rerun_over(page, time.monotonic())
        await sidebar_link(page, "Filter").click()
        await wait_rerun_over(page, time.monotonic())
        await page.get_by_text("Upload", exact=True).first.click()
        await wait_rerun_over(page, time.monotonic())
        uploader = page.locator("[data-testid='stSidebar'] input[type='file']").first
        for n in range(count):
            path = folder / f"upload_{n}.jpg"
            path.write_bytes(photo(megapixels, seed=1000 + n))
            await uploader.set_input_files(str(path))
            await page.get_by_text(path.name, exact=False).first.wait_for(timeout=120_000)
            await wait_rerun_over(page, time.monotonic(), started=False)
            errors += [f"upload {n}: {e[:200]}" for e in await page_errors(page)]
            path.unlink()
            rss.append(sampler.last / 2**20)
        await browser.close()
    return {"rss_mb_after_each": rss, "errors": errors}


def measure_uploads(count: int, megapixels: float) -> dict:
    """Run the ``--uploads`` test and return its report."""
    with tempfile.TemporaryDirectory() as folder, running_app() as app_url:
        server = _server_pid(app_url)
        warm(app_url)
        time.sleep(2)
        idle = tree_rss(server)
        sampler = RssSampler(server)
        sampler.start()
        result = asyncio.run(many_uploads(app_url, count, megapixels, Path(folder), sampler))
        sampler.stop()
    after = result["rss_mb_after_each"]
    return {"uploads": count, "megapixels": megapixels, "machine": _machine(),
            "rss_mb": {"idle": idle / 2**20, "peak": sampler.peak / 2**20,
                       "after_first": after[0] if after else None,
                       "after_last": after[-1] if after else None,
                       "max_after_10": max(after[10:], default=None)},
            "errors": result["errors"], "rss_mb_after_each": after}


def uploads_markdown(report: dict) -> str:
    rss = report["rss_mb"]
    return (f"Uploads: {report['uploads']} different {report['megapixels']:g} MP JPEGs in one "
            f"session, each convolved on the Filter page ({report['machine']}).\n\n"
            "| server RSS (MB) | idle | after the first | most after the 10th | after the last "
            "| peak |\n|---|---:|---:|---:|---:|---:|\n"
            f"| process tree | {rss['idle']:.0f} | {rss['after_first']:.0f} | "
            f"{rss['max_after_10']:.0f} | {rss['after_last']:.0f} | {rss['peak']:.0f} |\n\n"
            f"Errors: {len(report['errors'])}.\n")


def _machine() -> str:
    return (f"{platform.processor() or platform.machine()}, {psutil.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


async def first_visit(url: str) -> None:
    """One visit of the home page, as the server's first visitor would make it."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(url)
        await wait_rerun_over(page, time.monotonic())
        await browser.close()


def warm(url: str) -> None:
    """Make the server's first visit (the app then imports its libraries in the background) and
    wait for the imports: the users measured after it meet a server that is up, as on a
    deployment, instead of a cold start (``--cold``)."""
    asyncio.run(first_visit(url))
    time.sleep(WARM_S)


def measure(users: int, megapixels: float, settle: float, url: str | None = None,
            cold: bool = False) -> dict:
    """Run the load test and return its report (a JSON-friendly dict)."""
    paths = page_paths()
    with tempfile.TemporaryDirectory() as folder, running_app() as app_url:
        server = _server_pid(app_url)
        if not cold:
            warm(url or app_url)
        time.sleep(2)
        idle = tree_rss(server)
        sampler = RssSampler(server)
        sampler.start()
        began, cpu_before = time.monotonic(), server_cpu(server)
        results = asyncio.run(run_users(url or app_url, users, megapixels, paths,
                                        Path(folder)))
        wall, cpu_after = time.monotonic() - began, server_cpu(server)
        browsers = sampler.browser_cpu
        left = sampler.last
        time.sleep(settle)
        settled = tree_rss(server)
        sampler.stop()
    # Moving between pages through the sidebar; the first load of the app (the browser fetching
    # the frontend) and the upload are reported apart.
    page_visits = [t for r in results for k, t in r["visits"].items()
                   if k not in ("home", "upload", "Filter, another kernel")]
    per_page = {k: statistics.median(r["visits"][k] for r in results if k in r["visits"])
                for k in ["home", "upload", *paths, "Filter, another kernel"]
                if any(k in r["visits"] for r in results)}
    return {
        "users": users, "megapixels": megapixels, "settle_s": settle, "wall_s": round(wall, 1),
        "start": "cold" if cold else "warm",
        "machine": _machine(),
        "rss_mb": {"idle": idle / 2**20, "peak": sampler.peak / 2**20,
                   "when_left": left / 2**20, "settled": settled / 2**20},
        "first_load_s": [r["visits"].get("home") for r in results],
        "cpu_s": {"server": round(cpu_after - cpu_before, 1), "browsers": round(browsers, 1)},
        "visit_s": {"median": statistics.median(page_visits) if page_visits else None,
                    "p95": percentile(page_visits, 95), "max": max(page_visits, default=None),
                    "per_page_median": per_page},
        "errors": [e for r in results for e in r["errors"]],
        "sessions": results,
    }


def _server_pid(url: str) -> int:
    port = int(url.rsplit(":", 1)[1])
    for connection in psutil.net_connections(kind="tcp"):
        if connection.laddr and connection.laddr.port == port and connection.status == "LISTEN":
            return int(connection.pid)
    raise RuntimeError(f"no process listens on port {port}")


def markdown(report: dict) -> str:
    rss, visit = report["rss_mb"], report["visit_s"]
    lines = [
        f"Load test: {report['users']} user(s) at once, {report['megapixels']:g} MP JPEG each, "
        f"every page, {report['start']} server ({report['machine']}).",
        "",
        "| server RSS (MB) | idle | peak | when they left | "
        f"{report['settle_s']:g} s later |",
        "|---|---:|---:|---:|---:|",
        f"| process tree | {rss['idle']:.0f} | {rss['peak']:.0f} | {rss['when_left']:.0f} | "
        f"{rss['settled']:.0f} |",
        "",
        f"Page visits through the sidebar: median {visit['median']:.2f} s, p95 "
        f"{visit['p95']:.2f} s, max {visit['max']:.2f} s; errors: {len(report['errors'])}. "
        "First load of the app (home) and the upload: in the table.",
        "",
        f"CPU during the run ({report['wall_s']:g} s on {psutil.cpu_count()} cores): server "
        f"{report['cpu_s']['server']:g} s, the Chromium sessions {report['cpu_s']['browsers']:g} "
        "s (here the browsers share the server's cores; a deployment's visitors bring their own).",
        "",
        "| page | median visit (s) |",
        "|---|---:|",
    ]
    lines += [f"| {k} | {v:.2f} |" for k, v in visit["per_page_median"].items()]
    if report["errors"]:
        lines += ["", "Errors:", *[f"- {e}" for e in report["errors"][:20]]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1, help="sessions at once (default 1)")
    parser.add_argument("--megapixels", type=float, default=12.0, help="photo size (default 12)")
    parser.add_argument("--settle", type=float, default=30.0,
                        help="seconds to wait after the sessions leave (default 30)")
    parser.add_argument("--cold", action="store_true",
                        help="measure from the server's very first request (no first visit)")
    parser.add_argument("--uploads", type=int, default=0,
                        help="instead: one session uploads this many different photos")
    parser.add_argument("--json", type=Path, help="write the full report here")
    parser.add_argument("--markdown", type=Path, help="write the summary table here")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        parser.error(f"{CHROMIUM} not found: apt-get install -y chromium")
    if args.uploads:
        report = measure_uploads(args.uploads, args.megapixels)
        text = uploads_markdown(report)
    else:
        report = measure(args.users, args.megapixels, args.settle, cold=args.cold)
        text = markdown(report)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=float))
    if args.markdown:
        args.markdown.write_text(text)
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
