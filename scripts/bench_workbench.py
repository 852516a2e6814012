#!/usr/bin/env python3
"""Workbench benchmark (issue 3): server time to render a 20,000-word
transcript carrying 1,000 codings, and the latency of applying a coding with
20 concurrent coders for 60 s (wrk on loopback), with zero errors and zero
lost codings.

Usage: scripts/bench_workbench.py [--binary target/release/sankore] [--seconds 60]
Needs: wrk (Debian package). Uses only the standard library. Everything is
synthetic and stays on 127.0.0.1.
"""
import argparse, json, os, random, re, shutil, statistics, subprocess, sys, tempfile, time
import urllib.request, urllib.parse

PASSPHRASE = "benchmark passphrase only"
WORDS = ("les jeunes du quartier disent que le travail manque depuis la crise et que les autorités "
         "ne les écoutent pas quand ils demandent des projets pour la commune alors ils partent vers "
         "les sites d'orpaillage ou ailleurs 🙂 l'école ferme souvent et la justice est lente").split()

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

OPENER = urllib.request.build_opener(NoRedirect)

def request(method, url, cookie=None, headers=None, body=None, content_type=None):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, method=method, data=data)
    if cookie: req.add_header("Cookie", cookie)
    if content_type: req.add_header("Content-Type", content_type)
    for k, v in (headers or {}).items(): req.add_header(k, v)
    try:
        resp = OPENER.open(req)
    except urllib.error.HTTPError as e:
        resp = e
    return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read().decode()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/sankore")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--connections", type=int, default=20)
    ap.add_argument("--keep", help="build the workspace in this directory and keep it (for profiling)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    env = dict(os.environ, SANKORE_PASSPHRASE=PASSPHRASE, LANG="C")
    root = args.keep or tempfile.mkdtemp(prefix="sankore-bench-")
    os.makedirs(root, exist_ok=True)
    ws = os.path.join(root, "w")
    subprocess.run([args.binary, "demo", ws], env=env, check=True, capture_output=True)
    pw = os.path.join(root, "pw")
    open(pw, "w").write("bench coder password\n")
    subprocess.run([args.binary, "user", "add", "--workspace", ws, "--name", "bench-coder", "--role", "coder", "--password-file", pw], env=env, check=True, capture_output=True)
    subprocess.run([args.binary, "user", "add", "--workspace", ws, "--name", "bench-researcher", "--role", "researcher", "--password-file", pw], env=env, check=True, capture_output=True)
    server = subprocess.Popen([args.binary, "serve", "--workspace", ws, "--addr", "127.0.0.1:0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base = re.search(r"http://\S+", server.stdout.readline()).group(0).rstrip("/")
        def sign_in(name):
            status, headers, _ = request("POST", base + "/login", body="name=%s&password=%s" % (name, urllib.parse.quote("bench coder password")), content_type="application/x-www-form-urlencoded")
            assert status == 303, status
            cookie = headers["set-cookie"].split(";")[0]
            _, _, page = request("GET", base + "/", cookie=cookie)
            csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
            return cookie, csrf
        cookie, csrf = sign_in("bench-researcher")
        form = lambda fields: urllib.parse.urlencode(dict(fields, csrf=csrf))
        status, _, body = request("POST", base + "/sessions", cookie, body=form({"code": "BENCH-RT-001", "kind": "roundtable", "place": "TBK", "date": "2017-05-01"}), content_type="application/x-www-form-urlencoded")
        assert status == 303, body
        rng = random.Random(42)
        lines, words = [], 0
        while words < 20000:
            n = rng.randint(30, 90)
            lines.append("P%d : %s" % (rng.randint(1, 12), " ".join(rng.choice(WORDS) for _ in range(n))))
            words += n
        status, headers, body = request("POST", base + "/sessions/BENCH-RT-001/documents", cookie, body=form({"title": "Benchmark transcript", "language": "fr", "text": "\n".join(lines)}), content_type="application/x-www-form-urlencoded")
        assert status == 303, body
        doc = headers["location"].rsplit("/", 1)[1]
        cookie, csrf = sign_in("bench-coder")
        _, _, text = request("GET", base + "/api/v1/documents/" + doc, cookie)
        length = json.loads(text)["chars"]
        codes = [c["key"] for c in json.loads(request("GET", base + "/api/v1/codebook", cookie)[2])["codes"]]
        api = base + "/api/v1/documents/%s/codings" % doc
        for _ in range(1000):
            start = rng.randrange(0, length - 400)
            body = json.dumps({"codes": [rng.choice(codes)], "start": start, "end": start + rng.randint(20, 400)})
            status, _, out = request("POST", api, cookie, {"X-CSRF-Token": csrf}, body, "application/json")
            assert status == 201, out
        # Render: server time from Server-Timing, 50 times.
        render = []
        for _ in range(50):
            status, headers, page = request("GET", base + "/documents/" + doc, cookie)
            assert status == 200
            render.append(float(re.search(r"dur=([0-9.]+)", headers["server-timing"]).group(1)))
        render.sort()
        before = len(json.loads(request("GET", base + "/api/v1/documents/" + doc, cookie)[2])["codings"])
        lua = os.path.join(root, "post.lua")
        open(lua, "w").write("""
wrk.method = "POST"
wrk.body = '{"codes": ["%s"], "start": 100, "end": 160}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "%s"
wrk.headers["X-CSRF-Token"] = "%s"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) created = 0 end
function response(status, headers, body) if status == 201 then created = created + 1 end end
done = function(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("created") end
  io.write(string.format("created %%d\\n", total))
  io.write(string.format("requests %%d\\n", summary.requests))
  io.write(string.format("errors %%d\\n", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
  io.write(string.format("p50_us %%d\\np95_us %%d\\np99_us %%d\\nmax_us %%d\\n", latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
""" % (codes[0], cookie, csrf))
        out = subprocess.run(["wrk", "-t2", "-c%d" % args.connections, "-d%ds" % args.seconds, "-s", lua, api], capture_output=True, text=True, check=True).stdout
        figures = dict((k, int(v)) for k, v in re.findall(r"^(\w+) (\d+)$", out, re.M))
        after = len(json.loads(request("GET", base + "/api/v1/documents/" + doc, cookie)[2])["codings"])
        # Requests still in flight when wrk stops may be stored without being
        # counted, so stored >= acknowledged; a lost coding would make it less.
        lost = max(0, figures["created"] - (after - before))
        print("machine: %s, %s cores" % (open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].split("\n")[0].strip(), os.cpu_count()))
        print("transcript: %d words, %d characters, %d codings" % (words, length, before))
        print("render (server time, 50 runs): median %.1f ms, p95 %.1f ms, max %.1f ms" % (statistics.median(render), render[int(len(render) * 0.95) - 1], render[-1]))
        print("apply a coding, %d coders for %d s: %d requests (%.0f/s), p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms" % (
            args.connections, args.seconds, figures["requests"], figures["requests"] / args.seconds,
            figures["p50_us"] / 1000, figures["p95_us"] / 1000, figures["p99_us"] / 1000, figures["max_us"] / 1000))
        print("errors: %d, 201 answers: %d, codings stored: %d, lost: %d" % (figures["errors"], figures["created"], after - before, lost))
        ok = figures["errors"] == 0 and lost == 0 and figures["created"] == figures["requests"]
        sys.exit(0 if ok else 1)
    finally:
        server.terminate()
        server.wait()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

if __name__ == "__main__":
    main()
