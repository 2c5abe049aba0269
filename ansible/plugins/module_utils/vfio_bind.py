# -*- coding: utf-8 -*-
# Copyright: vfio-bind contributors
# GNU Lesser General Public License v2.1 or later (see https://www.gnu.org/licenses/old-licenses/lgpl-2.1.txt)
"""Running vfio-bind and reading its JSON (output schema version 1, docs/output.md)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

SCHEMA_VERSION = 1
HOST_CONFIG = '/etc/vfio-bind.yaml'

# Options both modules take: where vfio-bind is and how it is run.
COMMON_ARGS = dict(
    binary=dict(type='path', default='vfio-bind'),
    command_prefix=dict(type='list', elements='str', default=[]),
    path=dict(type='path', default=HOST_CONFIG),
    host_config=dict(type='bool'),
)


def is_host_config(params):
    """Whether params['path'] is what vfio-bind reads without -c (then it runs without -c:
    the drop-ins are read and releases are those of the host's configuration, as at boot)."""
    if params['host_config'] is not None:
        return params['host_config']
    return params['path'] == HOST_CONFIG


def command(module, args, config=None):
    """The argv of a vfio-bind call: the prefix, the binary, -c CONFIG when given."""
    binary = module.params['binary']
    if '/' not in binary:
        binary = module.get_bin_path(binary, required=True, opt_dirs=['/usr/sbin', '/sbin'])
    argv = list(module.params['command_prefix']) + [binary]
    if config is not None:
        argv += ['-c', config]
    return argv + list(args)


def run_json(module, args, key, config=None, ok_rcs=(0, 1)):
    """Runs vfio-bind ARGS --json and returns (rc, the document under KEY, stderr). An exit
    status outside OK_RCS, output that is not JSON or another schema version fail the module."""
    argv = command(module, args, config)
    rc, out, err = module.run_command(argv)
    if rc not in ok_rcs:
        module.fail_json(msg='%s failed (exit status %d): %s' % (' '.join(argv), rc, err.strip()),
                         rc=rc, stderr=err, cmd=argv)
    try:
        doc = json.loads(out)[key]
    except (ValueError, KeyError, TypeError) as e:
        module.fail_json(msg='%s printed no %r JSON document: %s' % (' '.join(argv), key, e),
                         rc=rc, stdout=out, stderr=err, cmd=argv)
    if doc.get('schema_version') != SCHEMA_VERSION:
        module.fail_json(msg='%s printed output schema_version %r; this collection reads %d '
                         '(docs/output.md)' % (' '.join(argv), doc.get('schema_version'),
                                               SCHEMA_VERSION), cmd=argv)
    return rc, doc, err


def device_failures(doc):
    """'ADDRESS: error' for each device row that failed or cannot be done, and each entry
    naming one device that matched none (missing)."""
    failures = []
    for row in doc.get('devices', []):
        if row.get('result') in ('failed', 'error'):
            failures.append('%s: %s' % (row.get('address'), row.get('error') or row.get('result')))
    for entry in doc.get('unmatched', []):
        if entry.get('result') == 'missing':
            failures.append('%s: missing (%s:%s)' % (entry.get('selector'), entry.get('config'),
                                                      entry.get('config_line')))
    return failures
