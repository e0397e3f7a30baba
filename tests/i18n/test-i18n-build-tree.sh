#!/usr/bin/env bash
# The programs run from the build tree, in the environment build-aux/run.sh
# gives them (build-aux/build-tree-env.sh), speak the build's translations:
# nothing is installed, so the prefix's locale folder has no catalogue.
#
# Usage: test-i18n-build-tree.sh SOURCE_DIR BUILD_DIR
set -euo pipefail

SOURCE_DIR=$1
BUILD_DIR=$2

unset CONTACT_SHEET_LOCALEDIR
source "$SOURCE_DIR/build-aux/build-tree-env.sh"

# zh_CN.UTF-8 where it is installed: newer glibc ignores LANGUAGE in C.UTF-8.
locale=C.UTF-8
if locale -a | grep -qix 'zh_CN.utf-\?8'; then
  locale=zh_CN.UTF-8
fi

status=0

help=$(LANGUAGE=zh_CN LC_ALL=$locale "$BUILD_DIR/src/cli/contact-sheet-cli" --help)
# po/zh_CN.po: "PATH… — make thumbnails of images"
if grep -q '为图像生成缩略图' <<<"$help"; then
  echo "ok: contact-sheet-cli --help is in Chinese"
else
  echo "FAIL: contact-sheet-cli --help under LANGUAGE=zh_CN is not translated:" >&2
  head -3 <<<"$help" >&2
  status=1
fi

# A message made at run time, not only the option table.
usage=$(LANGUAGE=zh_CN LC_ALL=$locale "$BUILD_DIR/src/cli/contact-sheet-cli" --size=huge /nonexistent 2>&1 >/dev/null || true)
if grep -q '无效的尺寸' <<<"$usage"; then
  echo "ok: a usage error is in Chinese"
else
  echo "FAIL: a usage error under LANGUAGE=zh_CN is not translated: $usage" >&2
  status=1
fi

# A failure's reason, worded in the decoder helper (a process of its own,
# confined once started): an empty file.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/empty.png"
reason=$(LANGUAGE=zh_CN LC_ALL=$locale "$BUILD_DIR/src/cli/contact-sheet-cli" -o "$work/out" "$work/empty.png" 2>&1 >/dev/null || true)
if grep -q '文件为空' <<<"$reason"; then
  echo "ok: a failure's reason from the decoder helper is in Chinese"
else
  echo "FAIL: a failure's reason under LANGUAGE=zh_CN is not translated: $reason" >&2
  status=1
fi

exit $status
