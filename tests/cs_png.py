# cs_png.py: the pixels of a PNG, read with the standard library alone, for
# the Python tests that check what the programs wrote (no Pillow needed).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_pixels(path):
    """(width, height, rows) of an 8-bit, non-interlaced PNG; rows of (r, g, b) tuples."""
    with open(path, "rb") as f:
        data = f.read()
    pos, header, idat, palette = len(PNG_SIGNATURE), None, [], None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body[:13])
        elif kind == b"PLTE":
            palette = [tuple(body[i:i + 3]) for i in range(0, len(body) - 2, 3)]
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("no IHDR chunk")
    width, height, depth, colour_type, _, _, interlace = header
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(colour_type)
    if depth != 8 or interlace != 0 or channels is None:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour_type}, "
                         f"interlace {interlace}")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
            elif kind != 0:
                raise ValueError(f"row {y}: filter type {kind}")
        previous = line
        if colour_type == 3:
            rows.append([palette[i] for i in line])
        elif channels < 3:
            rows.append([(v, v, v) for v in line[::channels]])
        else:
            rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
    return width, height, rows
