#!/bin/sh
# initqueue/settled hook: report, then power off (or hold).
/sbin/vbt-report settled
