#!/usr/bin/env python3
# check-thumbnails.py: the thumbnails a run left in a freedesktop cache folder
#
# Usage: check-thumbnails.py THUMBNAIL-DIR IMAGE-FOLDER [--quadrants COLOURS PICTURE...]
#
# Passes (exit 0) when THUMBNAIL-DIR holds exactly one thumbnail for each file
# in IMAGE-FOLDER and nothing else, as the Thumbnail Managing Standard wants
# it: a PNG named MD5(Thumb::URI).png, Thumb::URI naming the picture,
# Thumb::MTime its modification time, at most 128 pixels on a side.
# With --quadrants, each PICTURE (a name in IMAGE-FOLDER) shows four flat
# COLOURS ("#rrggbb,#rrggbb,#rrggbb,#rrggbb": top left, top right, bottom
# left, bottom right) and its thumbnail must show them too, in their places
# and in the picture's proportions: a decoder that only made a PNG of the
# right name would not do.
# Prints one line per problem otherwise (exit 1).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import hashlib
import os
import struct
import sys
import urllib.parse
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cs_png import PNG_SIGNATURE, png_pixels  # noqa: E402  (tests/cs_png.py)

NORMAL_SIZE = 128


def png_text(path):
    """(width, height, {key: text}) of a PNG, from its IHDR, tEXt, zTXt and iTXt chunks."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    pos, width, height, text = len(PNG_SIGNATURE), None, None, {}
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            text[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            text[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            _, _, rest = rest.partition(b"\0")  # language tag
            _, _, value = rest.partition(b"\0")  # translated keyword
            if compressed:
                value = zlib.decompress(value)
            text[key.decode("latin-1")] = value.decode("utf-8")
        elif kind == b"IEND":
            break
    if width is None:
        raise ValueError("no IHDR chunk")
    return width, height, text


# How far (0-255, per channel) a quadrant's mean colour may stray from the
# picture's: thumbnails are scaled and lossy formats shift colours a little.
QUADRANT_TOLERANCE = 40


def check_quadrants(path, colours, picture_size):
    """Problems with the thumbnail at path of a four-colour picture."""
    width, height, rows = png_pixels(path)
    problems = []
    if picture_size is not None:
        pw, ph = picture_size
        if abs(width * ph - height * pw) > max(pw, ph):
            problems.append(f"{width}x{height} is not in the proportions of {pw}x{ph}")
    names = ("top left", "top right", "bottom left", "bottom right")
    for i, (name, want) in enumerate(zip(names, colours)):
        # The middle half of the quadrant, clear of the scaled edges.
        x0, y0 = (i % 2) * width // 2, (i // 2) * height // 2
        box = [rows[y][x]
               for y in range(y0 + height // 8, y0 + 3 * height // 8)
               for x in range(x0 + width // 8, x0 + 3 * width // 8)]
        if not box:
            problems.append(f"{width}x{height} is too small to see its quadrants")
            break
        mean = tuple(sum(p[c] for p in box) // len(box) for c in range(3))
        if any(abs(m - w) > QUADRANT_TOLERANCE for m, w in zip(mean, want)):
            problems.append("{} is #{:02x}{:02x}{:02x}, not #{:02x}{:02x}{:02x}".format(
                name, *mean, *want))
    return problems


def parse_colours(text):
    colours = []
    for item in text.split(","):
        item = item.strip().lstrip("#")
        if len(item) != 6:
            raise argparse.ArgumentTypeError(f"'{item}' is not #rrggbb")
        colours.append(tuple(int(item[i:i + 2], 16) for i in (0, 2, 4)))
    if len(colours) != 4:
        raise argparse.ArgumentTypeError("four colours, not " + str(len(colours)))
    return colours


def parse_size(text):
    w, _, h = text.partition("x")
    return int(w), int(h)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("thumb_dir")
    parser.add_argument("folder")
    parser.add_argument("--quadrants", type=parse_colours, metavar="COLOURS")
    parser.add_argument("--size", type=parse_size, metavar="WxH",
                        help="the size of the --quadrants pictures")
    parser.add_argument("pictures", nargs="*")
    args = parser.parse_intermixed_args()
    if args.pictures and args.quadrants is None:
        parser.error("pictures are named only with --quadrants")
    thumb_dir, folder = args.thumb_dir, os.path.realpath(args.folder)
    problems = []
    images = sorted(n for n in os.listdir(folder) if os.path.isfile(os.path.join(folder, n)))
    thumbs = sorted(os.listdir(thumb_dir)) if os.path.isdir(thumb_dir) else []
    if not images:
        problems.append(f"{folder} holds no pictures")
    covered = set()
    quadrant_pictures = set(args.pictures)
    for base in quadrant_pictures - set(images):
        problems.append(f"{base}: not in {folder}")

    for name in thumbs:
        path = os.path.join(thumb_dir, name)
        try:
            width, height, text = png_text(path)
        except (OSError, ValueError, zlib.error, struct.error) as e:
            problems.append(f"{name}: unreadable: {e}")
            continue
        uri = text.get("Thumb::URI")
        if uri is None:
            problems.append(f"{name}: no Thumb::URI")
            continue
        if name != hashlib.md5(uri.encode("utf-8")).hexdigest() + ".png":
            problems.append(f"{name}: not MD5 of its Thumb::URI {uri}")
        parsed = urllib.parse.urlsplit(uri)
        source = urllib.parse.unquote(parsed.path)
        if parsed.scheme != "file" or os.path.dirname(source) != folder:
            problems.append(f"{name}: Thumb::URI {uri} is not a file in {folder}")
            continue
        base = os.path.basename(source)
        if base not in images:
            problems.append(f"{name}: Thumb::URI {uri} names no picture of the folder")
            continue
        if base in covered:
            problems.append(f"{name}: a second thumbnail of {base}")
        covered.add(base)
        mtime = text.get("Thumb::MTime")
        if mtime is None or mtime != str(int(os.stat(source).st_mtime)):
            problems.append(f"{name}: Thumb::MTime {mtime} is not the mtime of {base}")
        if max(width, height) > NORMAL_SIZE or min(width, height) < 1:
            problems.append(f"{name}: {width}x{height} does not fit {NORMAL_SIZE}x{NORMAL_SIZE}")
        if base in quadrant_pictures:
            try:
                found = check_quadrants(path, args.quadrants, args.size)
            except (OSError, ValueError, zlib.error, struct.error, IndexError) as e:
                found = [f"pixels unreadable: {e}"]
            problems.extend(f"{name} (thumbnail of {base}): {p}" for p in found)

    for base in images:
        if base not in covered:
            problems.append(f"{base}: no thumbnail in {thumb_dir}")

    for p in problems:
        print(p)
    if not problems:
        shown = f", {len(quadrant_pictures)} showing their four colours" if quadrant_pictures else ""
        print(f"{len(thumbs)} thumbnails in {thumb_dir}, one for each of the {len(images)} pictures"
              f"{shown}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
