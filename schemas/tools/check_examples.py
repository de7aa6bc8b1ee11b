#!/usr/bin/env python3
"""Consistency check for the CAS schemas and their example instances.

Run from anywhere: python3 schemas/tools/check_examples.py
Needs python3 (>= 3.11, for tomllib) and xmllint (libxml2) on PATH.

Checks:
  * schemas/manifest.toml lists every message XSD; namespace/root match the XSD.
  * every xs:element/xs:attribute declaration and every type/group carries documentation.
  * every valid example validates against its message XSD (xmllint exit 0).
  * every invalid example is rejected (xmllint exit != 0).
  * examples/manifest.toml and the invalid/ folders list the same files, sorted,
    with a known constraint kind and a path rooted at the message's root element.
"""
import glob, os, re, subprocess, sys, tomllib
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.dirname(HERE)
EXAMPLES = os.path.join(SCHEMAS, "examples")
XS = "{http://www.w3.org/2001/XMLSchema}"
CONSTRAINTS = {
    "pattern", "enumeration", "length", "minLength", "maxLength", "minInclusive", "maxInclusive",
    "minExclusive", "maxExclusive", "totalDigits", "fractionDigits", "whiteSpace", "datatype",
    "minOccurs", "maxOccurs", "unexpectedElement", "requiredAttribute", "unexpectedAttribute",
    "fixed", "nillable", "unique", "key", "keyref", "encoding", "malformed",
}
errors = []
def fail(msg): errors.append(msg)

def kebab(name): return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()

def xmllint(xsd, doc):
    r = subprocess.run(["xmllint", "--noout", "--schema", xsd, doc], capture_output=True)
    return r.returncode, r.stderr.decode("utf-8", "replace")

# --- message manifest -------------------------------------------------------
with open(os.path.join(SCHEMAS, "manifest.toml"), "rb") as f:
    messages = tomllib.load(f)["message"]
names = [m["name"] for m in messages]
if names != sorted(names): fail("manifest.toml: messages not in alphabetical order")
for m in messages:
    k = kebab(m["name"])
    if m["schema"] != m["name"] + ".xsd": fail(f"{m['name']}: schema should be {m['name']}.xsd")
    if m["root"] != m["name"]: fail(f"{m['name']}: root should equal name")
    if m["namespace"] != f"urn:cas:ingestion:{k}:1": fail(f"{m['name']}: bad namespace")
    tree = ET.parse(os.path.join(SCHEMAS, m["schema"])).getroot()
    if tree.get("targetNamespace") != m["namespace"]: fail(f"{m['schema']}: targetNamespace mismatch")
    roots = [e.get("name") for e in tree.findall(XS + "element")]
    if roots != [m["root"]]: fail(f"{m['schema']}: global elements {roots}, expected [{m['root']}]")
xsd_files = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(SCHEMAS, "*.xsd")))
for n in xsd_files:
    if n not in names and n != "CustomsShipmentGoodsItem": fail(f"{n}.xsd is not in manifest.toml")

# --- documentation on every declaration --------------------------------------
for path in sorted(glob.glob(os.path.join(SCHEMAS, "**", "*.xsd"), recursive=True)):
    root = ET.parse(path).getroot()
    for el in root.iter():
        tag = el.tag.replace(XS, "")
        needs = tag in ("complexType", "simpleType") or (
            tag in ("element", "attribute", "attributeGroup", "group") and el.get("name"))
        if tag in ("key", "keyref", "unique"): needs = True
        if needs:
            ann = el.find(XS + "annotation")
            if ann is None or ann.find(XS + "documentation") is None:
                fail(f"{os.path.relpath(path, SCHEMAS)}: <{tag} name={el.get('name')!r}> lacks documentation")

# --- examples ----------------------------------------------------------------
for m in messages:
    xsd = os.path.join(SCHEMAS, m["schema"])
    valid = sorted(glob.glob(os.path.join(EXAMPLES, m["name"], "valid", "*.xml")))
    for req in ("minimal.xml", "typical.xml", "maximal.xml"):
        if not os.path.exists(os.path.join(EXAMPLES, m["name"], "valid", req)):
            fail(f"{m['name']}: valid/{req} missing")
    for doc in valid:
        rc, out = xmllint(xsd, doc)
        if rc != 0 or "validates" not in out: fail(f"should validate: {doc}\n{out}")
    invalid = sorted(glob.glob(os.path.join(EXAMPLES, m["name"], "invalid", "*.xml")))
    if len(invalid) < 10: fail(f"{m['name']}: only {len(invalid)} invalid examples")
    for doc in invalid:
        rc, out = xmllint(xsd, doc)
        if rc == 0: fail(f"should be rejected: {doc}")

with open(os.path.join(EXAMPLES, "manifest.toml"), "rb") as f:
    entries = tomllib.load(f)["invalid"]
files = [e["file"] for e in entries]
if files != sorted(files): fail("examples/manifest.toml: entries not sorted by file")
if len(files) != len(set(files)): fail("examples/manifest.toml: duplicate entries")
on_disk = sorted(os.path.relpath(p, EXAMPLES) for p in glob.glob(os.path.join(EXAMPLES, "*", "invalid", "*.xml")))
for f in sorted(set(on_disk) - set(files)): fail(f"not in examples/manifest.toml: {f}")
for f in sorted(set(files) - set(on_disk)): fail(f"listed but missing: {f}")
for e in entries:
    if e["file"].split("/")[0] != e["message"]: fail(f"{e['file']}: message mismatch")
    if e["constraint"] not in CONSTRAINTS: fail(f"{e['file']}: unknown constraint {e['constraint']}")
    if not (e["path"] == "/" or e["path"] == "/" + e["message"] or e["path"].startswith("/" + e["message"] + "/")):
        fail(f"{e['file']}: path {e['path']} not rooted at /{e['message']}")
    if not e.get("note"): fail(f"{e['file']}: empty note")

for m in messages:
    nv = len(glob.glob(os.path.join(EXAMPLES, m["name"], "valid", "*.xml")))
    ni = len(glob.glob(os.path.join(EXAMPLES, m["name"], "invalid", "*.xml")))
    print(f"{m['name']:34} valid={nv:2} invalid={ni:2}")
if errors:
    print("\n".join(errors), file=sys.stderr)
    print(f"FAILED: {len(errors)} problem(s)", file=sys.stderr)
    sys.exit(1)
print("OK")
