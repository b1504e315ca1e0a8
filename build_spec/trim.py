"""What goes into the bundle beyond what PyInstaller finds by itself, and what is left out (motcua.spec).

The suite's Qt is QtCore, QtGui, QtWidgets, QtCharts (dashboard), QtMultimedia (the hall's voice: QAudioSink only),
QtTextToSpeech (display --tts), QtPrintSupport (A4 forms) and QtNetwork under them. Nothing imports WebEngine,
Quick/QML, 3D, PDF or the rest, so PyInstaller does not collect them; what their libraries and plugins would still
drag in is dropped by path below. Sizes are of the Linux bundle (build.py prints the bundle's total).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

# Modules imported by name at run time, which PyInstaller cannot see.
_HIDDEN = [
    # the other entry points (entries/*.py): one Analysis serves every executable
    "kiosk.app",
    "counter.app",
    "app.display.app",
    "app.dashboard.app",
    "app.rating.app",
    # uvicorn picks its loop, HTTP and WebSocket implementations by string (the uvicorn hook adds its own modules)
    "uvicorn.loops.auto",
    "uvicorn.loops.asyncio",
    "uvicorn.loops.uvloop",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.websockets.auto",
    "uvicorn.protocols.websockets.websockets_sansio_impl",
    "uvicorn.lifespan.on",
    "uvicorn.lifespan.off",
    # holidays loads a country by module name (holidays.registry)
    "holidays.countries.vietnam",
    # python-escpos: the connection classes printing/connection.py opens
    "escpos.printer",
    "usb.backend.libusb1",
    "serial.tools.list_ports",
]


def hidden_imports() -> list[str]:
    return list(_HIDDEN)


EXCLUDED_MODULES = [
    # development tools that share the virtual environment
    "pytest", "_pytest", "pytestqt", "hypothesis", "hypothesis_graphql", "mypy", "mypyc", "importlinter", "grimp",
    "PyInstaller", "pip", "setuptools", "pkg_resources", "_distutils_hack", "distutils", "httpx2", "httpcore2",
    "IPython", "matplotlib", "pandas", "scipy", "graphql", "jsonschema_rs", "harfile", "pyrate_limiter", "pygments",
    "markdown_it", "mdurl", "rich", "werkzeug",
    # optional extras of the libraries used: uvicorn's --reload (watchfiles), pikepdf's XMP metadata and openpyxl's
    # faster writer (lxml: the suite reads and writes only PDF docinfo, and openpyxl falls back to xml.etree),
    # img2pdf's own GUI (tkinter)
    "watchfiles",
    # the standard library's GUI, test and tooling parts
    "tkinter", "_tkinter", "turtle", "turtledemo", "idlelib", "lib2to3", "pydoc_data", "test", "ensurepip", "venv",
    "pdb", "doctest",
    # numpy's build tools; OpenCV's optional Python extras (typing stubs' helpers, G-API, samples, misc)
    "numpy.f2py", "numpy.distutils", "numpy._pyinstaller", "cv2.gapi", "cv2.misc", "cv2.samples",
    # Pillow's AVIF codec (5 MB of libavif) and Tk bridge: the suite reads and writes PNG, JPEG and TIFF
    "PIL._avif", "PIL.AvifImagePlugin", "PIL._imagingtk", "PIL.ImageTk",
    # Qt modules the suite does not use (only an import would bring them; listed so none can by accident)
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick", "PySide6.QtWebChannel",
    "PySide6.QtWebView", "PySide6.QtWebSockets", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2", "PySide6.QtQuick3D", "PySide6.Qt3DCore", "PySide6.Qt3DRender", "PySide6.Qt3DInput",
    "PySide6.Qt3DLogic", "PySide6.Qt3DAnimation", "PySide6.Qt3DExtras", "PySide6.QtPdf", "PySide6.QtPdfWidgets",
    "PySide6.QtDesigner", "PySide6.QtUiTools", "PySide6.QtHelp", "PySide6.QtSql", "PySide6.QtTest",
    "PySide6.QtBluetooth", "PySide6.QtNfc", "PySide6.QtPositioning", "PySide6.QtLocation", "PySide6.QtSensors",
    "PySide6.QtSerialPort", "PySide6.QtSerialBus", "PySide6.QtScxml", "PySide6.QtStateMachine",
    "PySide6.QtDataVisualization", "PySide6.QtGraphs", "PySide6.QtGraphsWidgets", "PySide6.QtRemoteObjects",
    "PySide6.QtSpatialAudio", "PySide6.QtHttpServer", "PySide6.QtMultimediaWidgets", "PySide6.QtAxContainer",
    "PySide6.scripts",
    # Python bindings PyInstaller adds because QtCharts' library links to their libraries (which stay): 10 MB
    "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtConcurrent", "PySide6.QtDBus",
]  # fmt: skip

# Files under _internal/ that are not wanted, by their path there (forward slashes). A Qt library or plugin that
# none of the used modules loads, Qt's translations of its own dialogs (the suite speaks Vietnamese through its own
# texts), FFmpeg-based media playback (the hall's voice is raw PCM through QAudioSink; Qt's audio output does not
# use the FFmpeg plugin), SANE's library (the PC's own libsane and its backends are used when installed).
_DROP = [
    r"PySide6/(Qt/)?translations/",
    # FFmpeg media playback (Qt's own FFmpeg, not OpenCV's)
    r"PySide6/(Qt/)?plugins/multimedia/",
    r"PySide6/Qt/lib/lib(avcodec|avformat|avutil|swscale|swresample)\.so",
    r"PySide6/(avcodec|avformat|avutil|swscale|swresample)-\d+\.dll$",
    r"PySide6/Qt/lib/libQt6FFmpegStub",
    # plugins of unused Qt modules
    r"PySide6/(Qt/)?plugins/(qmltooling|qmllint|webview|sceneparsers|renderers|renderplugins|geometryloaders|"
    r"assetimporters|position|sensors|canbus|scxmldatamodel|designer|geoservices|sqldrivers|wayland-[^/]+|"
    r"egldeviceintegrations|networkinformation|platforminputcontexts|vectorimageformats)/",
    # windowing: X11 (xcb) and Windows, plus offscreen/minimal for tests; no Wayland (Qt falls back to XWayland),
    # framebuffer, EGL-FS, VNC; the GTK theme would bring GTK's whole stack
    r"PySide6/(Qt/)?plugins/platforms/(lib)?q(eglfs|linuxfb|minimalegl|vkkhrdisplay|vnc|wayland[^/]*|direct2d)\.",
    r"PySide6/(Qt/)?plugins/platformthemes/(lib)?qgtk3\.",
    # image formats: PNG is built in; JPEG, GIF, ICO and SVG stay
    r"PySide6/(Qt/)?plugins/imageformats/(lib)?q(pdf|icns|tga|tiff|wbmp|webp)\.",
    r"PySide6/Qt/lib/libQt6(WebEngine|Quick|Qml|3D|Pdf|Designer|ShaderTools|Wayland|Wl|EglF[sS]|Location|Positioning|"
    r"Graphs|DataVisualization|Bluetooth|Nfc|Sensors|SerialBus|SerialPort|Scxml|StateMachine|RemoteObjects|"
    r"SpatialAudio|VirtualKeyboard|Labs|Sql|Test|Help|UiTools|WebSockets|WebChannel|WebView|HttpServer)",
    r"PySide6/Qt6(WebEngine|Quick|Qml|3D|Pdf|VirtualKeyboard)[A-Za-z0-9]*\.dll$",
    # SANE: the PC's own libsane and its backends are used when installed (the module is optional, see
    # app/devices/scanners); a copy here would look for backends built for another system
    r"(^|/)libsane[^/]*\.so",
]
_DROP_RE = re.compile("|".join(f"(?:{p})" for p in _DROP))


def keep(entry: tuple[str, str, str]) -> bool:
    """Whether a collected file (dest under _internal/, source, typecode) goes into the bundle; a symbolic link is
    dropped with its target (its source is the target's path under _internal/)."""
    dest, source, typecode = entry
    paths = [dest, source] if typecode == "SYMLINK" else [dest]
    return all(_DROP_RE.search(path.replace("\\", "/")) is None for path in paths)


# Libraries nothing links to but that are loaded by name at run time (ctypes): pyusb's libusb, Python itself.
_LOADED_BY_NAME = re.compile(r"^(libusb|libpython)")
_VENDORED = re.compile(r"^[^/]+\.libs/[^/]+$")


def prune_orphans(binaries: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """On Linux, drop the libraries at the top of _internal/ or in a wheel's `*.libs/` that nothing left in the
    bundle links to: what PyInstaller collected for a file dropped above (libsane's libxml2 and its 32 MB ICU, the
    EGL-FS and Wayland plugins' libraries, Pillow's libavif). Elsewhere, or without binutils' readelf, the list is
    returned as it is."""
    if not sys.platform.startswith("linux") or shutil.which("readelf") is None:
        return binaries
    # a top-level library, or one auditwheel vendored into a wheel's `*.libs/` folder, is reached by name
    top = {PurePosixPath(e[0]).name: e for e in binaries if "/" not in e[0] or _VENDORED.search(e[0])}
    by_dest = {entry[0]: entry for entry in binaries}
    roots = [e for e in binaries if e[2] == "EXTENSION" or e not in top.values() or _LOADED_BY_NAME.match(e[0])]
    reached: set[str] = set()
    stack = list(roots)
    while stack:
        dest, source, typecode = stack.pop()
        if dest in reached:
            continue
        reached.add(dest)
        if typecode == "SYMLINK":  # source: the target's path under _internal/
            if source in by_dest:
                stack.append(by_dest[source])
            continue
        stack += [top[name] for name in _needed(source) if name in top]
    return [entry for entry in binaries if entry[0] in reached]


def _needed(path: str) -> list[str]:
    """The libraries an ELF file links to directly (DT_NEEDED; ldd would list its whole closure)."""
    dynamic = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=False).stdout  # noqa: S603,S607
    return re.findall(r"\(NEEDED\).*\[(.+?)\]", dynamic)


def stripped(binaries: list[tuple[str, str, str]], workdir: str) -> list[tuple[str, str, str]]:
    """On Linux, the libraries with their symbol tables stripped (libpython alone carries 17 MB of them), copied under
    `workdir` once. Not the libraries auditwheel vendored into a wheel's `*.libs/` folder: patched as they are, strip
    corrupts some (numpy's OpenBLAS then fails to load), which is why PyInstaller's own `strip=True` is not used."""
    if not sys.platform.startswith("linux") or shutil.which("strip") is None:
        return binaries
    out = []
    for dest, source, typecode in binaries:
        if typecode == "SYMLINK" or ".libs/" in dest:
            out.append((dest, source, typecode))
            continue
        copy = Path(workdir) / dest
        if not copy.exists() or copy.stat().st_mtime < Path(source).stat().st_mtime:
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
            copy.chmod(0o755)
            if subprocess.run(["strip", str(copy)], capture_output=True, check=False).returncode != 0:  # noqa: S603,S607
                shutil.copy2(source, copy)  # not an ELF file strip knows: as it came
        out.append((dest, str(copy), typecode))
    return out
