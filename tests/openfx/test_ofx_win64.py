"""The Win64 bundle, cross-built with mingw-w64: the layout the OFX packaging standard names
(`SparkVSR.ofx.bundle/Contents/Win64/SparkVSR.ofx`), a 64-bit DLL exporting the two entry points
a host looks up, and importing only DLLs every Windows has (a host loads the .ofx alone)."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

from sparkvsr.cli import main

pytestmark = pytest.mark.skipif(
    shutil.which("x86_64-w64-mingw32-gcc") is None,
    reason="mingw-w64 is not installed (Debian: apt-get install mingw-w64)",
)

# Microsoft's PE format: the offsets below are the ones its "PE Format" specification fixes.
IMAGE_FILE_MACHINE_AMD64 = 0x8664
IMAGE_FILE_DLL = 0x2000
PE32_PLUS = 0x20B
SYSTEM_DLLS = {"kernel32.dll", "msvcrt.dll", "ws2_32.dll", "user32.dll", "advapi32.dll"}


class PeFile:
    """Just enough of a PE image to read its export and import tables."""

    def __init__(self, data: bytes):
        self.data = data
        pe = struct.unpack_from("<I", data, 0x3C)[0]
        assert data[pe : pe + 4] == b"PE\0\0"
        self.machine, sections, _, _, _, optional_size, self.characteristics = struct.unpack_from(
            "<HHIIIHH", data, pe + 4
        )
        optional = pe + 24
        self.magic = struct.unpack_from("<H", data, optional)[0]
        self.directories = [
            struct.unpack_from("<II", data, optional + 112 + 8 * i) for i in range(2)
        ]
        table = optional + optional_size
        self.sections = [
            struct.unpack_from("<IIII", data, table + 40 * i + 8) for i in range(sections)
        ]

    def offset(self, rva: int) -> int:
        for virtual_size, address, raw_size, raw_at in self.sections:
            if address <= rva < address + max(virtual_size, raw_size):
                return raw_at + rva - address
        raise ValueError(f"RVA {rva:#x} is in no section")

    def text(self, rva: int) -> str:
        at = self.offset(rva)
        return self.data[at : self.data.index(b"\0", at)].decode()

    def exports(self) -> list[str]:
        rva, _ = self.directories[0]
        count, names = struct.unpack_from("<I4xI", self.data, self.offset(rva) + 24)
        return [
            self.text(struct.unpack_from("<I", self.data, self.offset(names) + 4 * i)[0])
            for i in range(count)
        ]

    def imports(self) -> list[str]:
        at, found = self.offset(self.directories[1][0]), []
        while name := struct.unpack_from("<I", self.data, at + 12)[0]:
            found.append(self.text(name))
            at += 20
        return found


def test_the_win64_bundle_exports_the_ofx_entry_points(tmp_path, capsys):
    assert main(["openfx", "build", "--target", "win64", "--build-dir", str(tmp_path)]) == 0
    bundle = Path(capsys.readouterr().out.strip())
    binary = bundle / "Contents" / "Win64" / "SparkVSR.ofx"
    assert bundle.name == "SparkVSR.ofx.bundle" and binary.is_file()
    assert [p.name for p in (bundle / "Contents").iterdir()] == ["Win64"]
    pe = PeFile(Path(binary).read_bytes())
    assert pe.machine == IMAGE_FILE_MACHINE_AMD64 and pe.magic == PE32_PLUS
    assert pe.characteristics & IMAGE_FILE_DLL
    assert sorted(pe.exports()) == ["OfxGetNumberOfPlugins", "OfxGetPlugin"]
    assert {name.lower() for name in pe.imports()} <= SYSTEM_DLLS
