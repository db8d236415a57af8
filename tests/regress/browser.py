#!/usr/bin/env python3
"""browser.py PORT_FILE_DIR BASE OUTDIR: drives headless Chromium over the DevTools
protocol (standard library only): loads the start page, types a search into the
form and submits it with Enter, opens the first hit, and checks the DOM of each
page. Saves the DOMs and a screenshot into OUTDIR. Exit 0 when all checks pass."""
import base64, json, os, socket, struct, sys, time, urllib.request


def devtools_port(udd):
    path = os.path.join(udd, "DevToolsActivePort")
    for _ in range(200):
        if os.path.exists(path):
            with open(path) as f:
                line = f.readline().strip()
            if line:
                return int(line)
        time.sleep(0.1)
    sys.exit("no DevToolsActivePort")


class WS:
    """A minimal RFC 6455 client: text frames out (masked), frames in."""

    def __init__(self, url):
        hostport, path = url[len("ws://"):].split("/", 1)
        host, port = hostport.split(":")
        self.s = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n" % (path, hostport, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.s.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            sys.exit("websocket handshake failed: %r" % head[:80])
        self.n = 0

    def recvn(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                raise EOFError
            b += c
        return b

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        hdr = bytes([0x81])
        n = len(data)
        if n < 126:
            hdr += bytes([0x80 | n])
        elif n < 65536:
            hdr += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            hdr += bytes([0x80 | 127]) + struct.pack(">Q", n)
        self.s.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv(self):
        msg = b""
        while True:
            b0, b1 = self.recvn(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self.recvn(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self.recvn(8))[0]
            msg += self.recvn(n)
            if b0 & 0x80:
                return json.loads(msg)

    def call(self, method, **params):
        self.n += 1
        self.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            m = self.recv()
            if m.get("id") == self.n:
                if "error" in m:
                    sys.exit("%s: %s" % (method, m["error"]))
                return m.get("result", {})


def close_browser(port):
    """Closes the whole browser over DevTools: its helpers (zygotes, renderers,
    crash handlers) go with it, where a signal to the launcher leaves them."""
    v = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json/version" % port))
    try:
        WS(v["webSocketDebuggerUrl"]).call("Browser.close")
    except (EOFError, OSError):
        pass


def js(ws, expr):
    r = ws.call("Runtime.evaluate", expression=expr, returnByValue=True)
    return r.get("result", {}).get("value")


def wait(ws, cond, what, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        if js(ws, cond):
            return
        time.sleep(0.1)
    sys.exit("timed out waiting for " + what)


fails = 0


def check(what, ok):
    global fails
    print(("ok: " if ok else "FAIL: ") + what)
    fails += 0 if ok else 1


def main():
    global fails
    udd, base, out = sys.argv[1], sys.argv[2], sys.argv[3]
    port = devtools_port(udd)
    targets = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json" % port))
    page = [t for t in targets if t.get("type") == "page"][0]
    ws = WS(page["webSocketDebuggerUrl"])
    ws.call("Page.enable")
    ws.call("Page.navigate", url=base + "/")
    wait(ws, "document.readyState == 'complete' && !!document.getElementById('q')", "start page")
    dom = js(ws, "document.documentElement.outerHTML")
    open(os.path.join(out, "start.html"), "w").write(dom)
    check("start page: German, one h1", js(ws, "document.documentElement.lang == 'de' && document.querySelectorAll('h1').length == 1"))
    check("start page: recent lessons listed", js(ws, "document.querySelectorAll('ol.hits li').length") >= 1)
    check("start page: facet counts", js(ws, "[...document.querySelectorAll('.facets h3')].map(e => e.textContent).join('|')") == "Handlungsfeld|Status|Hürde|Kommune")
    check("start page: every form control has a label", js(ws, "[...document.querySelectorAll('input,select')].every(e => document.querySelector('label[for=\"' + e.id + '\"]'))"))
    check("start page: no script elements", js(ws, "document.scripts.length") == 0)
    # Type into the search field and press Enter, as a keyboard user would.
    js(ws, "document.getElementById('q').focus()")
    ws.call("Input.insertText", text="Beteiligung")
    for t in ("keyDown", "char", "keyUp"):
        ws.call("Input.dispatchKeyEvent", type=t, key="Enter", code="Enter", text="\r",
                windowsVirtualKeyCode=13, nativeVirtualKeyCode=13)
    wait(ws, "location.pathname == '/suche' && document.readyState == 'complete'", "search results")
    open(os.path.join(out, "search.html"), "w").write(js(ws, "document.documentElement.outerHTML"))
    check("search: the form's GET URL carries the query", "q=Beteiligung" in js(ws, "location.search"))
    check("search: hits with highlighted matches", js(ws, "document.querySelectorAll('ol.hits li').length") >= 2 and
          js(ws, "[...document.querySelectorAll('mark')].some(m => m.textContent == 'Beteiligung')"))
    check("search: the query stays in the field", js(ws, "document.getElementById('q').value") == "Beteiligung")
    first = js(ws, "document.querySelector('ol.hits a').textContent")
    js(ws, "document.querySelector('ol.hits a').click()")
    wait(ws, "location.pathname.startsWith('/lektion/') && document.readyState == 'complete'", "lesson page")
    open(os.path.join(out, "lesson.html"), "w").write(js(ws, "document.documentElement.outerHTML"))
    check("lesson: h1 is the hit's title", js(ws, "document.querySelector('h1').textContent") == first)
    check("lesson: metadata list names the municipality", js(ws, "document.querySelector('dl dt').textContent") == "Kommune")
    check("lesson: Markdown sections rendered as h2", js(ws, "document.querySelectorAll('.text h2').length") >= 5)
    shot = ws.call("Page.captureScreenshot", format="png")
    png = base64.b64decode(shot["data"])
    open(os.path.join(out, "shot.png"), "wb").write(png)
    check("screenshot saved (%d bytes)" % len(png), png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000)
    close_browser(port)
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
