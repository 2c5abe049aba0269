#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vfio-bind contributors
# GNU Lesser General Public License v2.1 or later (see https://www.gnu.org/licenses/old-licenses/lgpl-2.1.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: vfio_bind
short_description: Write the vfio-bind configuration and hand devices to VFIO drivers
version_added: "0.1.0"
description:
  - Writes the configuration of C(vfio-bind) (see C(vfio-bind.yaml(5))) from structured
    device entries or from a file, and applies it with C(vfio-bind apply --json).
  - The new file is checked with C(vfio-bind validate) before it replaces the old one, by a
    rename in the same directory. A configuration that does not validate leaves the old file
    as it was, and the failure gives the FILE:LINE:COLUMN of each error.
  - In check mode nothing is written and nothing applied. The would-be file is written to a
    temporary directory, validated, and planned with C(vfio-bind plan --json) as apply would
    read it, bind-mounted over I(path) in a mount namespace of the plan's own (so the drop-ins
    and the devices to release are those of the real run); C(changed) is true when the file
    would change or a device would (plan result C(will-change) or C(will-release)).
  - With C(--diff), the change of the file and the per-device plan (check mode) or result
    (apply) are shown.
  - C(changed) is true only when the file changed or a device changed driver (apply result
    C(changed) or C(released)). The module fails when a device failed, could not be planned,
    or an entry naming one device matched none, naming each device and the reason.
options:
  devices:
    description:
      - The device entries, one dictionary per entry of C(vfio-bind.yaml(5)) with the same
        keys (C(address), C(id), C(driver), C(group), C(force), C(optional), C(bus), C(name),
        C(compatible), C(sriov) as a dictionary with C(numvfs), C(replace), C(vfs), ...).
      - A key C(comment) is written as a YAML comment above the entry.
      - Every key is written out, so a misspelt key is refused by C(vfio-bind validate) with
        its position instead of being dropped.
      - Quote PCI addresses in YAML (C("0000:02:00.0")), which YAML 1.1 otherwise reads as a
        number.
      - Mutually exclusive with I(src).
    type: list
    elements: dict
  src:
    description:
      - A configuration file on the managed host, installed as it is at I(path).
      - Mutually exclusive with I(devices).
    type: path
  path:
    description:
      - The configuration file to write.
      - Point it into C(/etc/vfio-bind.d/) (a drop-in such as C(50-ansible.yaml)) to leave
        the rest of the configuration to others; then set I(host_config=true).
    type: path
    default: /etc/vfio-bind.yaml
  host_config:
    description:
      - Whether I(path) is part of the host's configuration, which C(vfio-bind) reads
        without C(-c) (C(/etc/vfio-bind.yaml) and the drop-ins). Then C(vfio-bind) runs
        without C(-c), as at boot, so that the drop-ins are read and the devices the host's
        configuration bound are those released. Otherwise it runs with C(-c) I(path).
      - Defaults to true when I(path) is C(/etc/vfio-bind.yaml).
    type: bool
  apply:
    description:
      - Apply the configuration after writing it. With C(false) only the file is written
        (validated), and C(changed) says whether it changed.
    type: bool
    default: true
  binary:
    description:
      - The C(vfio-bind) program, a path or a name looked up in C(PATH) and C(/usr/sbin).
    type: path
    default: vfio-bind
  command_prefix:
    description:
      - Words run before I(binary), for a wrapper that runs C(vfio-bind) elsewhere (the
        project's tests use C(tests/testbed/run BED --), which runs it over a fake C(/sys)).
    type: list
    elements: str
    default: []
notes:
  - Output schema version 1 of C(vfio-bind) (docs/output.md) is read; another version fails.
  - The check mode's mount namespace needs root (C(unshare --mount)) and an existing I(path).
    Without them the new file is planned alone (C(vfio-bind -c)), and the module warns that
    devices the current configuration bound and the new one drops are not listed as
    C(will-release) (nor the drop-ins read); C(changed) is true all the same, since the file
    changes.
  - C(vfio-bind) refuses a configuration that users other than root could write; run with
    C(become).
seealso:
  - module: vfio_bind.vfio_bind.vfio_bind_info
author:
  - vfio-bind contributors
'''

EXAMPLES = r'''
- name: Hand the second GPU and every ConnectX-6 Dx VF to VFIO
  vfio_bind.vfio_bind.vfio_bind:
    devices:
      - comment: the second RTX 3090 and its HDMI audio
        address: "0000:02:00.0"
        group: all
      - id: "15b3:101e"
  become: true

- name: Four VFs on a ConnectX-6 Dx PF, the first two for VMs
  vfio_bind.vfio_bind.vfio_bind:
    path: /etc/vfio-bind.d/50-ansible.yaml
    host_config: true
    devices:
      - address: "0000:5e:00.0"
        sriov: {numvfs: 4, vfs: [0, 1]}
  become: true

- name: Install a file kept elsewhere, write it only
  vfio_bind.vfio_bind.vfio_bind:
    src: /srv/vfio/host-a.yaml
    apply: false
  become: true
'''

RETURN = r'''
config_changed:
  description: Whether the configuration file changed (in check mode, would change).
  returned: always
  type: bool
  sample: true
path:
  description: The configuration file.
  returned: always
  type: str
  sample: /etc/vfio-bind.yaml
verb:
  description: The C(vfio-bind) verb whose rows are in I(devices), C(apply) or C(plan) (check mode); null with I(apply=false).
  returned: always
  type: str
  sample: apply
devices:
  description:
    - The device rows of C(vfio-bind apply --json) (C(plan --json) in check mode), as
      docs/output.md describes them, e.g. C(address), C(driver), C(vfio_driver), C(result),
      C(changed), C(error).
  returned: always
  type: list
  elements: dict
  sample: [{"address": "0000:02:00.0", "driver": "vfio-pci", "result": "changed", "changed": true, "error": null}]
unmatched:
  description: The entries that matched no device (C(selector), C(result) C(missing) or C(unmatched), C(config), C(config_line)).
  returned: always
  type: list
  elements: dict
  sample: []
failures:
  description: "C(ADDRESS: reason) for each device that failed (or would), and each missing device."
  returned: failure
  type: list
  elements: str
  sample: ["0000:02:00.0: probe: Input/output error"]
validate_errors:
  description: The errors of C(vfio-bind validate) (FILE:LINE:COLUMN, the file named as I(path)) when the new configuration was refused.
  returned: failure
  type: list
  elements: str
  sample: ["/etc/vfio-bind.yaml:3:5: unknown key 'adress' in device entry"]
'''

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible_collections.vfio_bind.vfio_bind.plugins.module_utils.vfio_bind import (
    COMMON_ARGS, command, device_failures, is_host_config, plan_in_place, run_json)

HEADER = ('# Written by Ansible (vfio_bind.vfio_bind.vfio_bind); see vfio-bind.yaml(5).\n'
          'version: 1\n')


def scalar(value):
    """One YAML value in flow style: strings double-quoted (JSON's escapes are YAML's)."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return 'null'
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, dict):
        return '{' + ', '.join('%s: %s' % (k, scalar(v)) for k, v in value.items()) + '}'
    if isinstance(value, (list, tuple)):
        return '[' + ', '.join(scalar(v) for v in value) + ']'
    return json.dumps(to_native(value))


def render(module, devices):
    if not devices:
        return HEADER + 'devices: []\n'
    lines = [HEADER + 'devices:']
    for entry in devices:
        address = entry.get('address')
        if isinstance(address, float):
            module.fail_json(msg='address %r was read as a number: quote it ("0000:02:00.0")' % address)
        if entry.get('comment') is not None:
            lines.extend('  # ' + line for line in to_native(entry['comment']).splitlines())
        keys = [k for k in entry if k != 'comment']
        if not keys:
            module.fail_json(msg='an entry of devices has no key: %r' % entry)
        for i, key in enumerate(keys):
            lines.append('%s%s: %s' % ('  - ' if i == 0 else '    ', key, scalar(entry[key])))
    return '\n'.join(lines) + '\n'


def read(path):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except IOError as e:
        if e.errno == 2:
            return None
        raise


def write_temp(directory, content):
    # A name that starts with "." and ends in ".tmp": no drop-in directory reads it.
    fd, tmp = tempfile.mkstemp(prefix='.vfio-bind.', suffix='.tmp', dir=directory)
    with os.fdopen(fd, 'wb') as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o644)
    return tmp


def validate(module, tmp, path, cleanup):
    """vfio-bind validate TMP; on refusal removes what CLEANUP names and fails, naming PATH."""
    argv = command(module, ['validate', tmp])
    rc, out, err = module.run_command(argv)
    if rc == 0:
        return
    errors = [line.replace(tmp, path) for line in err.splitlines() if line.strip()]
    for name in cleanup:
        os.unlink(name)
    module.fail_json(msg='the new configuration of %s was refused, the old file is kept: %s'
                     % (path, '; '.join(errors)), validate_errors=errors, rc=rc, config_changed=False)


def describe(rows, unmatched, applied):
    """The per-device plan or result as text for --diff: DEVICE ID: FROM -> TO: RESULT (why)."""
    lines = []
    for row in rows:
        what = row.get('error') or ', '.join(row.get('steps') or []) or row.get('note') or ''
        if applied:
            before = row.get('previous_driver') if row.get('changed') else row.get('driver')
            after = row.get('driver')
        else:
            before = row.get('driver')
            after = row.get('host_driver') if row.get('release') else row.get('vfio_driver')
        lines.append('%s %s: %s -> %s: %s%s' % (
            row.get('address'), row.get('id') or row.get('bus'), before or '-', after or '-',
            row.get('result'), ' (%s)' % what if what else ''))
    for entry in unmatched:
        lines.append('%s: %s' % (entry.get('selector'), entry.get('result')))
    return '\n'.join(lines) + '\n' if lines else 'no device selected\n'


def main():
    argument_spec = dict(
        devices=dict(type='list', elements='dict'),
        src=dict(type='path'),
        apply=dict(type='bool', default=True),
    )
    argument_spec.update(COMMON_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           mutually_exclusive=[('devices', 'src')],
                           required_one_of=[('devices', 'src')])
    path = module.params['path']
    if module.params['src'] is not None:
        new = read(module.params['src'])
        if new is None:
            module.fail_json(msg='src %s does not exist' % module.params['src'])
    else:
        new = to_bytes(render(module, module.params['devices']))
    old = read(path)
    config_changed = new != old
    host = is_host_config(module.params)
    config_arg = None if host else path
    result = dict(changed=config_changed, config_changed=config_changed, path=path,
                  verb=None, devices=[], unmatched=[])
    diffs = [dict(before=to_native(old or b''), after=to_native(new),
                  before_header=path if old is not None else '%s (absent)' % path,
                  after_header=path)]

    if module.check_mode:
        planned = None
        if config_changed:
            planned = write_temp(tempfile.mkdtemp(dir=module.tmpdir), new)
            validate(module, planned, path, [planned])
        if module.params['apply']:
            in_place = plan_in_place(module, planned, path, config_arg) if planned else None
            if in_place:
                rc, doc = in_place
            elif planned:
                module.warn('check mode planned the new %s alone (vfio-bind -c %s: %s): devices '
                            'that the current configuration bound and the new one drops are not '
                            'shown as will-release' % (
                                path, planned, 'the file is absent' if old is None else
                                'no mount namespace could be made')
                            + (', and the drop-ins are not read' if host else ''))
                rc, doc, err = run_json(module, ['plan', '--json'], 'plan', planned)
            else:
                rc, doc, err = run_json(module, ['plan', '--json'], 'plan', config_arg)
            rows, unmatched = doc.get('devices', []), doc.get('unmatched', [])
            result.update(verb='plan', devices=rows, unmatched=unmatched)
            if any(r.get('result') in ('will-change', 'will-release') for r in rows):
                result['changed'] = True
            diffs.append(dict(prepared='vfio-bind plan:\n' + describe(rows, unmatched, False)))
        result['diff'] = diffs
        failures = device_failures(result)
        if failures:
            module.fail_json(msg='devices that apply would fail: ' + '; '.join(failures),
                             failures=failures, **result)
        module.exit_json(**result)

    if config_changed:
        directory = os.path.dirname(path) or '.'
        tmp = write_temp(directory, new)
        validate(module, tmp, path, [tmp])
        module.atomic_move(tmp, path)
        if old is None:
            os.chmod(path, 0o644)
    if module.params['apply']:
        rc, doc, err = run_json(module, ['apply', '--json'], 'apply', config_arg)
        rows, unmatched = doc.get('devices', []), doc.get('unmatched', [])
        result.update(verb='apply', devices=rows, unmatched=unmatched)
        if any(r.get('changed') or r.get('result') in ('changed', 'released') for r in rows):
            result['changed'] = True
        diffs.append(dict(prepared='vfio-bind apply:\n' + describe(rows, unmatched, True)))
        result['diff'] = diffs
        failures = device_failures(result)
        if failures:
            module.fail_json(msg='devices that failed: ' + '; '.join(failures),
                             failures=failures, **result)
    result['diff'] = diffs
    module.exit_json(**result)


if __name__ == '__main__':
    main()
