#!/bin/sh
# adapt-tests.sh alone on the emulated VMX host, with adapt-bochs.sh's
# knobs (the VMX suite in make check runs the same): make check-vmx-adapt.
# shellcheck source=tests/l1/adapt-bochs.sh
. /tests/l1/adapt-bochs.sh
. /tests/l1/adapt-suite.sh
