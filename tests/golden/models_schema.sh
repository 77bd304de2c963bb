#!/bin/bash
# models_schema.sh — every document-type model and the procedure catalogue validate against their
# JSON schemas (models/doctype.schema.json, models/procedures.schema.json), and every procedure's
# required types have a model. Uses python3-jsonschema (a real JSON Schema 2020-12 validator).
# Called as: bash models_schema.sh SOHOA_BIN CORPUS_DIR WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
python3 - "$here/models" <<'PY'
import glob, json, os, sys
import jsonschema
models = sys.argv[1]
bad = 0
def check(doc_path, schema_path):
    global bad
    schema = json.load(open(schema_path))
    v = jsonschema.Draft202012Validator(schema)
    for e in v.iter_errors(json.load(open(doc_path))):
        print(f"{doc_path}: {'/'.join(map(str, e.path))}: {e.message}")
        bad += 1
files = sorted(glob.glob(os.path.join(models, "doctypes", "*.json")))
if len(files) < 9:
    print(f"only {len(files)} models"); bad += 1
ids = set()
for f in files:
    check(f, os.path.join(models, "doctype.schema.json"))
    m = json.load(open(f))
    if m.get("id") + ".json" != os.path.basename(f):
        print(f"{f}: id {m.get('id')} does not match the file name"); bad += 1
    ids.add(m.get("id"))
check(os.path.join(models, "procedures.json"), os.path.join(models, "procedures.schema.json"))
for p in json.load(open(os.path.join(models, "procedures.json")))["procedures"]:
    for t in p["required"]:
        if t not in ids:
            print(f"procedure {p['code']}: no model for {t}"); bad += 1
print(f"{len(files)} models, {bad} problem(s)")
sys.exit(1 if bad else 0)
PY
