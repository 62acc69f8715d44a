"""Premiere Pro client: the SparkVSR UXP panel (JavaScript, in `panel/`) and the commands that
install it for the UXP Developer Tool or package it as a double-clickable .ccx."""

from sparkvsr_premiere._install import (
    PANEL_FOLDER,
    default_install_dir,
    install,
    package,
    panel_files,
)

__all__ = ["PANEL_FOLDER", "default_install_dir", "install", "package", "panel_files"]
