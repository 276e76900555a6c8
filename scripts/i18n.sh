#!/usr/bin/env bash
# After changing any translatable text: extract every msgid, update each language's catalogue, compile.
# Then fill the new empty msgstr entries in ptsp/translations/<code>/LC_MESSAGES/messages.po and run
# this again (tests/test_i18n.py fails while any entry is untranslated or any .mo is stale).
# A new language: scripts/i18n.sh --init <code>, translate, run again.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(dirname "$(command -v python)")"
pot="$(mktemp --suffix=.pot)"
trap 'rm -f "$pot"' EXIT
"$bin/pybabel" -q extract -F babel.cfg -k N_ -k lazy_gettext -k _l --no-location --sort-output \
  --project=PTSP --msgid-bugs-address= -o "$pot" .
if [ "${1:-}" = "--init" ]; then
  "$bin/pybabel" init -i "$pot" -d ptsp/translations -l "$2" --no-wrap
fi
"$bin/pybabel" update -i "$pot" -d ptsp/translations --no-fuzzy-matching --ignore-obsolete \
  --ignore-pot-creation-date --no-wrap
"$bin/pybabel" compile -d ptsp/translations --statistics
