#!/usr/bin/env python3
"""The data test suite: the desktop integration files, the Flatpak manifests and the
translations, checked the way a distributor or Flathub would check them.

    test-data.py desktop   SRCDIR BUILDDIR APP_ID
    test-data.py metainfo  SRCDIR BUILDDIR APP_ID VERSION
    test-data.py schema    SRCDIR BUILDDIR
    test-data.py manifest  SRCDIR
    test-data.py potfiles  SRCDIR
    test-data.py install   SRCDIR PROFILE        (configures, builds and installs a /app tree)

Each prints TAP and exits non-zero when a check fails.
"""

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

BASE_APP_ID = "io.github.saveidea.Saveidea"


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, detail=""):
        self.n += 1
        if cond:
            print(f"ok {self.n} - {what}")
        else:
            self.failed += 1
            print(f"not ok {self.n} - {what}")
            for line in str(detail).rstrip().splitlines():
                print(f"# {line}")
        return cond

    def done(self):
        print(f"1..{self.n}")
        sys.exit(1 if self.failed else 0)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw)


def read_desktop(path):
    parser = configparser.RawConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser


def check_desktop_file(t, path, app_id, bindir=None):
    """Validates a built or installed desktop file and its essential keys."""
    res = run(["desktop-file-validate", path])
    # Hints (such as two main categories, which we want) are allowed; errors and warnings not.
    problems = [l for l in res.stdout.splitlines() if ": error:" in l or ": warning:" in l]
    t.ok(res.returncode == 0 and not problems, f"desktop-file-validate {os.path.basename(path)}",
         res.stdout)
    entry = read_desktop(path)["Desktop Entry"]
    t.ok(entry.get("Icon") == app_id, "Icon is the app id", entry.get("Icon"))
    t.ok(entry.get("DBusActivatable") == "true", "DBusActivatable=true")
    t.ok(entry.get("Exec", "").split()[0] == "saveidea", "Exec starts saveidea", entry.get("Exec"))
    t.ok(entry.get("StartupNotify") == "true", "StartupNotify=true")
    cats = entry.get("Categories", "").split(";")
    t.ok("Office" in cats and "Utility" in cats, "Categories has Office and Utility", cats)
    t.ok(entry.get("Keywords", "").endswith(";") and len(entry.get("Keywords", "")) > 10,
         "Keywords are a ;-terminated list", entry.get("Keywords"))
    # Quick capture, on the icon's right-click menu: with D-Bus activation the shell activates
    # the app action of the same name (app.new-idea), elsewhere the Exec line runs.
    t.ok("new-idea" in entry.get("Actions", "").split(";"), "Actions lists new-idea",
         entry.get("Actions"))
    action = read_desktop(path)["Desktop Action new-idea"] \
        if read_desktop(path).has_section("Desktop Action new-idea") else {}
    t.ok(action.get("Name") == "New Idea", "the New Idea action is named", action.get("Name"))
    t.ok(action.get("Exec", "").split()[:1] == ["saveidea"] and
         action.get("Exec", "").split()[-1:] == ["--new"],
         "the New Idea action runs saveidea --new", action.get("Exec"))
    return entry


def check_dbus_service(t, path, app_id, bindir):
    ok = t.ok(os.path.isfile(path), f"D-Bus service {os.path.basename(path)} exists", path)
    if not ok:
        return
    svc = read_desktop(path)["D-BUS Service"]
    t.ok(svc.get("Name") == app_id, "D-Bus service Name is the app id", svc.get("Name"))
    t.ok(svc.get("Exec") == f"{bindir}/saveidea --gapplication-service",
         "D-Bus service starts the installed saveidea --gapplication-service", svc.get("Exec"))


def check_search_provider(t, path, app_id):
    """The GNOME Shell search provider's .ini: it names the desktop file, the bus name and the
    object path where the application exports org.gnome.Shell.SearchProvider2."""
    if not t.ok(os.path.isfile(path), f"search provider {os.path.basename(path)} exists", path):
        return
    ini = read_desktop(path)
    t.ok(ini.has_section("Shell Search Provider"), "the .ini has [Shell Search Provider]")
    sp = ini["Shell Search Provider"] if ini.has_section("Shell Search Provider") else {}
    t.ok(sp.get("DesktopId") == app_id + ".desktop", "DesktopId is the desktop file", sp.get("DesktopId"))
    t.ok(sp.get("BusName") == app_id, "BusName is the app id", sp.get("BusName"))
    path_wanted = "/" + app_id.replace(".", "/") + "/SearchProvider"
    t.ok(sp.get("ObjectPath") == path_wanted, f"ObjectPath is {path_wanted}", sp.get("ObjectPath"))
    t.ok(sp.get("Version") == "2", "Version=2", sp.get("Version"))


def cmd_desktop(srcdir, builddir, app_id):
    t = Tap()
    desktop = os.path.join(builddir, "data", app_id + ".desktop")
    if t.ok(os.path.isfile(desktop), "the desktop file is built", desktop):
        check_desktop_file(t, desktop, app_id)
    # The file the D-Bus activation needs must carry the same name as the desktop file.
    service = os.path.join(builddir, "data", app_id + ".service")
    if t.ok(os.path.isfile(service), "the D-Bus service file is built", service):
        svc = read_desktop(service)["D-BUS Service"]
        t.ok(svc.get("Name") == app_id, "D-Bus service Name is the app id", svc.get("Name"))
        t.ok(svc.get("Exec", "").endswith("/saveidea --gapplication-service"),
             "D-Bus service Exec runs saveidea --gapplication-service", svc.get("Exec"))
    check_search_provider(t, os.path.join(builddir, "data", app_id + ".search-provider.ini"), app_id)
    t.done()


def check_metainfo(t, path, app_id, version):
    res = run(["appstreamcli", "validate", "--no-net", path])
    t.ok(res.returncode == 0, f"appstreamcli validate --no-net {os.path.basename(path)}",
         res.stdout)
    # Warnings fail the validation above; report anything worse than info and pedantic too.
    worse = [l for l in res.stdout.splitlines() if re.match(r"^[EW]: ", l)]
    t.ok(not worse, "no errors or warnings from appstreamcli", "\n".join(worse))
    root = ET.parse(path).getroot()
    t.ok(root.findtext("id") == app_id, "component id is the app id", root.findtext("id"))
    t.ok(root.findtext("launchable") == app_id + ".desktop", "launchable is the desktop file",
         root.findtext("launchable"))
    t.ok(root.findtext("project_license") == "GPL-3.0-or-later", "project_license")
    t.ok(root.findtext("metadata_license") == "CC0-1.0", "metadata_license")
    releases = root.findall("releases/release")
    t.ok(releases and releases[0].get("version") == version,
         f"the newest release in the metainfo is the project version {version}",
         [r.get("version") for r in releases])
    t.ok(all(r.get("date") for r in releases), "every release has a date")
    shots = root.findall("screenshots/screenshot")
    images = [s.findtext("image") or "" for s in shots]
    t.ok(len(shots) >= 1 and sum(1 for s in shots if s.get("type") == "default") == 1,
         "screenshots with exactly one default", images)
    t.ok(all(s.findtext("caption") for s in shots), "every screenshot has a caption")
    t.ok(all(re.match(r"^https://.+/data/screenshots/[a-z-]+\.png$", i) for i in images),
         "screenshot images are URLs of data/screenshots/*.png", images)
    rating = root.find("content_rating")
    t.ok(rating is not None and rating.get("type") == "oars-1.1", "OARS 1.1 content rating")
    colours = {c.get("scheme_preference"): c.text for c in root.findall("branding/color")}
    t.ok(set(colours) == {"light", "dark"}, "branding colours for light and dark", colours)
    urls = {u.get("type") for u in root.findall("url")}
    t.ok({"homepage", "bugtracker"} <= urls, "homepage and bugtracker URLs", urls)
    t.ok(root.find("requires/display_length") is not None, "requires a display length")
    return root


def screenshot_files(srcdir, root):
    """The screenshots the metainfo names, checked against data/screenshots/ once it exists."""
    shots_dir = os.path.join(srcdir, "data", "screenshots")
    names = [os.path.basename(s.findtext("image") or "") for s in root.findall("screenshots/screenshot")]
    missing = [n for n in names if not os.path.isfile(os.path.join(shots_dir, n))]
    return names, missing


def cmd_metainfo(srcdir, builddir, app_id, version):
    t = Tap()
    path = os.path.join(builddir, "data", app_id + ".metainfo.xml")
    if t.ok(os.path.isfile(path), "the metainfo is built", path):
        root = check_metainfo(t, path, app_id, version)
        names, missing = screenshot_files(srcdir, root)
        shots_dir = os.path.join(srcdir, "data", "screenshots")
        pngs = [f for f in os.listdir(shots_dir) if f.endswith(".png")] if os.path.isdir(shots_dir) else []
        if pngs:
            t.ok(not missing, "every screenshot in the metainfo is in data/screenshots/", missing)
        else:
            print("# data/screenshots/ has no PNGs yet: not checking the screenshot files")
    t.done()


def cmd_schema(srcdir, builddir):
    t = Tap()
    res = run(["glib-compile-schemas", "--strict", "--dry-run", os.path.join(srcdir, "data")])
    t.ok(res.returncode == 0, "glib-compile-schemas --strict --dry-run data/", res.stdout)
    schemadir = os.path.join(builddir, "data")
    t.ok(os.path.isfile(os.path.join(schemadir, "gschemas.compiled")),
         "the schema is compiled into the build directory (GSETTINGS_SCHEMA_DIR for the tests)")
    env = dict(os.environ, GSETTINGS_BACKEND="memory")

    def gs(*args):
        return run(["gsettings", "--schemadir", schemadir] + list(args), env=env)

    expected = {
        "window-width": "1000",
        "window-height": "640",
        "window-maximized": "false",
        "sync-interval": "uint32 5",
        "auto-push": "true",
    }
    for key, value in expected.items():
        res = gs("get", BASE_APP_ID, key)
        t.ok(res.returncode == 0 and res.stdout.strip() == value,
             f"{key} defaults to {value}", res.stdout)
    res = gs("range", BASE_APP_ID, "sync-interval")
    t.ok(res.stdout.split() == ["range", "u", "1", "1440"], "sync-interval is 1..1440 minutes",
         res.stdout)
    res = gs("set", BASE_APP_ID, "sync-interval", "0")
    t.ok(res.returncode != 0, "a sync interval of 0 is refused", res.stdout)
    # The account belongs to a notebook (its database), not to the user's settings.
    res = gs("list-keys", BASE_APP_ID)
    keys = set(res.stdout.split())
    t.ok(not keys & {"server-url", "user-name", "token", "password"},
         "no account keys in GSettings (the account lives in the notebook database)", keys)
    tree = ET.parse(os.path.join(srcdir, "data", BASE_APP_ID + ".gschema.xml")).getroot()
    schema = tree.find("schema")
    t.ok(schema.get("path") == "/io/github/saveidea/Saveidea/", "schema path", schema.get("path"))
    t.ok(tree.get("gettext-domain") == "saveidea", "summaries are translated (gettext-domain)")
    t.ok(all(k.findtext("summary") for k in schema.findall("key")), "every key has a summary")
    t.done()


def check_manifest(t, path, app_id, profile):
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
    except (OSError, ValueError) as e:
        t.ok(False, f"{name} parses as JSON", e)
        return
    t.ok(True, f"{name} parses as JSON")
    t.ok(m.get("app-id") == app_id, f"{name}: app-id {app_id}", m.get("app-id"))
    t.ok(m.get("runtime") == "org.gnome.Platform", f"{name}: runtime org.gnome.Platform")
    t.ok(m.get("sdk") == "org.gnome.Sdk", f"{name}: sdk org.gnome.Sdk")
    rv = str(m.get("runtime-version", ""))
    t.ok(re.fullmatch(r"4[7-9]|[5-9][0-9]|master", rv) is not None,
         f"{name}: a current GNOME runtime (47 or newer)", rv)
    t.ok(m.get("command") == "saveidea", f"{name}: command saveidea")
    args = m.get("finish-args", [])
    needed = {"--share=network", "--share=ipc", "--socket=wayland", "--socket=fallback-x11",
              "--device=dri"}
    t.ok(needed <= set(args), f"{name}: network, ipc, wayland, fallback-x11 and dri", args)
    forbidden = [a for a in args if a.startswith("--filesystem") or a in
                 ("--socket=x11", "--device=all", "--talk-name=org.freedesktop.Flatpak",
                  "--socket=session-bus", "--socket=system-bus")]
    t.ok(not forbidden, f"{name}: no file system or whole-bus access", forbidden)
    t.ok(len(args) == len(set(args)), f"{name}: no duplicate finish-args")
    modules = m.get("modules", [])
    app = modules[-1] if modules else {}
    t.ok(app.get("buildsystem") == "meson", f"{name}: the last module is built with meson", app)
    opts = app.get("config-opts", [])
    t.ok({"-Dserver=false", "-Dtests=false", "-Dbenchmarks=false"} <= set(opts),
         f"{name}: only the app and the CLI are built", opts)
    t.ok(("-Dprofile=development" in opts) == (profile == "development"),
         f"{name}: the {profile} profile", opts)
    sources = app.get("sources", [])
    t.ok(any(s.get("type") == "dir" and s.get("path") == ".." for s in sources),
         f"{name}: built from this repository (dir ..)", sources)
    root = os.path.normpath(os.path.join(os.path.dirname(path), ".."))
    t.ok(os.path.isfile(os.path.join(root, "meson.build")), f"{name}: .. is the source tree")


def cmd_manifest(srcdir):
    t = Tap()
    check_manifest(t, os.path.join(srcdir, "flatpak", BASE_APP_ID + ".json"), BASE_APP_ID,
                   "default")
    devel = os.path.join(srcdir, "flatpak", BASE_APP_ID + ".Devel.json")
    if os.path.exists(devel):
        check_manifest(t, devel, BASE_APP_ID + ".Devel", "development")
    t.done()


# Files whose strings a user sees: the C sources and templates, the data files.
TRANSLATABLE = re.compile(r'(?<![A-Za-z0-9_])(?:N|C|NC|Q)?_\s*\(|\bn?gettext\s*\(|'
                          r'translatable="yes"')
DATA_ALWAYS = re.compile(r"\.(desktop\.in|metainfo\.xml\.in|gschema\.xml)$")
SKIP_DIRS = {"screenshots", "icons"}


def cmd_potfiles(srcdir):
    t = Tap()
    with open(os.path.join(srcdir, "po", "POTFILES.in"), encoding="utf-8") as f:
        listed = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    t.ok(len(listed) == len(set(listed)), "no file is listed twice in POTFILES.in")
    missing_files = [p for p in listed if not os.path.isfile(os.path.join(srcdir, p))]
    t.ok(not missing_files, "every file in POTFILES.in exists", missing_files)
    needed = []
    for top in ("src", "data"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(srcdir, top)):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            for fn in sorted(filenames):
                path = os.path.join(dirpath, fn)
                rel = os.path.relpath(path, srcdir)
                if DATA_ALWAYS.search(fn):
                    needed.append(rel)
                    continue
                if not fn.endswith((".c", ".h", ".ui", ".in", ".xml")):
                    continue
                try:
                    with open(path, encoding="utf-8") as f:
                        text = f.read()
                except (OSError, UnicodeDecodeError):
                    continue
                if TRANSLATABLE.search(text):
                    needed.append(rel)
    absent = [p for p in needed if p not in listed]
    t.ok(needed != [], "files with translatable strings were found", needed)
    t.ok(not absent, "every file with translatable strings is in po/POTFILES.in",
         "missing from po/POTFILES.in:\n" + "\n".join(absent))
    # The languages in LINGUAS each have a .po file, and the reverse.
    with open(os.path.join(srcdir, "po", "LINGUAS"), encoding="utf-8") as f:
        linguas = [w for l in f if not l.startswith("#") for w in l.split()]
    pos = sorted(fn[:-3] for fn in os.listdir(os.path.join(srcdir, "po")) if fn.endswith(".po"))
    t.ok(sorted(linguas) == pos, "po/LINGUAS lists exactly the .po files", (linguas, pos))
    for lang in pos:
        res = run(["msgfmt", "--check", "--statistics", "-o", os.devnull,
                   os.path.join(srcdir, "po", lang + ".po")])
        t.ok(res.returncode == 0, f"msgfmt --check po/{lang}.po", res.stdout)
    t.done()


def cmd_install(srcdir, profile):
    """meson setup --prefix=/app + meson install --destdir, as flatpak-builder does."""
    t = Tap()
    app_id = BASE_APP_ID + (".Devel" if profile == "development" else "")
    meson = shutil.which("meson")
    tmp = tempfile.mkdtemp(prefix="saveidea-install-")
    try:
        build = os.path.join(tmp, "build")
        dest = os.path.join(tmp, "dest")
        res = run([meson, "setup", build, srcdir, "--prefix=/app", "--libdir=lib",
                   "--buildtype=release", "--wrap-mode=nodownload", f"-Dprofile={profile}",
                   "-Dserver=false", "-Dtests=false", "-Dbenchmarks=false"])
        if not t.ok(res.returncode == 0, "meson setup --prefix=/app", res.stdout[-4000:]):
            t.done()
        res = run([meson, "compile", "-C", build])
        if not t.ok(res.returncode == 0, "meson compile", res.stdout[-4000:]):
            t.done()
        res = run([meson, "install", "-C", build, "--destdir", dest, "--no-rebuild"])
        if not t.ok(res.returncode == 0, "meson install --destdir", res.stdout[-4000:]):
            t.done()
        app = os.path.join(dest, "app")

        def exists(rel, what):
            return t.ok(os.path.isfile(os.path.join(app, rel)), f"{what}: /app/{rel}")

        if os.path.isfile(os.path.join(srcdir, "src", "app", "meson.build")):
            p = os.path.join(app, "bin", "saveidea")
            t.ok(os.path.isfile(p) and os.access(p, os.X_OK), "the app: /app/bin/saveidea")
        if os.path.isfile(os.path.join(srcdir, "src", "cli", "meson.build")):
            exists("bin/saveidea-cli", "the CLI")
        t.ok(not os.path.exists(os.path.join(app, "bin", "saveidea-server")),
             "no saveidea-server in the Flatpak (-Dserver=false)")
        t.ok(not os.path.exists(os.path.join(app, "lib", "systemd")),
             "no systemd unit in the Flatpak")
        desktop = f"share/applications/{app_id}.desktop"
        entry = {}
        if exists(desktop, "the desktop file"):
            entry = check_desktop_file(t, os.path.join(app, desktop), app_id)
        metainfo = f"share/metainfo/{app_id}.metainfo.xml"
        if exists(metainfo, "the metainfo"):
            with open(os.path.join(srcdir, "meson.build"), encoding="utf-8") as f:
                version = re.search(r"version:\s*'([^']+)'", f.read()).group(1)
            check_metainfo(t, os.path.join(app, metainfo), app_id, version)
        schemas = "share/glib-2.0/schemas"
        if exists(f"{schemas}/{BASE_APP_ID}.gschema.xml", "the GSettings schema"):
            res = run(["glib-compile-schemas", "--strict", "--dry-run", os.path.join(app, schemas)])
            t.ok(res.returncode == 0, "the installed schemas compile", res.stdout)
        exists(f"share/icons/hicolor/scalable/apps/{app_id}.svg", "the app icon")
        exists(f"share/icons/hicolor/symbolic/apps/{app_id}-symbolic.svg", "the symbolic icon")
        if exists(f"share/dbus-1/services/{app_id}.service", "the D-Bus service"):
            check_dbus_service(t, os.path.join(app, f"share/dbus-1/services/{app_id}.service"),
                               app_id, "/app/bin")
        ini = f"share/gnome-shell/search-providers/{app_id}.search-provider.ini"
        if exists(ini, "the GNOME Shell search provider"):
            check_search_provider(t, os.path.join(app, ini), app_id)
        # Flatpak exports only files named after the app id (and its sub-names).
        exported = []
        for sub in ("applications", "metainfo", "dbus-1/services", "icons",
                    "gnome-shell/search-providers"):
            for dirpath, _, files in os.walk(os.path.join(app, "share", sub)):
                exported += [f for f in files if not f.endswith((".cache", ".list"))]
        t.ok(all(f.startswith(app_id + ".") or f.startswith(app_id + "-") for f in exported),
             f"every exported file is named {app_id}.*", exported)
        with open(os.path.join(srcdir, "po", "LINGUAS"), encoding="utf-8") as f:
            linguas = [w for l in f if not l.startswith("#") for w in l.split()]
        for lang in linguas:
            exists(f"share/locale/{lang}/LC_MESSAGES/saveidea.mo", f"the {lang} translation")
            if os.path.isfile(os.path.join(app, desktop)):
                t.ok(f"Name[{lang}]" in entry or f"Comment[{lang}]" in entry,
                     f"the desktop file is translated into {lang}")
            if os.path.isfile(os.path.join(app, metainfo)):
                root = ET.parse(os.path.join(app, metainfo)).getroot()
                xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
                t.ok(any(s.get(xml_lang) == lang for s in root.findall("summary")),
                     f"the metainfo summary is translated into {lang}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    t.done()


def main(argv):
    cmds = {
        "desktop": (cmd_desktop, 3),
        "metainfo": (cmd_metainfo, 4),
        "schema": (cmd_schema, 2),
        "manifest": (cmd_manifest, 1),
        "potfiles": (cmd_potfiles, 1),
        "install": (cmd_install, 2),
    }
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    cmds[argv[1]][0](*argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
