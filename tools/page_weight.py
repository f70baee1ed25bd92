"""How heavy and how slow a page of the built site is on a throttled phone.

    .venv/bin/python tools/page_weight.py [--site _build/html] [--runs 1] [--detail] [PAGE ...]

Serves the site twice on 127.0.0.1 (as it is, like ``python -m http.server``, and gzipping text
files, like GitHub Pages and most static hosts) and loads each page in Chromium with the cache
disabled, a 390x844 phone viewport (device scale factor 3) and Chromium's own network emulation
(1.6 Mbit/s down, 750 kbit/s up, 150 ms latency). For each load it prints the first paint and
first contentful paint (the browser's paint timing entries), the load event, the number of
requests and the bytes on the wire (``encodedDataLength`` of every finished request, headers
included) and decoded (the bodies after decompression). Requests made after the load event
(MathJax's fonts, say) are counted: a load ends when the network has been quiet for 2 s.

The default pages: a text-only chapter (book/softmax/multinomial_glm.html: prose, 60 formulas, no
figure or animation) and the heaviest page (book/training/training_explorer.html).
"""

import argparse
import contextlib
import functools
import gzip
import http.server
import io
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT_PAGE = "book/softmax/multinomial_glm.html"
HEAVY_PAGE = "book/training/training_explorer.html"
# Chromium's emulation takes bytes per second and milliseconds.
DOWN = 1.6e6 / 8
UP = 750e3 / 8
LATENCY = 150
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3}
PHONE_FLAGS = {"is_mobile": True, "has_touch": True}
# What static hosts compress (GitHub Pages gzips these; images and fonts are compressed already).
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")
QUIET = 2.0


class _Handler(http.server.SimpleHTTPRequestHandler):
    """http.server's static files, optionally gzipped (whole file, in memory, cached)."""

    compress = False
    cache = {}

    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        # The browser may close a connection mid-file (a page closed while loading).
        try:
            super().copyfile(source, outputfile)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def end_headers(self):
        # Cache disabled in the browser anyway; this keeps a reload honest outside the tool too.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_head(self):
        if not self.compress or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        ctype = self.guess_type(str(path))
        if not path.is_file() or not ctype.startswith(TEXT_TYPES):
            return super().send_head()
        key = (str(path), path.stat().st_mtime_ns)
        body = self.cache.get(key)
        if body is None:
            body = self.cache[key] = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextlib.contextmanager
def serve(site, compress):
    """The site at http://127.0.0.1:<port>, raw or gzipping text (compress=True)."""
    handler_class = type("Handler", (_Handler,), {"compress": compress, "cache": {}})
    handler = functools.partial(handler_class, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def measure(browser, url, timeout=240.0):
    """One throttled, uncached load of url on the phone profile: a dict of timings and bytes."""
    context = browser.new_context(**PHONE, **PHONE_FLAGS)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        requests, inflight, resources = {}, set(), {}
        totals = {"encoded": 0, "decoded": 0, "failed": 0}
        last = [time.monotonic()]

        def network(scheme_url):
            return scheme_url.startswith(("http:", "https:"))

        def sent(event):
            if network(event["request"]["url"]) and event["requestId"] not in requests:
                requests[event["requestId"]] = event["request"]["url"]
                inflight.add(event["requestId"])
                last[0] = time.monotonic()

        def received(event):
            if event["requestId"] in requests:
                totals["decoded"] += event["dataLength"]
                resources.setdefault(event["requestId"], [0, 0])[1] += event["dataLength"]
                last[0] = time.monotonic()

        def finished(event):
            if event["requestId"] in requests:
                totals["encoded"] += event["encodedDataLength"]
                resources.setdefault(event["requestId"], [0, 0])[0] = event["encodedDataLength"]
                inflight.discard(event["requestId"])
                last[0] = time.monotonic()

        def failed(event):
            if event["requestId"] in requests:
                totals["failed"] += 1
                inflight.discard(event["requestId"])
                last[0] = time.monotonic()

        cdp.on("Network.requestWillBeSent", sent)
        cdp.on("Network.dataReceived", received)
        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.loadingFailed", failed)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        conditions = {"offline": False, "latency": LATENCY}
        conditions |= {"downloadThroughput": DOWN, "uploadThroughput": UP}
        cdp.send("Network.emulateNetworkConditions", conditions)
        page.goto(url, wait_until="load", timeout=timeout * 1000)
        deadline = time.monotonic() + timeout
        # Quiet: nothing in flight and no network event for QUIET seconds (CDP events arrive
        # while Playwright waits, so the page's own timers keep running meanwhile).
        while time.monotonic() < deadline:
            page.wait_for_timeout(250)
            if not inflight and time.monotonic() - last[0] > QUIET:
                break
        else:
            raise TimeoutError(f"{url}: requests still in flight after {timeout} s: {inflight}")
        timing = page.evaluate(
            """() => {
              const paint = Object.fromEntries(
                performance.getEntriesByType("paint").map((e) => [e.name, e.startTime]));
              const nav = performance.getEntriesByType("navigation")[0];
              return {fp: paint["first-paint"], fcp: paint["first-contentful-paint"],
                      load: nav.loadEventStart, dcl: nav.domContentLoadedEventStart};
            }"""
        )
        top = sorted(
            ((enc, dec, requests[rid]) for rid, (enc, dec) in resources.items()), reverse=True
        )
        return {
            **timing,
            "requests": len(requests),
            "failed": totals["failed"],
            "encoded": totals["encoded"],
            "decoded": totals["decoded"],
            "top": top,
        }
    finally:
        context.close()


def _mb(n):
    # Three decimals, truncated (never rounded up).
    return f"{int(n / 1000) / 1000:.3f}"


def _s(ms):
    return "-" if ms is None else f"{int(ms / 10) / 100:.2f}"


HEADER = (
    "| page | server | first paint s | FCP s | load s | requests | transferred MB | decoded MB |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- |"
)


def row(page, server, m):
    return (
        f"| {page} | {server} | {_s(m['fp'])} | {_s(m['fcp'])} | {_s(m['load'])} | "
        f"{m['requests']} | {_mb(m['encoded'])} ({m['encoded']} B) | {_mb(m['decoded'])} |"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", default=[TEXT_PAGE, HEAVY_PAGE])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--servers", default="raw,gzip", help="raw, gzip or both (raw,gzip)")
    parser.add_argument("--detail", action="store_true", help="the 8 largest requests of a load")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from _browser import launch_chromium

    print(f"Site: {args.site.resolve()}; phone 390x844 DPR 3, 1.6 Mbit/s down, 150 ms, no cache")
    print(HEADER)
    details = []
    with launch_chromium() as browser:
        for server in args.servers.split(","):
            with serve(args.site, compress=server == "gzip") as base:
                for page in args.pages:
                    for _ in range(args.runs):
                        m = measure(browser, f"{base}/{page}")
                        print(row(page, server, m), flush=True)
                        if m["failed"]:
                            print(f"  ({m['failed']} failed requests)")
                        details.append((page, server, m["top"][:8]))
    if args.detail:
        for page, server, top in details:
            print(f"\n{page} ({server}): largest requests, transferred / decoded bytes")
            for enc, dec, url in top:
                print(f"  {enc:>9} {dec:>9}  {url.split('/', 3)[-1].split('?')[0]}")


if __name__ == "__main__":
    main()
