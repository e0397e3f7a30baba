#!/usr/bin/env python3
# check-thumbnails.py: the thumbnails a run left in a freedesktop cache folder
#
# Usage: check-thumbnails.py THUMBNAIL-DIR IMAGE-FOLDER
#
# Passes (exit 0) when THUMBNAIL-DIR holds exactly one thumbnail for each file
# in IMAGE-FOLDER and nothing else, as the Thumbnail Managing Standard wants
# it: a PNG named MD5(Thumb::URI).png, Thumb::URI naming the picture,
# Thumb::MTime its modification time, at most 128 pixels on a side.
# Prints one line per problem otherwise (exit 1).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import hashlib
import os
import struct
import sys
import urllib.parse
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
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


def main():
    if len(sys.argv) != 3:
        print(f"usage: {sys.argv[0]} THUMBNAIL-DIR IMAGE-FOLDER", file=sys.stderr)
        return 2
    thumb_dir, folder = sys.argv[1], os.path.realpath(sys.argv[2])
    problems = []
    images = sorted(n for n in os.listdir(folder) if os.path.isfile(os.path.join(folder, n)))
    thumbs = sorted(os.listdir(thumb_dir)) if os.path.isdir(thumb_dir) else []
    if not images:
        problems.append(f"{folder} holds no pictures")
    covered = set()

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

    for base in images:
        if base not in covered:
            problems.append(f"{base}: no thumbnail in {thumb_dir}")

    for p in problems:
        print(p)
    if not problems:
        print(f"{len(thumbs)} thumbnails in {thumb_dir}, one for each of the {len(images)} pictures")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
