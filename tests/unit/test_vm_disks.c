/* Check suite for actions/util/vm-disks.c: the disks of a domain definition. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/vm.h"

/* Shaped like `virsh dumpxml` of a VM with a qcow2 system disk, a raw swap
 * disk, a shared disk, a CD-ROM with and without media, a block device and a
 * pool volume. */
static const char domain_xml[] =
	"<domain type='kvm' id='3'>\n"
	"  <name>vdc</name>\n"
	"  <devices>\n"
	"    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
	"    <disk type='file' device='disk'>\n"
	"      <driver name='qemu' type='qcow2' discard='unmap'/>\n"
	"      <source file='/var/lib/libvirt/images/vdc.qcow2' index='2'/>\n"
	"      <backingStore type='file' index='3'>\n"
	"        <format type='qcow2'/>\n"
	"        <source file='/var/lib/libvirt/images/base.qcow2'/>\n"
	"      </backingStore>\n"
	"      <target dev='vda' bus='virtio'/>\n"
	"      <address type='pci' domain='0x0000' bus='0x04' slot='0x00'/>\n"
	"    </disk>\n"
	"    <disk type='file' device='disk'>\n"
	"      <driver name='qemu' type='raw'/>\n"
	"      <source file='/srv/vm/vdc swap.img'/>\n"
	"      <target dev='sdb' bus='sata'/>\n"
	"    </disk>\n"
	"    <disk type='file' device='disk'>\n"
	"      <driver name='qemu' type='raw'/>\n"
	"      <source file='/srv/vm/shared.img'/>\n"
	"      <target dev='vdc' bus='virtio'/>\n"
	"      <shareable/>\n"
	"    </disk>\n"
	"    <disk type='file' device='cdrom'>\n"
	"      <driver name='qemu' type='raw'/>\n"
	"      <source file='/srv/iso/debian.iso'/>\n"
	"      <target dev='sdc' bus='sata'/>\n"
	"      <readonly/>\n"
	"    </disk>\n"
	"    <disk type='file' device='cdrom'>\n"
	"      <target dev='sdd' bus='sata'/>\n"
	"      <readonly/>\n"
	"    </disk>\n"
	"    <disk type='block' device='disk'>\n"
	"      <driver name='qemu' type='raw'/>\n"
	"      <source dev='/dev/vg0/data'/>\n"
	"      <target dev='vdd' bus='virtio'/>\n"
	"    </disk>\n"
	"    <disk type='volume' device='disk'>\n"
	"      <source pool='default' volume='extra.qcow2'/>\n"
	"      <target dev='vde' bus='virtio'/>\n"
	"    </disk>\n"
	"    <interface type='network'><source network='default'/></interface>\n"
	"  </devices>\n"
	"</domain>\n";

static const struct {
	const char *target, *source, *format, *bus;
	enum vm_disk_device device;
	enum vm_disk_type type;
	bool readonly, shareable, writable;
} expected[] = {
	{ "vda", "/var/lib/libvirt/images/vdc.qcow2", "qcow2", "virtio",
	  VM_DISK_DISK, VM_DISK_TYPE_FILE, false, false, true },
	{ "sdb", "/srv/vm/vdc swap.img", "raw", "sata",
	  VM_DISK_DISK, VM_DISK_TYPE_FILE, false, false, true },
	{ "vdc", "/srv/vm/shared.img", "raw", "virtio",
	  VM_DISK_DISK, VM_DISK_TYPE_FILE, false, true, false },
	{ "sdc", "/srv/iso/debian.iso", "raw", "sata",
	  VM_DISK_CDROM, VM_DISK_TYPE_FILE, true, false, false },
	{ "sdd", NULL, NULL, "sata",
	  VM_DISK_CDROM, VM_DISK_TYPE_FILE, true, false, false },
	{ "vdd", "/dev/vg0/data", "raw", "virtio",
	  VM_DISK_DISK, VM_DISK_TYPE_BLOCK, false, false, false },
	{ "vde", "default/extra.qcow2", NULL, "virtio",
	  VM_DISK_DISK, VM_DISK_TYPE_VOLUME, false, false, false },
};

static void
assert_str_or_null(const char *got, const char *want, const char *what)
{
	if (want == NULL)
		ck_assert_msg(got == NULL, "%s: expected none, got '%s'", what, got);
	else
		ck_assert_msg(got != NULL && strcmp(got, want) == 0,
			      "%s: expected '%s', got '%s'", what, want,
			      got ? got : "(null)");
}

START_TEST(test_disks_of_domain)
{
	struct vm_disk_list *l = NULL;
	const struct vm_disk *d;

	ck_assert_int_eq(vm_disks_parse_xml(domain_xml, &l), 0);
	ck_assert_uint_eq(l->n, ELEMENTSOF(expected));
	d = &l->disks[_i];
	assert_str_or_null(d->target, expected[_i].target, "target");
	assert_str_or_null(d->source, expected[_i].source, "source");
	assert_str_or_null(d->format, expected[_i].format, "format");
	assert_str_or_null(d->bus, expected[_i].bus, "bus");
	ck_assert_int_eq(d->device, expected[_i].device);
	ck_assert_int_eq(d->type, expected[_i].type);
	ck_assert_int_eq(d->readonly, expected[_i].readonly);
	ck_assert_int_eq(d->shareable, expected[_i].shareable);
	ck_assert_int_eq(vm_disk_is_writable_image(d), expected[_i].writable);
	vm_disk_list_free(l);
}
END_TEST

static const struct {
	const char *xml;
	int r;
	size_t n;
} bad_cases[] = {
	{ "", -EINVAL, 0 },
	{ "not xml", -EINVAL, 0 },
	{ "<domain><devices><disk>", -EINVAL, 0 },
	{ "<network><name>x</name></network>", -EINVAL, 0 },
	/* a disk without a target cannot be named in any event */
	{ "<domain><devices><disk type='file' device='disk'>"
	  "<source file='/a'/></disk></devices></domain>", -EINVAL, 0 },
	{ "<domain><name>empty</name></domain>", 0, 0 },
	{ "<domain><devices/></domain>", 0, 0 },
	/* external entities are never fetched: the unloadable reference makes
	 * the document invalid */
	{ "<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
	  "<domain><devices><disk><source file='&x;'/><target dev='vda'/>"
	  "</disk></devices></domain>", -EINVAL, 0 },
};

START_TEST(test_bad_xml)
{
	struct vm_disk_list *l = (void *)0x1;
	int r = vm_disks_parse_xml(bad_cases[_i].xml, &l);

	ck_assert_msg(r == bad_cases[_i].r, "case %d: r=%d", _i, r);
	if (r < 0) {
		ck_assert_ptr_eq(l, (void *)0x1);   /* untouched */
		return;
	}
	ck_assert_uint_eq(l->n, bad_cases[_i].n);
	vm_disk_list_free(l);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(vm_disk_device_to_string(VM_DISK_CDROM), "cdrom");
	ck_assert_str_eq(vm_disk_type_to_string(VM_DISK_TYPE_BLOCK), "block");
	ck_assert_str_eq(vm_disk_device_to_string((enum vm_disk_device)99),
			 "other");
}
END_TEST

static Suite *
vm_disks_suite(void)
{
	Suite *s = suite_create("vm_disks");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_disks_of_domain, 0, ELEMENTSOF(expected));
	tcase_add_loop_test(tc, test_bad_xml, 0, ELEMENTSOF(bad_cases));
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vm_disks_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
