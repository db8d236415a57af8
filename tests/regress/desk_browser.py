#!/usr/bin/env python3
"""desk_browser.py UDD BASE_A BASE_B OUT KNOWCTL HOME_A [german]: drives headless
Chromium over the DevTools protocol through the desk (/redaktion) of node A as
staff would: log in, write a lesson with umlauts and a Markdown table, preview,
save a draft; the author cannot approve it herself; a second account approves;
the lesson arrives on node B (polled over B's JSON API); a stale edit is refused
with both versions; a POST without the CSRF token is refused; at 390 px nothing
scrolls sideways. With "german", also a German tag (Bürgerbeteiligung), which
needs the record parser to derive slugs. Prints the seconds from opening the
form to the lesson on node B. Exit 0 when every check passes."""
import json, os, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import WS, devtools_port, js, close_browser  # noqa: E402

fails = 0


def check(what, ok):
    global fails
    print(("ok: " if ok else "FAIL: ") + what)
    fails += 0 if ok else 1


def go(ws, url):
    js(ws, "window.__old = 1")
    ws.call("Page.navigate", url=url)
    settle(ws, url)


def settle(ws, what, timeout=20):
    """Waits for the next page: evaluating while it loads may fail, so ask again."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            if js(ws, "!window.__old && document.readyState == 'complete'"):
                return
        except SystemExit:
            pass
        time.sleep(0.05)
    sys.exit("timed out waiting for " + what)


def click(ws, selector, what):
    """Clicks an element (a submit button: the form's POST, as a user's click)."""
    js(ws, "window.__old = 1")
    if not js(ws, "(() => { const e = document.querySelector(%s); if (!e) return false; e.click(); return true })()"
              % json.dumps(selector)):
        sys.exit("no element " + selector + " for " + what)
    settle(ws, what)


def fill(ws, name, value):
    js(ws, "document.querySelector('[name=%s]').value = %s" % (name, json.dumps(value)))


def login(ws, base, name, pw):
    go(ws, base + "/redaktion/")
    check("desk without a session: the login form (%s)" % name,
          js(ws, "location.pathname") == "/redaktion/anmelden")
    fill(ws, "name", name)
    # Typed, as a keyboard user would.
    js(ws, "document.getElementById('password').focus()")
    ws.call("Input.insertText", text=pw)
    click(ws, "form.desk button", "login")
    check("logged in as " + name, js(ws, "location.pathname") == "/redaktion/" and
          name in js(ws, "document.querySelector('nav.desk .who').textContent"))


def post_form(ws, action, fields, what):
    """Submits a form built in the page (as a forged or hand-made request would be)."""
    js(ws, "window.__old = 1")
    js(ws, """(() => { const f = document.createElement('form'); f.method = 'post';
        f.action = %s; for (const [k, v] of Object.entries(%s)) { const i = document.createElement('input');
        i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i) } document.body.appendChild(f); f.submit() })()"""
       % (json.dumps(action), json.dumps(fields)))
    settle(ws, what)


def lesson_on(base, title, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(base + "/api/v1/lessons?limit=100") as r:
                d = json.load(r)
            for h in d.get("lessons", d.get("results", [])):
                if h.get("title") == title:
                    return h
        except OSError:
            pass
        time.sleep(0.05)
    return None


def no_sideways_scroll(ws, what, out, name):
    w = js(ws, "document.documentElement.scrollWidth")
    check("390 px: %s has no horizontal scroll (scrollWidth %s)" % (what, w), w is not None and w <= 390)
    shot = ws.call("Page.captureScreenshot", format="png")
    import base64
    open(os.path.join(out, name), "wb").write(base64.b64decode(shot["data"]))


TITLE = "Bürgerbeteiligung in Ämtern: Übersicht für Straßen"
TABLE = "## Kosten\n\n| Posten | Euro |\n|---|---:|\n| Lizenz für Größe | 1.200 |\n| Schulung | 800 |\n"


def write_lesson(ws, base, tags):
    go(ws, base + "/redaktion/neu")
    t0 = time.time()
    check("form: German, every control labelled", js(ws, "document.documentElement.lang") == "de" and
          js(ws, "[...document.querySelectorAll('form.desk input:not([type=hidden]):not([type=checkbox]),textarea,select')]"
                 ".every(e => document.querySelector('label[for=\"' + e.id + '\"]'))"))
    check("form: the guiding questions as sections", js(ws, "document.querySelectorAll('textarea[name^=s]:not([name=summary])').length") == 10 and
          "Wie ist Ihre Stadt" in js(ws, "document.getElementById('hint-s0').textContent"))
    check("form: no script", js(ws, "document.scripts.length") == 0)
    fill(ws, "title", TITLE)
    fill(ws, "summary", "Früh beteiligen lohnt sich – für Bürgerinnen, Bürger und Ämter.")
    fill(ws, "project", "buergerbeteiligung")
    js(ws, "document.querySelector('input[value=teilhabe-gesellschaft]').click()")
    js(ws, "document.querySelector('input[value=organisatorisch]').click()")
    js(ws, "document.getElementById('status').value = 'umsetzung'")
    fill(ws, "tags", tags)
    fill(ws, "s0", "Wir begannen 2024 mit einer Umfrage in drei Stadtteilen; die Rückmeldungen überraschten.")
    fill(ws, "s9", TABLE)
    click(ws, "button[value=vorschau]", "preview")
    return t0


def main():
    udd, a, b, out, knowctl, home = sys.argv[1:7]
    german = len(sys.argv) > 7 and sys.argv[7] == "german"
    port = devtools_port(udd)
    targets = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json" % port))
    ws = WS([t for t in targets if t.get("type") == "page"][0]["webSocketDebuggerUrl"])
    ws.call("Page.enable")
    ws.call("Page.navigate", url="about:blank")
    time.sleep(0.2)

    login(ws, a, "anna", "Anna-geheim-2026!")
    t0 = write_lesson(ws, a, "beteiligung, open-data")
    check("preview: the page the public will see", js(ws, "document.querySelector('.preview h1').textContent") == TITLE)
    check("preview: the Markdown table rendered", js(ws, "document.querySelectorAll('.preview .text table td').length") == 4 and
          js(ws, "document.querySelector('.preview .text table td').textContent") == "Lizenz für Größe")
    check("preview: the form keeps what was typed", js(ws, "document.getElementById('title').value") == TITLE)
    click(ws, "button[value=speichern]", "save draft")
    path = js(ws, "location.pathname")
    check("draft saved: its own page (%s)" % path, path.startswith("/redaktion/entwurf/"))
    draft = path.rsplit("/", 1)[1]
    csrf = js(ws, "document.querySelector('input[name=csrf]').value")
    check("the author is offered no approval", js(ws, "[...document.querySelectorAll('button')].some(b => b.textContent.startsWith('Freigeben'))") is False)
    post_form(ws, "/redaktion/freigeben", {"csrf": csrf, "draft": draft}, "self-approval")
    check("the author cannot approve her own draft (Vier-Augen-Prinzip)",
          "Vier-Augen-Prinzip" in js(ws, "document.body.textContent"))
    post_form(ws, "/redaktion/speichern", {"draft": draft, "title": "ohne Token", "action": "speichern"}, "no csrf")
    check("POST without the CSRF token refused", "CSRF" in js(ws, "document.body.textContent"))
    check("nothing published yet", lesson_on(a, TITLE, 0.1) is None)

    # 390 px: the form and the draft page fit.
    ws.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=1, mobile=True)
    go(ws, a + "/redaktion/neu")
    no_sideways_scroll(ws, "the form", out, "form-390.png")
    go(ws, a + "/redaktion/entwurf/" + draft)
    no_sideways_scroll(ws, "the draft with its preview and table", out, "draft-390.png")
    ws.call("Emulation.clearDeviceMetricsOverride")

    click(ws, "nav.desk form button", "logout")
    check("logged out", js(ws, "location.pathname") == "/redaktion/anmelden")
    login(ws, a, "bernd", "Bernd-geheim-2026?")
    check("the draft waits in the overview", TITLE in js(ws, "document.querySelector('ul.drafts').textContent"))
    click(ws, "ul.drafts a", "open draft")
    click(ws, ".actions button", "approve")
    check("approved: published and signed", js(ws, "!!document.getElementById('published')"))
    h = lesson_on(b, TITLE)
    t1 = time.time()
    check("the lesson arrived on node B", h is not None)
    print("measured: open the form -> lesson on node B: %.2f s" % (t1 - t0))
    open(os.path.join(out, "elapsed"), "w").write("%.2f\n" % (t1 - t0))
    if h is not None:
        go(ws, b + "/lektion/" + h["id"])
        check("node B's page shows the umlauts and the table", js(ws, "document.querySelector('h1').textContent") == TITLE and
              js(ws, "document.querySelectorAll('.text table td').length") == 4)

    # A stale edit: both versions side by side, nothing overwritten.
    lid = h["id"] if h else ""
    go(ws, a + "/redaktion/bearbeiten/" + lid)
    shown = subprocess.run([knowctl, "--home", home, "show", lid], capture_output=True, text=True).stdout
    newer = shown.replace("title: " + TITLE, "title: Neuere Fassung aus dem Fachbereich").replace(
        'title: "' + TITLE + '"', "title: Neuere Fassung aus dem Fachbereich")
    r = subprocess.run([knowctl, "--home", home, "publish", "-"], input=newer, capture_output=True, text=True)
    check("meanwhile someone publishes a newer version", r.returncode == 0)
    fill(ws, "title", "Meine ältere Bearbeitung")
    click(ws, "button[value=speichern]", "stale save")
    body = js(ws, "document.body.textContent")
    check("the stale edit is refused with both versions side by side",
          "Inzwischen geändert" in body and js(ws, "document.querySelectorAll('.sbs pre').length") == 2 and
          "Meine ältere Bearbeitung" in body and "Neuere Fassung aus dem Fachbereich" in body)
    shown = subprocess.run([knowctl, "--home", home, "show", lid], capture_output=True, text=True).stdout
    check("the newer version stands", "Neuere Fassung aus dem Fachbereich" in shown)

    if german:
        # The record parser derives the slug and keeps the written form (tag_labels).
        write_lesson(ws, a, "Bürgerbeteiligung, Open Data")
        check("German tag: no error next to the tags", js(ws, "!document.getElementById('err-tags')"))
        check("German tag: the preview links the derived slug",
              js(ws, "[...document.querySelectorAll('.preview a')].some(a => a.href.endsWith('tag=buergerbeteiligung'))"))
        check("German tag: the preview shows it as written",
              js(ws, "[...document.querySelectorAll('.preview a')].some(a => a.textContent.includes('Bürgerbeteiligung'))"))
    close_browser(port)
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
