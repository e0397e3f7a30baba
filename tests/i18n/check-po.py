#!/usr/bin/env python3
# check-po.py: every translation in po/LINGUAS is complete and up to date
#
# Usage: check-po.py SOURCE_ROOT
#        check-po.py --self-test
#
# For each language: `msgfmt --check --check-accelerators=_ --statistics`
# passes with no fuzzy and no untranslated entry; and every message of a .pot
# made now from po/POTFILES.in (as meson's glib preset makes it) has a
# translation in the .po that is neither fuzzy nor obsolete.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import shutil
import subprocess
import sys
import tempfile

# meson's i18n.gettext(preset: 'glib') arguments to xgettext.
XGETTEXT_ARGS = [
    '--from-code=UTF-8',
    '--add-comments',
    '--keyword=_',
    '--keyword=N_',
    '--keyword=C_:1c,2',
    '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2',
    '--keyword=g_dngettext:2,3',
    '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format',
    '--flag=C_:2:pass-c-format',
    '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format',
    '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format',
    '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format',
    '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format',
    '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format',
    '--flag=g_printerr:1:c-format',
    '--flag=g_printf:1:c-format',
    '--flag=g_fprintf:2:c-format',
    '--flag=g_sprintf:2:c-format',
    '--flag=g_snprintf:3:c-format',
]

TOOLS = ('xgettext', 'msgfmt', 'msgmerge', 'msgattrib')

# The tools' own messages are parsed: keep them in English.
TOOL_ENV = dict(os.environ, LC_ALL='C')
TOOL_ENV.pop('LANGUAGE', None)


def run(args, **kwargs):
    return subprocess.run(args, env=TOOL_ENV, capture_output=True, text=True, **kwargs)


def statistics(stderr):
    """msgfmt --statistics' counts: translated, fuzzy, untranslated."""
    counts = {'translated': 0, 'fuzzy': 0, 'untranslated': 0}
    for number, kind in re.findall(r'(\d+) (translated|fuzzy|untranslated)', stderr):
        counts[kind] = int(number)
    return counts


def msgids(po_text):
    """The msgids (with context) of a .po's entries, for messages to people."""
    found = []
    for block in po_text.split('\n\n'):
        lines = [l for l in block.split('\n') if not l.startswith('#')]
        text = '\n'.join(lines)
        ctxt = re.search(r'^msgctxt ((?:".*"\n?)+)', text, re.MULTILINE)
        mid = re.search(r'^msgid ((?:".*"\n?)+)', text, re.MULTILINE)
        if mid is None:
            continue
        value = ''.join(re.findall(r'"(.*)"', mid.group(1)))
        if value == '':
            continue
        if ctxt:
            value = '%s|%s' % (''.join(re.findall(r'"(.*)"', ctxt.group(1))), value)
        found.append('"%s"' % value)
    return found


def read_linguas(podir):
    languages = []
    with open(os.path.join(podir, 'LINGUAS'), encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0]
            languages.extend(line.split())
    return languages


def make_pot(root, workdir):
    pot = os.path.join(workdir, 'fresh.pot')
    result = run(['xgettext', *XGETTEXT_ARGS,
                  '--package-name=check', '--directory=' + root,
                  '--files-from=' + os.path.join(root, 'po', 'POTFILES.in'),
                  '--output=' + pot])
    if result.returncode != 0:
        return None, 'xgettext failed:\n' + result.stderr
    return pot, None


def check_language(language, po, pot, workdir):
    problems = []
    name = 'po/%s.po' % language

    result = run(['msgfmt', '--check', '--check-accelerators=_', '--statistics',
                  '--output-file=' + os.devnull, po])
    if result.returncode != 0:
        problems.append('%s: msgfmt --check fails:\n%s' % (name, result.stderr.rstrip()))
    counts = statistics(result.stderr)
    if counts['fuzzy'] or counts['untranslated']:
        problems.append('%s: %d fuzzy and %d untranslated entries'
                        % (name, counts['fuzzy'], counts['untranslated']))

    if pot is None:
        return problems

    # Obsolete (#~) entries do not reach the .mo: leave them out before the
    # merge, which would otherwise bring them back.
    active = os.path.join(workdir, language + '.active.po')
    merged = os.path.join(workdir, language + '.merged.po')
    result = run(['msgattrib', '--no-obsolete', '--output-file=' + active, po])
    if result.returncode != 0:
        return problems + ['%s: msgattrib fails:\n%s' % (name, result.stderr.rstrip())]
    result = run(['msgmerge', '--quiet', '--no-fuzzy-matching',
                  '--output-file=' + merged, active, pot])
    if result.returncode != 0:
        return problems + ['%s: msgmerge fails:\n%s' % (name, result.stderr.rstrip())]

    for option, what in (('--untranslated', 'not translated'), ('--only-fuzzy', 'fuzzy')):
        result = run(['msgattrib', option, '--no-obsolete', merged])
        missing = msgids(result.stdout)
        if missing:
            problems.append('%s is out of date: %d message(s) of the sources %s in it:\n  %s'
                            % (name, len(missing), what, '\n  '.join(missing)))

    return problems


def check(root):
    """Problems found, as lines for a person to read; empty when all is well."""
    podir = os.path.join(root, 'po')
    problems = []
    languages = read_linguas(podir)

    present = sorted(f[:-3] for f in os.listdir(podir) if f.endswith('.po'))
    for language in present:
        if language not in languages:
            problems.append('po/%s.po is not in po/LINGUAS, so it is never built' % language)

    with tempfile.TemporaryDirectory(prefix='cs-check-po-') as workdir:
        pot, error = make_pot(root, workdir)
        if error:
            problems.append(error)
        for language in languages:
            po = os.path.join(podir, language + '.po')
            if not os.path.isfile(po):
                problems.append('po/LINGUAS lists %s but po/%s.po does not exist' % (language, language))
                continue
            problems.extend(check_language(language, po, pot, workdir))

    return problems


PO_HEADER = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: xx\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
'''


def write(root, relative, text):
    path = os.path.join(root, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def self_test():
    """The checker on a small made-up project: it must catch each planted fault."""
    failures = 0
    count = 0

    def expect(label, problems, pattern):
        nonlocal failures, count
        count += 1
        text = '\n'.join(problems)
        ok = re.search(pattern, text) is not None if pattern else not problems
        print('%s %d - %s' % ('ok' if ok else 'not ok', count, label))
        if not ok:
            failures += 1
            print('#   wanted: %s' % (pattern or 'no problem'))
            for line in text.splitlines() or ['(no problem)']:
                print('#   got: ' + line)

    entries = {
        'hello': 'msgid "Hello"\nmsgstr "Salut"\n',
        'open': 'msgid "_Open"\nmsgstr "_Ouvrir"\n',
        'files': ('msgid "%u file"\nmsgid_plural "%u files"\n'
                  'msgstr[0] "%u fichier"\nmsgstr[1] "%u fichiers"\n'),
        'menu': 'msgctxt "menu"\nmsgid "Quit"\nmsgstr "Quitter"\n',
    }

    def po(**changes):
        parts = dict(entries, **changes)
        return PO_HEADER + '\n' + '\n'.join(v for v in parts.values() if v)

    with tempfile.TemporaryDirectory(prefix='cs-check-po-self-') as root:
        write(root, 'src/a.c',
              'a = _("Hello");\n'
              'b = _("_Open");\n'
              'c = g_dngettext (P, "%u file", "%u files", n);\n'
              'd = C_("menu", "Quit");\n')
        write(root, 'po/POTFILES.in', 'src/a.c\n')
        write(root, 'po/LINGUAS', 'xx\n')

        write(root, 'po/xx.po', po())
        expect('a complete translation passes', check(root), None)

        write(root, 'po/xx.po', po(hello='#, fuzzy\nmsgid "Hello"\nmsgstr "Salut"\n'))
        expect('a fuzzy entry fails', check(root), r'1 fuzzy')

        write(root, 'po/xx.po', po(hello='msgid "Hello"\nmsgstr ""\n'))
        expect('an untranslated entry fails', check(root), r'1 untranslated')

        write(root, 'po/xx.po', po(files=''))
        expect('a message missing from the .po fails', check(root),
               r'out of date.*\n  "%u file"')

        write(root, 'po/xx.po', po(menu='#~ msgctxt "menu"\n#~ msgid "Quit"\n#~ msgstr "Quitter"\n'))
        expect('an obsolete translation does not count', check(root),
               r'out of date.*\n  "menu\|Quit"')

        write(root, 'po/xx.po', po(hello='msgid "Hello, old"\nmsgstr "Salut, vieux"\n'))
        expect('a changed source string fails', check(root), r'out of date.*\n  "Hello"')

        write(root, 'po/xx.po', po(open='msgid "_Open"\nmsgstr "Ouvrir"\n'))
        expect('a lost mnemonic fails', check(root), r'msgfmt --check fails')

        write(root, 'po/xx.po', po(files=('#, c-format\nmsgid "%u file"\nmsgid_plural "%u files"\n'
                                           'msgstr[0] "%s fichier"\nmsgstr[1] "%u fichiers"\n')))
        expect('a wrong format directive fails', check(root), r'msgfmt --check fails')

        write(root, 'po/LINGUAS', 'xx yy\n')
        write(root, 'po/xx.po', po())
        expect('a language without a .po fails', check(root), r'po/yy.po does not exist')

        write(root, 'po/LINGUAS', '\n')
        expect('a .po missing from LINGUAS fails', check(root), r'po/xx.po is not in po/LINGUAS')

    print('1..%d' % count)
    return 1 if failures else 0


def main(argv):
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        print('check-po.py needs gettext: %s not found' % ', '.join(missing), file=sys.stderr)
        return 1

    if len(argv) == 2 and argv[1] == '--self-test':
        return self_test()
    if len(argv) != 2:
        print('usage: check-po.py SOURCE_ROOT | --self-test', file=sys.stderr)
        return 2

    problems = check(argv[1])
    for line in problems:
        print(line, file=sys.stderr)
    if not problems:
        print('every language in po/LINGUAS is complete and up to date')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
