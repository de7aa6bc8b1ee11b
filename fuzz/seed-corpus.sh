#!/usr/bin/env bash
# Builds the seed corpora in fuzz/corpus/<target>/ from the repository's
# example documents and the small hand-written seeds in fuzz/seeds/.
set -euo pipefail
cd "$(dirname "$0")"
for t in read read_validate roundtrip; do
  mkdir -p "corpus/$t"
  # The same file names repeat across message folders: keep every file apart.
  i=0; for f in $(find ../schemas/examples -name '*.xml'); do
    cp "$f" "corpus/$t/$(basename "$(dirname "$(dirname "$f")")")-$(basename "$(dirname "$f")")-$i.xml"; i=$((i+1)); done
done
for t in response webhook xsd_regex; do
  mkdir -p "corpus/$t"
  cp seeds/$t/* "corpus/$t/"
done
# Every pattern facet of the schemas seeds the regex target.
i=0
grep -rhoP 'pattern value="\K[^"]*' ../schemas | sort -u | while IFS= read -r p; do
  printf '%s\n' "$p" > "corpus/xsd_regex/schema-$i"; i=$((i+1))
done
