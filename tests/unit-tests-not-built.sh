#!/bin/sh
# Stands in for the unit tests when configure did not find cmocka or zlib:
# a suite that passes without them would claim more than it checked.
echo "the unit tests were not built: configure did not find ${TEST_LIBS_MISSING:-cmocka or zlib}"
echo "install them (Debian/Ubuntu: apt-get install libcmocka-dev zlib1g-dev), then run ./configure again"
exit 1
