#!/usr/bin/env python3
"""A large schema set for the generator figures in BENCHMARKS.md.

The shape of tests/build.rs's `large_schema` (the 256 KiB-stack test), at a
chosen number of global elements: `Part` types of 20 fields, `Big` types of
12 `Part` elements, a recursive `Level`, and N global elements `Msg####`
holding several `Big` types, a choice and a repeated `Part`.

    python3 bench/scripts/large_schema.py 1300 > /tmp/large/large_schema.xsd
"""
import sys

ROOTS = int(sys.argv[1]) if len(sys.argv) > 1 else 1300
PARTS, PART_FIELDS, BIGS, BIG_FIELDS = 30, 20, 15, 12
TYPES = ["xs:string", "xs:decimal", "xs:dateTime", "xs:integer", "xs:token"]
OPTIONAL = ' minOccurs="0"'

out = ['<?xml version="1.0" encoding="UTF-8"?>',
       '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:l="urn:large" '
       'targetNamespace="urn:large" elementFormDefault="qualified">']
for k in range(PARTS):
    fields = "".join(
        f'<xs:element name="f{f:02}" type="{TYPES[f % 5]}"{OPTIONAL if f % 3 == 2 else ""}/>'
        for f in range(PART_FIELDS))
    out.append(f'<xs:complexType name="Part{k:02}"><xs:sequence>{fields}</xs:sequence>'
               '<xs:attribute name="id" type="xs:token"/></xs:complexType>')
for j in range(BIGS):
    fields = "".join(f'<xs:element name="p{f:02}" type="l:Part{(j * 7 + f) % PARTS:02}"/>'
                     for f in range(BIG_FIELDS))
    out.append(f'<xs:complexType name="Big{j:02}"><xs:sequence>{fields}</xs:sequence></xs:complexType>')
out.append('<xs:complexType name="Level"><xs:sequence><xs:element name="part" type="l:Part00"/>'
           '<xs:element name="next" type="l:Level" minOccurs="0"/></xs:sequence></xs:complexType>')
for i in range(ROOTS):
    a, b, c, p = i % BIGS, (i + 1) % BIGS, (i + 2) % BIGS, i % PARTS
    out.append(
        f'<xs:element name="Msg{i:04}"><xs:complexType><xs:sequence>'
        f'<xs:element name="ref" type="xs:token"/>'
        f'<xs:element name="first" type="l:Big{a:02}"/>'
        f'<xs:element name="second" type="l:Big{b:02}" minOccurs="0"/>'
        f'<xs:choice><xs:element name="left" type="l:Big{c:02}"/>'
        f'<xs:element name="right" type="l:Part{p:02}"/></xs:choice>'
        f'<xs:element name="level" type="l:Level" minOccurs="0"/>'
        f'<xs:element name="extra" type="l:Part{p:02}" minOccurs="0" maxOccurs="unbounded"/>'
        f'</xs:sequence></xs:complexType></xs:element>')
out.append('</xs:schema>')
print("\n".join(out))
