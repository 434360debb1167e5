// SPDX-License-Identifier: GPL-2.0
/*
 * The current VMCS of the user-space VMX tests: v3_vmread/v3_vmwrite
 * (module/vmx/vmcs.h, V3_UNIT_TEST) index this array by field encoding.
 */
unsigned long shim_vmcs[0x8000];
