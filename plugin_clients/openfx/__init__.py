"""OpenFX client: builds and installs the "SparkVSR Upscale" OFX plug-in (C sources shipped here).

The plug-in itself runs inside the host and talks to `sparkvsr serve`'s gateway; this package only
builds its bundle with CMake and copies it where OFX hosts look for plug-ins.
"""

from sparkvsr_openfx._build import BUNDLE_NAME, OFX_ARCH_FOLDERS, build, bundle_binary, source_dir
from sparkvsr_openfx._install import default_plugin_dir, install

__all__ = [
    "BUNDLE_NAME",
    "OFX_ARCH_FOLDERS",
    "build",
    "bundle_binary",
    "default_plugin_dir",
    "install",
    "source_dir",
]
