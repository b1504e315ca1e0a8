"""What goes into the bundle beyond what PyInstaller finds by itself, and what is left out (motcua.spec).

The suite's Qt is QtCore, QtGui, QtWidgets, QtCharts (dashboard), QtMultimedia (the hall's voice: QAudioSink only),
QtTextToSpeech (display --tts), QtPrintSupport (A4 forms) and QtNetwork under them. Nothing imports WebEngine,
Quick/QML, 3D, PDF or the rest, so PyInstaller does not collect them; what their libraries and plugins would still
drag in is dropped by path below. Sizes are of the Linux bundle (build.py prints the bundle's total).
"""

from __future__ import annotations

import ast
import re
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
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


# Imported inside functions or by name, so only listed here brings them: PDF signing with a USB token (PKCS#11),
# its stamp's fonts (fontTools subsets, HarfBuzz shapes Vietnamese marks), timestamp and trust-list fetching,
# and the OS keyring for device tokens (PyInstaller's keyring hook adds its backends and entry points).
_SIGNING = [
    "pyhanko.sign", "pyhanko.sign.pkcs11", "pyhanko.sign.timestamps.aiohttp_client", "pyhanko.sign.validation",
    "pyhanko.pdf_utils.font.opentype", "pyhanko.stamp", "pkcs11", "pkcs11.util.ec", "pkcs11.util.rsa", "uharfbuzz",
    "aiohttp", "keyring",
]  # fmt: skip


def hidden_imports(root: Path | None = None) -> list[str]:
    """The lists above, and the feature command modules `python -m app` imports by name (app/__main__.py's
    COMMAND_MODULES, read without importing it)."""
    return [*_HIDDEN, *_SIGNING, *command_modules(root or Path(__file__).resolve().parent.parent)]


def command_modules(root: Path) -> list[str]:
    tree = ast.parse((root / "app" / "__main__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "COMMAND_MODULES" for t in node.targets):
            value = ast.literal_eval(node.value)
            return [str(name) for name in value]
    raise RuntimeError("app/__main__.py has no COMMAND_MODULES")


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
    # lxml's parts nothing here uses (its hook takes every submodule): pyhanko, pikepdf and openpyxl use lxml.etree
    # only (4 MB)
    "lxml.objectify", "lxml.html", "lxml.isoschematron", "lxml.sax",
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


# ICU's data (PySide6/Qt/lib/libicudata.so.NN, 31 MB): Qt links to ICU on Linux for collation, text boundaries,
# time zone and locale names and legacy code pages. The suite needs Vietnamese and English, UTF-8 only: every other
# locale's names, collations and units, the 200 legacy code page tables (.cnv), the Chinese/Japanese/Thai/Khmer/
# Lao/Burmese word-break dictionaries and the transliterators go (≈ 27 MB). Other locales fall back to root, as
# ICU does for any locale it lacks. The library is rebuilt from the filtered package (an object holding only the
# data symbol) when a C compiler is here; otherwise the full one stays. On Windows Qt uses the system's ICU.
ICU_LOCALES = {"root", "en", "en_US", "en_US_POSIX", "vi", "vi_VN"}
_ICU_DATA = re.compile(r"(^|/)libicudata\.so\.(\d+)$")
_LOCALE_ITEM = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]*)*$")  # af, en_GB, zh_Hant_TW; not pool, zoneinfo64…


def icu_item_kept(name: str) -> bool:
    """Whether an item of ICU's common data package (`icudt73l/coll/vi.res`) is kept."""
    path = name.split("/", 1)[-1]
    tree, _, leaf = path.rpartition("/")
    stem, _, ext = leaf.rpartition(".")
    if ext in ("cnv", "dict") or tree == "translit":
        return False
    if ext == "res" and _LOCALE_ITEM.match(stem) and stem not in ("pool", "res_index"):
        return stem in ICU_LOCALES
    return True


def filter_icu_package(blob: bytes, keep: Callable[[str], bool] = icu_item_kept) -> bytes:
    """ICU's common data package ("CmnD": a header, a table of (name offset, data offset) pairs relative to the
    table, the names, then the items, 16-byte aligned) with only the items `keep` accepts, in the same order."""
    header = struct.unpack_from("<H", blob, 0)[0]
    if blob[2:4] != b"\xda\x27" or blob[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package")
    table = blob[header:]
    count = struct.unpack_from("<I", table, 0)[0]
    entries = [struct.unpack_from("<II", table, 4 + 8 * i) for i in range(count)]
    ends = [offset for _, offset in entries[1:]] + [len(table)]
    items = []
    for (name_at, data_at), end in zip(entries, ends, strict=True):
        name = table[name_at : table.index(b"\0", name_at)]
        if keep(name.decode("ascii")):
            items.append((name, table[data_at:end]))
    names_at = 4 + 8 * len(items)
    names = b"".join(name + b"\0" for name, _ in items)
    data_at = (names_at + len(names) + 15) // 16 * 16
    toc, body, name_offset = [struct.pack("<I", len(items))], bytearray(), names_at
    for name, data in items:
        toc.append(struct.pack("<II", name_offset, data_at + len(body)))
        name_offset += len(name) + 1
        body += data + b"\0" * (-len(data) % 16)
    start = b"".join(toc) + names
    return blob[:header] + start + b"\0" * (data_at - len(start)) + bytes(body)


def slimmed_icu(binaries: list[tuple[str, str, str]], workdir: str) -> list[tuple[str, str, str]]:
    """On Linux with readelf and a C compiler: libicudata rebuilt around the filtered data (filter_icu_package)."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if not sys.platform.startswith("linux") or compiler is None or shutil.which("readelf") is None:
        return binaries
    out = []
    for dest, source, typecode in binaries:
        match = _ICU_DATA.search(dest)
        if match is None or typecode == "SYMLINK":
            out.append((dest, source, typecode))
            continue
        built = Path(workdir) / "icu" / Path(dest).name
        if not built.exists() or built.stat().st_mtime < Path(source).stat().st_mtime:
            _rebuild_icu_data(Path(source), built, match.group(2), compiler)
        out.append((dest, str(built), typecode))
    return out


def _rebuild_icu_data(source: Path, target: Path, version: str, compiler: str) -> None:
    symbol = f"icudt{version}_dat"
    symbols = subprocess.run(["readelf", "-sW", str(source)], capture_output=True, text=True, check=True).stdout  # noqa: S603,S607
    found = re.search(rf"^\s*\d+: ([0-9a-f]+)\s+(0x[0-9a-f]+|\d+) OBJECT\s+GLOBAL\s+\S+\s+\d+ {symbol}$", symbols, re.M)
    segments = subprocess.run(["readelf", "-lW", str(source)], capture_output=True, text=True, check=True).stdout  # noqa: S603,S607
    if found is None:
        raise RuntimeError(f"{source}: no {symbol}")
    address, size = int(found.group(1), 16), int(found.group(2), 0)
    offset = None
    for load in re.finditer(r"LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)", segments):
        file_at, virtual, length = (int(g, 16) for g in load.groups())
        if virtual <= address < virtual + length:
            offset = file_at + address - virtual
    if offset is None:
        raise RuntimeError(f"{source}: {symbol} is in no loaded segment")
    data = filter_icu_package(source.read_bytes()[offset : offset + size])
    target.parent.mkdir(parents=True, exist_ok=True)
    package = target.with_name(f"icudt{version}l.dat")
    package.write_bytes(data)
    assembly = target.with_name("icudata.S")
    assembly.write_text(
        f"\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign 16\n{symbol}:\n"
        f'\t.incbin "{package}"\n\t.size {symbol}, . - {symbol}\n\t.section .note.GNU-stack,"",@progbits\n',
        encoding="utf-8",
    )
    subprocess.run([compiler, "-shared", "-nostdlib", f"-Wl,-soname,{target.name}", "-o", str(target),  # noqa: S603
                    str(assembly)], check=True)  # fmt: skip
