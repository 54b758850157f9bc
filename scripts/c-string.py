#!/usr/bin/env python3
"""Writes a C file defining one string constant with a file's text:
c-string.py INPUT OUTPUT NAME. The build uses it to compile silo's default
seccomp profile (data/seccomp-default.json) into the engine, so no file
has to be found at run time."""
import sys

source, output, name = sys.argv[1:4]
with open(source, encoding="utf-8") as f:
    text = f.read()
lines = []
for line in text.splitlines(keepends=True):
    escaped = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    lines.append('\t"%s"' % escaped)
with open(output, "w", encoding="utf-8") as f:
    f.write("/* Generated from %s by scripts/c-string.py. */\n" % source.split("/")[-1])
    f.write("const char %s[] =\n%s;\n" % (name, "\n".join(lines) or '\t""'))
