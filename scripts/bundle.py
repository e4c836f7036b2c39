"""Build the Claude Desktop bundle: dist/mcp-highlight-<version>.mcpb, checked by the mcpb CLI.

The bundle is the `uv` server type of the MCPB spec (manifest 0.4): manifest.json, this project's
pyproject.toml (with README.md and LICENSE, which it names), the mcp_highlight package, the entry
point bundle/server/main.py and an icon drawn here. No dependencies are packed: the client's uv
installs them from pyproject.toml.

Steps: stage those files in a temporary folder, `mcpb validate` the staged manifest, `mcpb pack`,
`mcpb unpack` the result into an empty folder and `mcpb validate` what came out, `mcpb info`.
The mcpb CLI comes from npm, pinned (MCPB_VERSION), installed once into a cache folder.

    scripts/bundle [--out DIR] [--cache DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MCPB_PACKAGE = "@anthropic-ai/mcpb"
MCPB_VERSION = "2.1.2"
"""The newest release; its 0.4 manifest schema is the first with the `uv` server type."""

TOP_FILES = ("manifest.json", "pyproject.toml", "README.md", "LICENSE")
PACKAGE = "mcp_highlight"
ENTRY = ("server/main.py", ROOT / "bundle" / "server" / "main.py")
ICON_SIZE = 512
"""Claude Desktop's recommended icon size."""

DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mcp-highlight"
NETWORK_ERRORS = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "network")


class McpbUnavailable(RuntimeError):
    """npm is missing or the registry cannot be reached: the bundle cannot be built here."""


def manifest() -> dict:
    return json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))


def bundle_name() -> str:
    return f"{manifest()['name']}-{manifest()['version']}.mcpb"


def inputs() -> list[tuple[str, Path]]:
    """(name in the bundle, source file) for everything packed, the icon excepted (drawn by `draw_icon`)."""
    files = [(name, ROOT / name) for name in TOP_FILES]
    for path in sorted((ROOT / PACKAGE).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files.append((path.relative_to(ROOT).as_posix(), path))
    files.append(ENTRY)
    return files


def digest() -> str:
    """A key over every input, this script (the icon, the steps) and the mcpb version: same key, same bundle."""
    h = hashlib.sha256(MCPB_VERSION.encode())
    for name, path in [*inputs(), ("scripts/bundle.py", Path(__file__).resolve())]:
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def draw_icon(path: Path) -> None:
    """A play button over a rising excitement curve: palette PNG, a few KB."""
    from PIL import Image, ImageDraw

    scale = 2  # draw large, shrink for smooth edges
    size = ICON_SIZE * scale
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=(20, 28, 48, 255))
    bars = [0.22, 0.30, 0.26, 0.45, 0.38, 0.70, 0.92, 0.55, 0.34]
    width = size * 0.8 / len(bars)
    left, base = size * 0.1, size * 0.88
    for i, height in enumerate(bars):
        x = left + i * width
        hot = height > 0.6
        draw.rectangle(
            (x + width * 0.15, base - height * size * 0.38, x + width * 0.85, base),
            fill=(255, 140, 30, 255) if hot else (70, 110, 170, 255),
        )
    c, cy, r = size * 0.5, size * 0.29, size * 0.17
    draw.ellipse((c - r, cy - r, c + r, cy + r), fill=(255, 255, 255, 255))
    draw.polygon(
        [(c - r * 0.35, cy - r * 0.5), (c - r * 0.35, cy + r * 0.5), (c + r * 0.55, cy)],
        fill=(20, 28, 48, 255),
    )
    small = image.resize((ICON_SIZE, ICON_SIZE), Image.Resampling.LANCZOS)
    small.quantize(colors=32, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)


def stage(dest: Path) -> None:
    for name, source in inputs():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    draw_icon(dest / manifest().get("icon", "icon.png"))


def ensure_mcpb(cache: Path = DEFAULT_CACHE) -> Path:
    """The pinned mcpb CLI, installed from npm into `cache` the first time."""
    prefix = cache / f"mcpb-{MCPB_VERSION}"
    cli = prefix / "node_modules" / ".bin" / ("mcpb.cmd" if os.name == "nt" else "mcpb")
    if cli.exists():
        return cli
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise McpbUnavailable("npm and node are needed to build the bundle (the mcpb CLI is an npm package).")
    prefix.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--no-save",
         f"{MCPB_PACKAGE}@{MCPB_VERSION}"],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if done.returncode != 0 or not cli.exists():
        output = (done.stdout + done.stderr)[-2000:]
        if any(marker in output for marker in NETWORK_ERRORS):
            raise McpbUnavailable(f"npm cannot reach the registry to install {MCPB_PACKAGE}@{MCPB_VERSION}.")
        raise RuntimeError(f"npm install {MCPB_PACKAGE}@{MCPB_VERSION} failed:\n{output}")
    return cli


def mcpb(cli: Path, *args: str) -> str:
    """Run the mcpb CLI; its output, or RuntimeError with it when the command fails."""
    done = subprocess.run([str(cli), *args], capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise RuntimeError(f"mcpb {' '.join(args)} failed:\n{output}")
    return output


def build(out_dir: Path | None = None, cache: Path = DEFAULT_CACHE, *, echo: bool = False) -> Path:
    """Stage, validate, pack, unpack and validate again; the path of the .mcpb."""
    cli = ensure_mcpb(cache)
    out_dir = out_dir or ROOT / "dist"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / bundle_name()
    say = (lambda text: print(text.rstrip(), file=sys.stderr)) if echo else (lambda text: None)
    with tempfile.TemporaryDirectory(prefix="mcpb-") as tmp:
        staged, unpacked, packed = Path(tmp) / "bundle", Path(tmp) / "unpacked", Path(tmp) / target.name
        stage(staged)
        say(mcpb(cli, "validate", str(staged / "manifest.json")))
        say(mcpb(cli, "pack", str(staged), str(packed)))
        say(mcpb(cli, "unpack", str(packed), str(unpacked)))
        say(mcpb(cli, "validate", str(unpacked / "manifest.json")))
        say(mcpb(cli, "info", str(packed)))
        shutil.move(packed, target)  # only a checked bundle reaches out_dir
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bundle", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="Where the .mcpb goes (default dist/).")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="Where the mcpb CLI is installed.")
    args = parser.parse_args(argv)
    try:
        path = build(args.out, args.cache, echo=True)
    except McpbUnavailable as exc:
        print(f"scripts/bundle: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"scripts/bundle: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
