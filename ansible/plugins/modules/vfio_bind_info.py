#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vfio-bind contributors
# GNU Lesser General Public License v2.1 or later (see https://www.gnu.org/licenses/old-licenses/lgpl-2.1.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: vfio_bind_info
short_description: The devices of a host and whether they are as vfio-bind's configuration says
version_added: "0.1.0"
description:
  - Runs C(vfio-bind list --json) (every device, its driver, IOMMU group, the VFIO module it
    would get, whether the configuration selects it) and C(vfio-bind status --json) (each
    selected device C(in-sync) or C(drift), and why), for inventories and reports.
  - Changes nothing on the host.
options:
  gather:
    description: Which of the two to run.
    type: list
    elements: str
    choices: [list, status]
    default: [list, status]
  bus:
    description: The buses C(list) shows besides PCI (C(vfio-bind list --bus)).
    type: str
    choices: [pci, platform, fsl-mc, cdx, all]
    default: pci
  path:
    description: The configuration C(status) compares with (see I(host_config)).
    type: path
    default: /etc/vfio-bind.yaml
  host_config:
    description:
      - Whether I(path) is the host's configuration, read by C(vfio-bind) without C(-c)
        (with its drop-ins). Otherwise C(status) runs with C(-c) I(path).
      - Defaults to true when I(path) is C(/etc/vfio-bind.yaml).
    type: bool
  binary:
    description: The C(vfio-bind) program, a path or a name looked up in C(PATH) and C(/usr/sbin).
    type: path
    default: vfio-bind
  command_prefix:
    description: Words run before I(binary) (a wrapper; the project's tests run it over a fake C(/sys)).
    type: list
    elements: str
    default: []
extends_documentation_fragment: []
notes:
  - Supports check mode (it changes nothing).
  - C(list) reports whether the configuration selects a device from the host's configuration.
author:
  - vfio-bind contributors
'''

EXAMPLES = r'''
- name: What vfio-bind sees
  vfio_bind.vfio_bind.vfio_bind_info:
  register: vfio
  become: true

- name: Report the hosts that drifted
  ansible.builtin.debug:
    msg: "{{ vfio.status.devices | selectattr('result', 'equalto', 'drift') | map(attribute='address') | list }}"
  when: not vfio.in_sync
'''

RETURN = r'''
devices:
  description: The rows of C(vfio-bind list --json) (docs/output.md), one per device.
  returned: when list is gathered
  type: list
  elements: dict
  sample: [{"address": "0000:02:00.0", "id": "10de:2204", "driver": "nvidia", "iommu_group": 11, "vfio_module": "vfio_pci", "selected": true}]
status:
  description: The document of C(vfio-bind status --json) (C(devices) with C(result) C(in-sync) or C(drift) and C(reason), C(unmatched), C(missing)).
  returned: when status is gathered
  type: dict
  sample: {"devices": [{"address": "0000:02:00.0", "result": "drift", "reason": "on nvidia, not vfio-pci"}], "unmatched": [], "schema_version": 1}
in_sync:
  description: Whether status found every selected device in sync and no device missing (its exit status 0).
  returned: when status is gathered
  type: bool
  sample: false
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.vfio_bind.vfio_bind.plugins.module_utils.vfio_bind import (
    COMMON_ARGS, is_host_config, run_json)


def main():
    argument_spec = dict(
        gather=dict(type='list', elements='str', choices=['list', 'status'],
                    default=['list', 'status']),
        bus=dict(type='str', choices=['pci', 'platform', 'fsl-mc', 'cdx', 'all'], default='pci'),
    )
    argument_spec.update(COMMON_ARGS)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    result = dict(changed=False)
    if 'list' in module.params['gather']:
        args = ['list', '--json']
        if module.params['bus'] != 'pci':
            args += ['--bus', module.params['bus']]
        rc, doc, err = run_json(module, args, 'list', ok_rcs=(0,))
        result['devices'] = doc.get('devices', [])
    if 'status' in module.params['gather']:
        config = None if is_host_config(module.params) else module.params['path']
        # exit status 3: drift or missing, the document says which
        rc, doc, err = run_json(module, ['status', '--json'], 'status', config, ok_rcs=(0, 3))
        result['status'] = doc
        result['in_sync'] = rc == 0
    module.exit_json(**result)


if __name__ == '__main__':
    main()
