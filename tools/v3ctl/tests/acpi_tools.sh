#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Check v3ctl's ACPI tables with ACPICA's own tools (Debian: acpica-tools).
# Usage: acpi_tools.sh DIR, with DIR holding facp.dat dsdt.dat apic.dat
# facs.dat rsdt.dat xsdt.dat srat.dat slit.dat (SRAT and SLIT: 4 vCPUs and
# 3 memory ranges on 2 nodes).  Exit 0 if every table disassembles without
# a checksum complaint, iasl reads SRAT and SLIT as built and AML \_S5
# evaluates to { 5, 5, 0, 0 }; 77 if the tools are missing; 1 (with a
# message) otherwise.
set -u
dir=$1
command -v iasl >/dev/null 2>&1 || exit 77
cd "$dir" || exit 1
for t in facp dsdt apic facs rsdt xsdt srat slit; do
	if ! iasl -d "$t.dat" >"$t.log" 2>&1; then
		echo "iasl -d $t.dat failed:"; cat "$t.log"; exit 1
	fi
	if grep -qi "incorrect checksum\|invalid" "$t.dsl" "$t.log"; then
		echo "iasl complains about $t:"; grep -i "incorrect checksum\|invalid" "$t.dsl" "$t.log"
		exit 1
	fi
done
grep -q 'Name (\\_S5, Package (0x04)' dsdt.dsl || { echo "no \\_S5 in DSDT"; exit 1; }
n=$(grep -c 'Subtable Type : 00 \[Processor Local APIC/SAPIC Affinity\]' srat.dsl)
m=$(grep -c 'Subtable Type : 01 \[Memory Affinity\]' srat.dsl)
[ "$n" = 4 ] && [ "$m" = 3 ] && grep -q 'Revision : 03' srat.dsl ||
	{ echo "SRAT: $n processor and $m memory entries:"; grep 'Subtable Type\|Revision' srat.dsl; exit 1; }
grep -q 'Locality   0 : 0A 14' slit.dsl && grep -q 'Locality   1 : 14 0A' slit.dsl ||
	{ echo "SLIT distances:"; grep 'Locality' slit.dsl; exit 1; }
command -v acpiexec >/dev/null 2>&1 || exit 0
out=$(timeout 30 acpiexec -b 'evaluate \_S5' dsdt.dat facp.dat apic.dat 2>&1 | grep -v aetests)
if printf '%s\n' "$out" | grep -qi "warning\|error"; then
	echo "acpiexec:"; printf '%s\n' "$out" | grep -i "warning\|error"; exit 1
fi
n=$(printf '%s\n' "$out" | grep -c '\[Integer\] = 000000000000000[05]')
[ "$n" = 4 ] || { echo "acpiexec: \\_S5 is not { 5, 5, 0, 0 }:"; printf '%s\n' "$out" | tail -8; exit 1; }
printf '%s\n' "$out" | sed -n 's/.*\[Integer\] = \(.*\)/\1/p' | tr '\n' ' ' | grep -q '^0*5 0*5 0*0 0*0 $' ||
	{ echo "acpiexec: \\_S5 elements in the wrong order"; exit 1; }
exit 0
