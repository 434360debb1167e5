// SPDX-License-Identifier: GPL-2.0
/*
 * kpeek SYMBOL... : the first 16 bytes of each kernel symbol's code, as
 * the guest kernel itself reads them (/proc/kallsyms for the address,
 * /proc/kcore for the bytes; as root): "KPEEK SYMBOL ADDR HEX" a line,
 * "KPEEK SYMBOL ? why" when it cannot.  For tests/l1/gears-tests.sh:
 * the text GEARS patches is the same before and after a trace.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PEEK	16

static unsigned long long ksym(const char *name)
{
	char line[512], n[256], t;
	unsigned long long a, found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &a, &t, n) == 3 &&
		    !strcmp(n, name))
			found = a;
	fclose(f);
	return found;
}

static int peek(int fd, const Elf64_Ehdr *eh, unsigned long long addr,
		unsigned char *buf)
{
	Elf64_Phdr ph;
	int i;

	for (i = 0; i < eh->e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh->e_phoff +
			  (unsigned long long)i * eh->e_phentsize) != sizeof(ph))
			return -1;
		if (ph.p_type != PT_LOAD || addr < ph.p_vaddr ||
		    addr + PEEK > ph.p_vaddr + ph.p_filesz)
			continue;
		return pread(fd, buf, PEEK, ph.p_offset + (addr - ph.p_vaddr)) ==
		       PEEK ? 0 : -1;
	}
	return -1;
}

int main(int argc, char **argv)
{
	unsigned char buf[PEEK];
	unsigned long long a;
	Elf64_Ehdr eh;
	int fd, i, j, st = 0;

	fd = open("/proc/kcore", O_RDONLY);
	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG)) {
		printf("KPEEK - ? no /proc/kcore\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		a = ksym(argv[i]);
		if (!a || peek(fd, &eh, a, buf)) {
			printf("KPEEK %s ? %s\n", argv[i],
			       a ? "not in /proc/kcore" : "not in /proc/kallsyms");
			st = 1;
			continue;
		}
		printf("KPEEK %s %llx ", argv[i], a);
		for (j = 0; j < PEEK; j++)
			printf("%02x", buf[j]);
		printf("\n");
	}
	close(fd);
	return st;
}
