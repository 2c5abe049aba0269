#!/bin/bash
# Suite "testbed": the test bed's own checks of its kernel model.
exec "$(dirname "$0")/selftest.sh"
