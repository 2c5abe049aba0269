# -*- coding: utf-8 -*-
# Copyright: vfio-bind contributors
# GNU Lesser General Public License v2.1 or later (see https://www.gnu.org/licenses/old-licenses/lgpl-2.1.txt)
"""Running vfio-bind and reading its JSON (output schema version 1, docs/output.md)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

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
    return rc, parse_json(module, argv, rc, out, err, key, ok_rcs), err


def parse_json(module, argv, rc, out, err, key, ok_rcs=(0, 1)):
    """The document under KEY that ARGV printed, or the module fails saying why not."""
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
    return doc


# Exit status of the wrapper when the mount namespace cannot be made (vfio-bind uses 0 to 3).
NO_NAMESPACE = 125


def plan_in_place(module, new_file, path, config):
    """plan --json as apply will run once NEW_FILE is at PATH: NEW_FILE is bind-mounted over
    PATH in a mount namespace of its own (gone with the process; nothing is written), so
    vfio-bind reads it as PATH, with the same drop-ins and the same origin for releases.
    Returns (rc, document), or None when no namespace can be made (not root, no unshare)."""
    unshare = module.get_bin_path('unshare', opt_dirs=['/usr/bin', '/bin'])
    mount = module.get_bin_path('mount', opt_dirs=['/usr/bin', '/bin'])
    if not unshare or not mount or not os.path.isfile(path):
        return None
    script = '"$1" --no-canonicalize --bind "$2" "$3" || exit %d; shift 3; exec "$@"' % NO_NAMESPACE
    wrapper = [unshare, '--mount', '--propagation', 'private', '/bin/sh', '-c', script, 'sh',
               mount, new_file, path]
    plan = command(module, ['plan', '--json'], config)
    prefix_len = len(module.params['command_prefix'])
    argv = plan[:prefix_len] + wrapper + plan[prefix_len:]
    rc, out, err = module.run_command(argv)
    if rc == NO_NAMESPACE or (rc == 1 and not out.strip() and err.startswith('unshare')):
        return None
    return rc, parse_json(module, argv, rc, out, err, 'plan')


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
