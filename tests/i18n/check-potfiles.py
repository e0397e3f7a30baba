#!/usr/bin/env python3
# check-potfiles.py: po/POTFILES.in lists every file with translatable strings
#
# Usage: check-potfiles.py SOURCE_ROOT
#        check-potfiles.py --self-test
#
# Fails when a file under src/, ui/ or data/ has translatable strings and is
# not listed (its strings would never reach translators), and when a listed
# file does not exist (xgettext stops on it, so no .pot can be made).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import sys
import tempfile

SCANNED_DIRS = ('src', 'ui', 'data')

# Calls xgettext extracts from code: meson's glib preset plus xgettext's own
# C keywords. g_dgettext is not in the preset; listed so its file is caught.
CODE_KEYWORDS = re.compile(
    r'(?<![A-Za-z0-9_])'
    r'(_|N_|C_|NC_|Q_|gettext|dgettext|dcgettext|ngettext|dngettext|dcngettext|'
    r'pgettext|npgettext|g_dgettext|g_dcgettext|g_dngettext|g_dpgettext|g_dpgettext2)'
    r'\s*\(')
CODE_SUFFIXES = ('.c', '.h', '.vala', '.blp', '.js', '.py')

BUILDER_TRANSLATABLE = re.compile(r'translatable\s*=\s*["\'](yes|true|1)["\']', re.IGNORECASE)
DESKTOP_KEY = re.compile(r'^(Name|GenericName|Comment|Keywords|X-GNOME-FullName)=', re.MULTILINE)
SCHEMA_TEXT = re.compile(r'<(summary|description)\b|\bl10n\s*=')
METAINFO_TEXT = re.compile(r'<(name|summary|description|caption|developer_name)\b')


def strip_code(text):
    """C source without comments, string literals emptied: a keyword named in
    a comment or inside a string is not a call."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            end = text.find('*/', i + 2)
            i = n if end < 0 else end + 2
            out.append(' ')
        elif text.startswith('//', i):
            end = text.find('\n', i)
            i = n if end < 0 else end
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def has_translatable_strings(path):
    name = os.path.basename(path)
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
    except OSError:
        return False

    if name.endswith(CODE_SUFFIXES):
        return CODE_KEYWORDS.search(strip_code(text)) is not None
    if name.endswith('.desktop.in'):
        return DESKTOP_KEY.search(text) is not None
    if name.endswith(('.gschema.xml', '.gschema.xml.in')):
        return SCHEMA_TEXT.search(text) is not None
    if name.endswith(('.metainfo.xml.in', '.appdata.xml.in')):
        return METAINFO_TEXT.search(text) is not None
    if name.endswith(('.ui', '.ui.in', '.xml', '.xml.in')):
        return BUILDER_TRANSLATABLE.search(text) is not None
    return False


def read_potfiles(path):
    """Entries as written, with their line numbers."""
    entries = []
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#') or re.fullmatch(r'\[encoding:.*\]', line):
                continue
            line = re.sub(r'^\[type:[^\]]*\]\s*', '', line)
            entries.append((number, line))
    return entries


def find_candidates(root):
    found = []
    for top in SCANNED_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith('.'))
            for filename in sorted(filenames):
                if filename.startswith('.'):
                    continue
                path = os.path.join(dirpath, filename)
                if has_translatable_strings(path):
                    found.append(os.path.relpath(path, root).replace(os.sep, '/'))
    return found


def check(root):
    """Problems found, as lines for a person to read; empty when all is well."""
    potfiles = os.path.join(root, 'po', 'POTFILES.in')
    if not os.path.isfile(potfiles):
        return ['po/POTFILES.in: does not exist']

    problems = []
    entries = read_potfiles(potfiles)
    listed = set()
    for number, entry in entries:
        listed.add(os.path.normpath(entry).replace(os.sep, '/'))
        if not os.path.isfile(os.path.join(root, entry)):
            problems.append('po/POTFILES.in:%d: %s does not exist' % (number, entry))

    for path in find_candidates(root):
        if path not in listed:
            problems.append('po/POTFILES.in: %s has translatable strings but is not listed' % path)

    return problems


def write(root, relative, text):
    path = os.path.join(root, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def self_test():
    """The checker on small made-up trees: it must find each planted fault."""
    failures = 0

    def expect(label, got, want):
        nonlocal failures
        ok = sorted(got) == sorted(want)
        print('%s - %s' % ('ok' if ok else 'not ok', label))
        if not ok:
            failures += 1
            for line in got:
                print('#   got:  ' + line)
            for line in want:
                print('#   want: ' + line)

    with tempfile.TemporaryDirectory(prefix='cs-potfiles-') as root:
        write(root, 'src/listed.c', 'x = _("Listed");\n')
        write(root, 'src/plain-call.c', 'x = N_("Not listed");\n')
        write(root, 'src/plural.c', 'x = g_dngettext (P, "%u file", "%u files", n);\n')
        write(root, 'src/context.c', 'x = C_("menu", "Open");\n')
        write(root, 'src/quiet.c',
              '/* wrap with _() to translate */\n'
              'g_print ("not _(this) either");\n'
              'int my_(void); x = foo_ (1); y = cs_item_ (2);\n')
        write(root, 'ui/window.ui',
              '<interface><object class="GtkLabel">'
              '<property name="label" translatable="yes">Hi</property>'
              '</object></interface>\n')
        write(root, 'ui/plain.ui', '<interface><object class="GtkBox"/></interface>\n')
        write(root, 'data/app.desktop.in', '[Desktop Entry]\nName=App\nExec=app\n')
        write(root, 'data/app.gschema.xml',
              '<schemalist><schema id="a"><key name="k" type="b"><default>true</default>'
              '<summary>A key</summary></key></schema></schemalist>\n')
        write(root, 'data/app.metainfo.xml.in',
              '<component><id>a</id><name>App</name><summary>Does</summary></component>\n')
        write(root, 'po/POTFILES.in',
              '# comment\n\nsrc/listed.c\nsrc/gone.c\n')

        expect('finds unlisted files and listed files that do not exist', check(root), [
            'po/POTFILES.in:4: src/gone.c does not exist',
            'po/POTFILES.in: src/plain-call.c has translatable strings but is not listed',
            'po/POTFILES.in: src/plural.c has translatable strings but is not listed',
            'po/POTFILES.in: src/context.c has translatable strings but is not listed',
            'po/POTFILES.in: ui/window.ui has translatable strings but is not listed',
            'po/POTFILES.in: data/app.desktop.in has translatable strings but is not listed',
            'po/POTFILES.in: data/app.gschema.xml has translatable strings but is not listed',
            'po/POTFILES.in: data/app.metainfo.xml.in has translatable strings but is not listed',
        ])

        write(root, 'po/POTFILES.in',
              '[encoding: UTF-8]\n'
              'data/app.desktop.in\ndata/app.gschema.xml\ndata/app.metainfo.xml.in\n'
              'src/context.c\nsrc/listed.c\nsrc/plain-call.c\nsrc/plural.c\n'
              '[type: gettext/glade]ui/window.ui\n')
        expect('a complete list passes', check(root), [])

        os.remove(os.path.join(root, 'po/POTFILES.in'))
        expect('a missing POTFILES.in fails', check(root), ['po/POTFILES.in: does not exist'])

    print('1..3')
    return 1 if failures else 0


def main(argv):
    if len(argv) == 2 and argv[1] == '--self-test':
        return self_test()
    if len(argv) != 2:
        print('usage: check-potfiles.py SOURCE_ROOT | --self-test', file=sys.stderr)
        return 2

    problems = check(argv[1])
    for line in problems:
        print(line, file=sys.stderr)
    if not problems:
        print('po/POTFILES.in lists every file with translatable strings')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
