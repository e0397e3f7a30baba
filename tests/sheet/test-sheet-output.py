#!/usr/bin/env python3
# test-sheet-output.py: contact-sheet-cli --sheet, its files read back with
# real tools: pdfinfo, pdftotext, pdfimages and pdftoppm (poppler-utils),
# PNG pages decoded here. TAP output.
#
# Usage: test-sheet-output.py CLI GEN_IMAGES
#
# Every case runs the real binary in a fresh folder with XDG_CACHE_HOME
# inside it. Geometry is worked out from the documented layout (12 mm
# margins, a 10 mm title band, a 7 mm footer band, 3 mm gaps), not asked
# of the engine.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import math
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from cs_png import png_pixels  # noqa: E402  (tests/cs_png.py)

CLI, GEN = sys.argv[1], sys.argv[2]
MM = 72 / 25.4
A4 = (595.276, 841.89)

HEBREW = 'שלום עולם.jpg'
CJK = '日本語の写真.jpg'
LONG = 'a-very-long-name-of-a-holiday-photograph-taken-at-the-beach-0042.jpg'


class Case:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix='cs-sheet-')
        self.images = os.path.join(self.root, 'images')
        self.out = os.path.join(self.root, 'out')
        os.mkdir(self.out)
        self.env = dict(os.environ, XDG_CACHE_HOME=os.path.join(self.root, 'cache'),
                        LC_ALL='C.UTF-8', TZ='UTC')

    def images_made(self, count):
        subprocess.run([GEN, self.images, str(count)], check=True)
        return sorted(os.listdir(self.images))

    def run(self, *args, check_status=None):
        proc = subprocess.run([CLI, '-j', '2', *args], env=self.env, cwd=self.out,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        result = (proc.returncode, proc.stdout.decode(), proc.stderr.decode())
        if check_status is not None:
            assert result[0] == check_status, result
        return result

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)


def tool(*args):
    return subprocess.run(args, check=True, stdout=subprocess.PIPE).stdout.decode()


def pdf_info(path):
    info = {}
    for line in tool('pdfinfo', path).splitlines():
        key, _, value = line.partition(':')
        info[key.strip()] = value.strip()
    return info


def page_size(info):
    m = re.match(r'([\d.]+) x ([\d.]+) pts', info['Page size'])
    return float(m.group(1)), float(m.group(2))


def no_space(text):
    return re.sub(r'[\s\u200e\u200f\u202a-\u202e]', '', text)


def render_gray(pdf, page, dpi):
    """Page @page of @pdf as (width, height, pixels) in grey, by pdftoppm."""
    data = subprocess.run(['pdftoppm', '-gray', '-r', str(dpi), '-f', str(page), '-l', str(page), pdf],
                          check=True, stdout=subprocess.PIPE).stdout
    m = re.match(rb'P5\s+(\d+)\s+(\d+)\s+255\s', data)
    width, height = int(m.group(1)), int(m.group(2))
    return width, height, data[m.end():]


def cell_size(page_w, page_h, columns, rows):
    """A cell's width and height in points."""
    margin, gap = 12 * MM, 3 * MM
    grid_w = page_w - 2 * margin
    grid_h = page_h - 2 * margin - 10 * MM - 7 * MM
    return (grid_w - (columns - 1) * gap) / columns, (grid_h - (rows - 1) * gap) / rows


def cell_centres(page_w, page_h, columns, rows, caption_lines=1):
    """Centres of each cell's picture area, in points, row by row."""
    margin, gap = 12 * MM, 3 * MM
    top = margin + 10 * MM
    cell_w, cell_h = cell_size(page_w, page_h, columns, rows)
    picture_h = cell_h - (caption_lines * 7 * 1.3 + 2)
    return [(margin + c * (cell_w + gap) + cell_w / 2, top + r * (cell_h + gap) + picture_h / 2)
            for r in range(rows) for c in range(columns)]


def add_exif(src, dst):
    """A copy of the JPEG @src with an EXIF segment: date, 1/250 s, f/2.8, ISO 400."""
    def entry(tag, kind, count, value):
        return struct.pack('>HHI', tag, kind, count) + value

    date = b'2021:07:14 18:30:05\0'
    # Big-endian TIFF: IFD0 at 8 with one entry (the Exif IFD at 26), then
    # the Exif IFD's four entries and their out-of-line values.
    exif_ifd = 26
    values = exif_ifd + 2 + 4 * 12 + 4
    ifd0 = struct.pack('>H', 1) + entry(0x8769, 4, 1, struct.pack('>I', exif_ifd)) + b'\0\0\0\0'
    exif = struct.pack('>H', 4)
    exif += entry(0x829a, 5, 1, struct.pack('>I', values))
    exif += entry(0x829d, 5, 1, struct.pack('>I', values + 8))
    exif += entry(0x8827, 3, 1, struct.pack('>HH', 400, 0))
    exif += entry(0x9003, 2, len(date), struct.pack('>I', values + 16))
    exif += b'\0\0\0\0'
    tiff = b'MM\0\x2a' + struct.pack('>I', 8) + ifd0 + exif
    assert len(tiff) == values
    tiff += struct.pack('>IIII', 1, 250, 28, 10) + date
    segment = b'Exif\0\0' + tiff
    data = open(src, 'rb').read()
    assert data[:2] == b'\xff\xd8'
    with open(dst, 'wb') as f:
        f.write(data[:2] + b'\xff\xe1' + struct.pack('>H', len(segment) + 2) + segment + data[2:])


# --- cases -----------------------------------------------------------------

def test_pdf_pages_and_paper(c):
    names = c.images_made(30)
    status, out, err = c.run('--sheet=s.pdf', '--paper=a4', '--grid=4x3', c.images, check_status=0)
    assert out == os.path.join('s.pdf') + '\n', out
    info = pdf_info(os.path.join(c.out, 's.pdf'))
    assert int(info['Pages']) == math.ceil(len(names) / 12), info['Pages']
    w, h = page_size(info)
    assert abs(w - A4[0]) < 0.5 and abs(h - A4[1]) < 0.5, (w, h)
    assert info['Title'] == 'images', info['Title']
    assert info['Creator'].startswith('Contact Sheet'), info['Creator']

    c.run('--sheet=l.pdf', '--paper=letter', '--landscape', c.images, check_status=0)
    w, h = page_size(pdf_info(os.path.join(c.out, 'l.pdf')))
    assert abs(w - 792) < 0.5 and abs(h - 612) < 0.5, (w, h)

    c.run('--sheet=m.pdf', '--paper=100x150mm', '--grid=2x2', c.images, check_status=0)
    info = pdf_info(os.path.join(c.out, 'm.pdf'))
    w, h = page_size(info)
    assert abs(w - 100 * MM) < 0.5 and abs(h - 150 * MM) < 0.5, (w, h)
    assert int(info['Pages']) == 8, info['Pages']


def test_every_caption_is_text(c):
    names = c.images_made(10)
    shutil.copy(os.path.join(c.images, names[0]), os.path.join(c.images, HEBREW))
    shutil.copy(os.path.join(c.images, names[1]), os.path.join(c.images, CJK))
    c.run('--sheet=s.pdf', '--grid=3x4', '--title=Holiday {page}/{pages}', c.images, check_status=0)
    text = tool('pdftotext', os.path.join(c.out, 's.pdf'), '-')
    flat = no_space(text)
    for name in names + [CJK]:
        assert no_space(name) in flat, (name, text)
    # RTL words come out in pieces, in logical order.
    assert no_space(HEBREW[:-4]) in flat, text
    assert 'Holiday 1/1' in text, text
    assert re.search(r'Page 1 of 1 · \d{4}-\d\d-\d\d', text), text


def test_long_name_ellipsized_in_middle(c):
    names = c.images_made(2)
    shutil.copy(os.path.join(c.images, names[0]), os.path.join(c.images, LONG))
    c.run('--sheet=s.pdf', '--grid=6x6', c.images, check_status=0)
    # The text layer keeps the whole name (it is searchable), but what is
    # drawn is "a-very…0042.jpg", inside the name's cell: its words'
    # boxes say so.
    html = tool('pdftotext', '-bbox', os.path.join(c.out, 's.pdf'), '-')
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)
    cell_w, _ = cell_size(A4[0], A4[1], 6, 6)
    left = 12 * MM   # the first cell: the name sorts first
    parts = [(float(x0), float(x1), y0) for x0, y0, x1, text in words if text and text in LONG and len(text) > 3]
    assert parts, html
    assert len(set(y0 for _, _, y0 in parts)) == 1, parts   # one line
    assert min(x0 for x0, _, _ in parts) >= left - 0.5, (parts, left)
    assert max(x1 for _, x1, _ in parts) <= left + cell_w + 0.5, (parts, left + cell_w)


def test_cells_link_to_their_files(c):
    names = c.images_made(5)
    odd = "it's a [test] #1 100%.jpg"
    shutil.copy(os.path.join(c.images, names[0]), os.path.join(c.images, odd))
    c.run('--sheet=s.pdf', '--grid=2x2', c.images, check_status=0)
    listing = tool('pdfinfo', '-url', os.path.join(c.out, 's.pdf')).splitlines()[1:]
    links = {}
    for line in listing:
        page, kind, url = line.split(None, 2)
        assert kind == 'Annotation' and url.startswith('file:///'), line
        links[urllib.parse.unquote(url[len('file://'):])] = int(page)
    # Every file once, on the page its cell is on (6 cells, 4 a page).
    assert sorted(links) == sorted(os.path.join(c.images, n) for n in names + [odd]), links
    assert sorted(links.values()) == [1, 1, 1, 1, 2, 2], links


def test_images_at_cell_size(c):
    names = c.images_made(12)
    c.run('--sheet=s.pdf', '--grid=4x3', c.images, check_status=0)
    listing = tool('pdfimages', '-list', os.path.join(c.out, 's.pdf')).splitlines()[2:]
    cell_w, cell_h = cell_size(A4[0], A4[1], 4, 3)
    cell_w, cell_h = math.ceil(cell_w * 150 / 72), math.ceil(cell_h * 150 / 72)
    assert len(listing) == len(names), listing
    for line in listing:
        fields = line.split()
        width, height, x_ppi = int(fields[3]), int(fields[4]), int(fields[12])
        # Never the original (1,000 to 2,400 pixels wide): a cell's worth at
        # 150 dpi, from the thumbnail flavour large enough for the cell.
        assert width <= cell_w and height <= cell_h, (line, cell_w, cell_h)
        assert max(width, height) >= 200, line
        assert 145 <= x_ppi <= 151, line
        assert fields[8] == 'jpeg', line   # embedded as JPEG, not deflated pixels
    size = os.path.getsize(os.path.join(c.out, 's.pdf'))
    originals = sum(os.path.getsize(os.path.join(c.images, n)) for n in names)
    assert size < originals, (size, originals)


def test_rendered_page_has_pictures_in_cells(c):
    names = c.images_made(10)
    c.run('--sheet=s.pdf', '--grid=4x3', c.images, check_status=0)
    dpi = 30
    width, height, pixels = render_gray(os.path.join(c.out, 's.pdf'), 1, dpi)
    assert (width, height) == (math.ceil(A4[0] * dpi / 72), math.ceil(A4[1] * dpi / 72)), (width, height)
    for i, (x, y) in enumerate(cell_centres(A4[0], A4[1], 4, 3)):
        # A 3 x 3 pixel patch at the picture's centre.
        patch = [pixels[(round(y * dpi / 72) + dy) * width + round(x * dpi / 72) + dx]
                 for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
        if i < len(names):
            assert min(patch) < 240, (i, patch)
        else:
            assert min(patch) == 255, (i, patch)


def test_png_pages(c):
    c.images_made(9)
    status, out, err = c.run('--sheet=p.png', '--grid=2x2', '--dpi=72', c.images, check_status=0)
    assert out.splitlines() == ['p-1.png', 'p-2.png', 'p-3.png'], out
    assert sorted(os.listdir(c.out)) == ['p-1.png', 'p-2.png', 'p-3.png'], os.listdir(c.out)
    for page, cells in ((1, 4), (3, 1)):
        width, height, rows = png_pixels(os.path.join(c.out, 'p-%d.png' % page))
        assert (width, height) == (math.ceil(A4[0]), math.ceil(A4[1])), (width, height)
        centres = cell_centres(A4[0], A4[1], 2, 2)
        for i, (x, y) in enumerate(centres):
            pixel = rows[round(y)][round(x)]
            if i < cells:
                assert min(pixel) < 240, (page, i, pixel)
            else:
                assert pixel == (255, 255, 255), (page, i, pixel)

    status, out, err = c.run('--sheet=one.png', '--grid=4x4', '--dpi=100', c.images, check_status=0)
    assert out == 'one.png\n', out
    width, height, rows = png_pixels(os.path.join(c.out, 'one.png'))
    assert (width, height) == (math.ceil(A4[0] * 100 / 72), math.ceil(A4[1] * 100 / 72)), (width, height)


def test_png_page_matches_pdf_page(c):
    # Two renderers of one layout, cairo's raster and poppler's: the same
    # page within a tolerance for antialiased text.
    c.images_made(7)
    dpi = 50
    c.run('--sheet=s.pdf', '--grid=3x3', '--dpi=%d' % dpi, c.images, check_status=0)
    c.run('--sheet=s.png', '--grid=3x3', '--dpi=%d' % dpi, c.images, check_status=0)
    width, height, rows = png_pixels(os.path.join(c.out, 's.png'))
    data = subprocess.run(['pdftoppm', '-r', str(dpi), os.path.join(c.out, 's.pdf')],
                          check=True, stdout=subprocess.PIPE).stdout
    m = re.match(rb'P6\s+(\d+)\s+(\d+)\s+255\s', data)
    assert (int(m.group(1)), int(m.group(2))) == (width, height), (m.group(0), width, height)
    pixels = data[m.end():]
    total, far = 0, 0
    for y in range(height):
        row, ref = rows[y], pixels[y * width * 3:(y + 1) * width * 3]
        for x in range(width):
            diff = max(abs(row[x][k] - ref[x * 3 + k]) for k in range(3))
            total += diff
            far += diff > 128
    # Measured: 2.9 and 0.5 %, from edges and text resampled apart.
    assert total / (width * height) < 6, total / (width * height)
    assert far / (width * height) < 0.02, far / (width * height)


def test_jpeg_page(c):
    c.images_made(3)
    status, out, err = c.run('--sheet=j.jpg', '--dpi=50', c.images, check_status=0)
    assert out == 'j.jpg\n', out
    data = open(os.path.join(c.out, 'j.jpg'), 'rb').read()
    assert data[:2] == b'\xff\xd8', data[:4]
    sof = data.index(b'\xff\xc0')
    height, width = struct.unpack('>HH', data[sof + 5:sof + 9])
    assert (width, height) == (math.ceil(A4[0] * 50 / 72), math.ceil(A4[1] * 50 / 72)), (width, height)


def test_exif_in_captions(c):
    names = c.images_made(1)
    add_exif(os.path.join(c.images, names[0]), os.path.join(c.images, 'exif.jpg'))
    c.run('--sheet=s.pdf', '--caption={name}\\n{date}\\n{exposure}', c.images, check_status=0)
    text = tool('pdftotext', os.path.join(c.out, 's.pdf'), '-')
    for want in ('exif.jpg', '2021-07-14 18:30', '1/250 s', 'ƒ/2.8', 'ISO 400'):
        assert want in text, (want, text)


def test_dims_made_and_reused(c):
    c.images_made(5)   # 1600 x 1200, 1200 x 1600, 1920 x 1080, 1000 x 1000, 2400 x 800
    for run in ('made', 'reused'):
        status, out, err = c.run('--sheet=%s.pdf' % run, '--caption={dims}', c.images, check_status=0)
        assert ('(5 reused)' in err) == (run == 'reused'), err
        text = tool('pdftotext', os.path.join(c.out, run + '.pdf'), '-')
        for dims in ('1600 × 1200', '1200 × 1600', '1920 × 1080', '1000 × 1000', '2400 × 800'):
            assert dims in text, (run, dims, text)


def test_sort_orders(c):
    gen = os.path.join(c.root, 'gen')
    subprocess.run([GEN, gen, '3'], check=True)
    by_size = sorted(os.listdir(gen), key=lambda n: os.path.getsize(os.path.join(gen, n)))
    os.mkdir(c.images)
    # Smallest to largest; names that sort apart by text and by number.
    for src, name in zip(by_size, ['img-2.png', 'img-1.png', 'img-10.png']):
        shutil.copy(os.path.join(gen, src), os.path.join(c.images, name))
    for order, want in (('name', ['img-1.png', 'img-2.png', 'img-10.png']),
                        ('size', ['img-10.png', 'img-1.png', 'img-2.png'])):
        c.run('--sheet=%s.pdf' % order, '--grid=1x3', '--sort=' + order, c.images, check_status=0)
        text = tool('pdftotext', os.path.join(c.out, order + '.pdf'), '-')
        found = [w for w in text.split() if w.startswith('img-')]
        assert found == want, (order, found)


def test_failed_image_gets_placeholder(c):
    c.images_made(3)
    with open(os.path.join(c.images, 'broken.jpg'), 'w') as f:
        f.write('not a picture')
    status, out, err = c.run('--sheet=s.pdf', c.images)
    assert status == 1, (status, err)
    assert out == 's.pdf\n', out
    assert any(l.endswith('broken.jpg: Not an image, or a format no installed loader reads')
               for l in err.splitlines()), err
    text = no_space(tool('pdftotext', os.path.join(c.out, 's.pdf'), '-'))
    assert text.count('broken.jpg') == 2, text   # the placeholder and the caption
    assert no_space('Not an image, or a format no installed loader reads') in text, text


def test_null_separated(c):
    c.images_made(2)
    status, out, err = c.run('-z', '--sheet=p.png', '--grid=1x1', '--dpi=36', c.images, check_status=0)
    assert out == 'p-1.png\0p-2.png\0', repr(out)


def test_usage_errors_write_nothing(c):
    c.images_made(2)
    for args, words in ((['--sheet=s.pdf', '--grid=0x5'], '0x5'),
                        (['--sheet=s.pdf', '--paper=napkin'], 'napkin'),
                        (['--sheet=s.txt'], 's.txt'),
                        (['--sheet=s.pdf', '--dpi=5'], '5'),
                        (['--sheet=s.pdf', '--sort=colour'], 'colour'),
                        (['--sheet=s.pdf', '--grid=50x50'], '50 × 50'),
                        (['--sheet=no/such/folder/s.pdf'], 'no/such/folder/s.pdf'),
                        (['--grid=2x2'], '--sheet')):
        status, out, err = c.run(*args, c.images)
        lines = err.splitlines()
        assert status == 2, (args, status, err)
        assert out == '', (args, out)
        assert len(lines) == 2 and words in lines[0] and lines[1].startswith('Try'), (args, err)
        assert os.listdir(c.out) == [], (args, os.listdir(c.out))
        assert not os.path.exists(os.path.join(c.root, 'cache')), args


def sheet_being_written(c, dpi):
    """The CLI writing PNG pages of a warm cache, once its first temporary
    file is there."""
    c.images_made(24)
    # Warm the cache, so that the run below spends its time on the sheet.
    c.run('-q', c.images, check_status=0)
    proc = subprocess.Popen([CLI, '--sheet=p.png', '--grid=1x1', '--dpi=%d' % dpi, c.images],
                            env=c.env, cwd=c.out, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any(n.startswith('.p-') for n in os.listdir(c.out)):
        assert proc.poll() is None and time.monotonic() < deadline, 'no temporary file seen'
        time.sleep(0.002)
    return proc


def test_interrupt_leaves_nothing(c):
    proc = sheet_being_written(c, 300)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (proc.returncode, err)
    assert out == b'', out
    assert os.listdir(c.out) == [], os.listdir(c.out)


def test_second_interrupt_leaves_nothing(c):
    # The second Ctrl+C leaves at once, without waiting for the sheet's
    # writer: it takes the sheet's hidden parts with it all the same.
    proc = sheet_being_written(c, 600)
    # Apart, so that the program sees two (GLib folds signals that come
    # together into one); a 600 dpi page takes far longer than that to encode.
    proc.send_signal(signal.SIGINT)
    time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (proc.returncode, err)
    assert os.listdir(c.out) == [], os.listdir(c.out)


TESTS = [v for k, v in list(globals().items()) if k.startswith('test_')]


def main():
    print('1..%d' % len(TESTS))
    failed = 0
    for number, test in enumerate(TESTS, 1):
        case = Case()
        try:
            test(case)
            print('ok %d - %s' % (number, test.__name__))
        except Exception:
            failed += 1
            print('not ok %d - %s' % (number, test.__name__))
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
        finally:
            case.close()
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
