"""build_spec/trim.py's pure parts: which of ICU's data items the bundle keeps, the package rebuilt without the
others (read back as ICU reads it), and the command modules `python -m app` imports by name."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build_spec"))
from trim import command_modules, filter_icu_package, hidden_imports, icu_item_kept  # noqa: E402


def package(items: dict[str, bytes]) -> bytes:
    """A small ICU common data package ("CmnD", as in libicudata), items in name order."""
    info = struct.pack("<HHBBBB4s4s4s", 20, 0, 0, 0, 2, 0, b"CmnD", bytes([1, 0, 0, 0]), bytes(4))
    header = (struct.pack("<HBB", 32, 0xDA, 0x27) + info).ljust(32, b"\0")
    names = sorted(items)
    name_block = b"".join(n.encode() + b"\0" for n in names)
    names_at = 4 + 8 * len(names)
    data_at = (names_at + len(name_block) + 15) // 16 * 16
    toc, body, name_offset = [struct.pack("<I", len(names))], b"", names_at
    for name in names:
        toc.append(struct.pack("<II", name_offset, data_at + len(body)))
        name_offset += len(name) + 1
        body += items[name] + b"\0" * (-len(items[name]) % 16)
    start = b"".join(toc) + name_block
    return header + start + b"\0" * (data_at - len(start)) + body


def read_package(blob: bytes) -> dict[str, bytes]:
    header = struct.unpack_from("<H", blob, 0)[0]
    table = blob[header:]
    count = struct.unpack_from("<I", table, 0)[0]
    entries = [struct.unpack_from("<II", table, 4 + 8 * i) for i in range(count)]
    ends = [offset for _, offset in entries[1:]] + [len(table)]
    spans = zip(entries, ends, strict=True)
    return {table[n : table.index(b"\0", n)].decode(): table[d:e].rstrip(b"\0") for (n, d), e in spans}


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("icudt73l/coll/vi.res", True),
        ("icudt73l/coll/root.res", True),
        ("icudt73l/coll/ucadata.icu", True),
        ("icudt73l/coll/de.res", False),
        ("icudt73l/zone/zh_Hant_TW.res", False),
        ("icudt73l/zone/en.res", True),
        ("icudt73l/curr/pool.res", True),
        ("icudt73l/lang/res_index.res", True),
        ("icudt73l/vi_VN.res", True),
        ("icudt73l/fr_CA.res", False),
        ("icudt73l/zoneinfo64.res", True),
        ("icudt73l/supplementalData.res", True),
        ("icudt73l/ibm-1258_P100-1997.cnv", False),
        ("icudt73l/cnvalias.icu", True),
        ("icudt73l/brkitr/thaidict.dict", False),
        ("icudt73l/brkitr/line.brk", True),
        ("icudt73l/translit/Latin_ASCII.res", False),
        ("icudt73l/nfkc.nrm", True),
    ],
)
def test_which_icu_items_stay(name: str, kept: bool) -> None:
    assert icu_item_kept(name) is kept


def test_the_filtered_package_holds_exactly_the_kept_items_intact() -> None:
    items = {
        "icudt73l/coll/de.res": b"D" * 40,
        "icudt73l/coll/vi.res": b"V" * 33,
        "icudt73l/ibm-1258_P100-1997.cnv": b"C" * 100,
        "icudt73l/root.res": b"R" * 17,
        "icudt73l/zoneinfo64.res": b"Z" * 5,
    }
    original = package(items)
    assert read_package(original) == items  # the test's reader agrees with the writer
    slim = filter_icu_package(original)
    assert read_package(slim) == {k: v for k, v in items.items() if k.endswith(("vi.res", "root.res", "64.res"))}
    assert slim[:32] == original[:32]  # the header is ICU's own
    assert len(slim) < len(original)
    header = struct.unpack_from("<H", slim, 0)[0]
    offsets = [struct.unpack_from("<II", slim, header + 4 + 8 * i)[1] for i in range(3)]
    assert all(offset % 16 == 0 for offset in offsets)  # items stay 16-byte aligned, as ICU maps them


def test_not_an_icu_package_is_refused() -> None:
    with pytest.raises(ValueError, match="ICU"):
        filter_icu_package(b"\x20\x00\x00\x00" + bytes(60))


def test_every_feature_command_module_is_a_hidden_import() -> None:
    from app.__main__ import COMMAND_MODULES

    assert command_modules(ROOT) == list(COMMAND_MODULES)
    hidden = hidden_imports(ROOT)
    assert set(COMMAND_MODULES) <= set(hidden)
    assert {"pyhanko.sign.pkcs11", "pkcs11", "keyring", "aiohttp", "pyhanko.pdf_utils.font.opentype"} <= set(hidden)
