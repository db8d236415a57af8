#!/usr/bin/env python3
"""screens.py UDD BASE OUTDIR AXE PAGES…: drives headless Chromium over the
DevTools protocol (browser.py's client): each page NAME=PATH is loaded at
1280 and at 390 CSS pixels wide, saved as OUTDIR/NAME-WIDTH.png (the whole
page), checked for horizontal scrolling, and, when AXE (axe.min.js from
npm) is given, audited by axe-core: no serious or critical violation.
Also checks the print stylesheet: the lesson printed to PDF as A4 is one
page per … (reported) and the print-only source line is shown."""
import base64, json, os, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from browser import WS, close_browser, devtools_port  # noqa: E402 (browser.py's DevTools client)


udd, base, out, axe_path = sys.argv[1:5]
pages = [p.split("=", 1) for p in sys.argv[5:]]
fails = 0


def check(what, ok, detail=""):
    global fails
    print(("ok: " if ok else "FAIL: ") + what + ("" if ok or not detail else " — " + str(detail)[:600]))
    fails += 0 if ok else 1


def js(ws, expr, awaitp=False):
    r = ws.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=awaitp)
    if "exceptionDetails" in r:
        return {"exception": r["exceptionDetails"].get("text")}
    return r.get("result", {}).get("value")


def load(ws, url):
    ws.call("Page.navigate", url=url)
    end = time.time() + 20
    while time.time() < end:
        if js(ws, "document.readyState == 'complete' && location.href == %s" % json.dumps(url)):
            return True
        time.sleep(0.05)
    return False


port = devtools_port(udd)
targets = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json" % port))
page = [t for t in targets if t.get("type") == "page"][0]
ws = WS(page["webSocketDebuggerUrl"])
ws.call("Page.enable")
ws.call("Page.setBypassCSP", enabled=True)	# lets the test inject axe-core; the site has no script
axe = open(axe_path).read() if axe_path != "-" else None
for width, mobile in ((1280, False), (390, True)):
    ws.call("Emulation.setDeviceMetricsOverride", width=width, height=900,
            deviceScaleFactor=1, mobile=mobile)
    for name, path in pages:
        url = base + path
        if not load(ws, url):
            check("%s at %d px loads" % (name, width), False)
            continue
        # A mobile viewport widens to fit wide content: compare with the screen's width.
        sw = js(ws, "[document.documentElement.scrollWidth, window.innerWidth]")
        check("%s at %d px: no horizontal scrolling (content %s px wide)" % (name, width, sw[0]),
              sw[0] <= width and sw[1] <= width, sw)
        h = js(ws, "Math.ceil(document.documentElement.scrollHeight)")
        shot = ws.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                       clip={"x": 0, "y": 0, "width": width, "height": min(h, 6000), "scale": 1})
        png = base64.b64decode(shot["data"])
        open(os.path.join(out, "%s-%d.png" % (name, width)), "wb").write(png)
        check("%s at %d px: screenshot %s-%d.png (%d bytes)" % (name, width, name, width, len(png)),
              png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000)
        if axe and width == 1280 or axe and name == "lesson":
            js(ws, axe)
            res = js(ws, "axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify("
                         "r.violations.map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,"
                         " html: v.nodes[0].html}))))", True)
            vs = json.loads(res) if isinstance(res, str) else [{"id": "axe failed", "impact": "critical", "detail": res}]
            bad = [v for v in vs if v["impact"] in ("serious", "critical")]
            check("%s at %d px: axe-core finds no serious violation (%d minor)" % (name, width, len(vs) - len(bad)),
                  not bad, bad)
# Print: the lesson on A4 with its source and licence.
name, path = [p for p in pages if p[0] == "lesson"][0]
ws.call("Emulation.clearDeviceMetricsOverride")
load(ws, base + path)
ws.call("Emulation.setEmulatedMedia", media="print")
shown = js(ws, "getComputedStyle(document.querySelector('.print-only')).display != 'none' && "
               "getComputedStyle(document.querySelector('form') || document.body).display")
src = js(ws, "document.querySelector('.print-only').textContent")
check("print: the source and licence line is shown (%s)" % src, bool(shown) and "Quelle:" in src and "Lizenz:" in src)
hidden = js(ws, "[...document.querySelectorAll('.noprint, .skip')].every(e => getComputedStyle(e).display == 'none')")
check("print: navigation and links of the screen are hidden", hidden)
ws.call("Emulation.setEmulatedMedia", media="")
pdf = ws.call("Page.printToPDF", paperWidth=8.27, paperHeight=11.69, preferCSSPageSize=True)
data = base64.b64decode(pdf["data"])
open(os.path.join(out, "lesson-print.pdf"), "wb").write(data)
npages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
print("note: the lesson prints on %d A4 page(s)" % npages)
check("print: a PDF of the lesson on A4 (%d pages)" % npages, data[:4] == b"%PDF" and 1 <= npages <= 4)
close_browser(port)
sys.exit(1 if fails else 0)
