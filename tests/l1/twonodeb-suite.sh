#!/bin/sh
# The two-node test, node B: node A's suite file in role b.
TN_ROLE=b
# shellcheck source=tests/l1/twonodea-suite.sh
. /tests/l1/twonodea-suite.sh
