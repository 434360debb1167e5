// SPDX-License-Identifier: GPL-2.0
/*
 * pcdev: the PC platform devices, by polling (the guest runs with IF=0
 * and every interrupt line masked, so no interrupt is ever delivered).
 *
 *  - ACPI PM timer (ACPI 6.x 4.8.3.3): 32-bit, counts up at 3.579545 MHz;
 *    PM1_CNT.SCI_EN reads 1, PM1_EN round trip.
 *  - 8254 PIT counter 2 in mode 0 with the gate from port 0x61 (Intel 8254
 *    data sheet): OUT2 (port 0x61 bit 5) rises exactly count / 1.193182
 *    MHz after the count was written, measured with the PM timer; counter
 *    latch and read-back status; refresh toggle in port 0x61 bit 4.
 *  - 8259A pair (Intel 8259A data sheet): ICW1-4, IMR, ELCR masks, IRR
 *    latching IRQ 0 from PIT counter 0 while masked, poll command, ISR and
 *    EOI; the cascade: RTC update interrupt on IRQ 8 shows in master IRR2.
 *  - MC146818 RTC (data sheet): valid BCD time, seconds advance, UF in
 *    register C, SET freezes the registers as written, CMOS memory bytes.
 *  - PCI mechanism #1 (PCI 3.0 3.2.2.3.2): 00:00.0 is an i440FX host
 *    bridge, other functions read all-ones.
 *  - 8042: self test, command byte, output buffer loopback, no keyboard.
 *  - IOAPIC (82093AA): VER, ID, masked entries after reset, entry round
 *    trip with read-only bits.
 *  - Exit with PIT counter 0 and the RTC periodic interrupt running and
 *    the 8259A's INT asserted: the VM is torn down with live timers.
 */
#include "guest.h"

DEFINE_GUEST("pcdev");

#define PM_TMR		0x608
#define PM1_STS		0x600
#define PM1_EN		0x602
#define PM1_CNT		0x604
#define PM_HZ		3579545U

static uint32_t pm_now(void)
{
	return inl(PM_TMR);
}

/* Busy-wait for us microseconds on the PM timer. */
static void pm_delay_us(uint32_t us)
{
	uint32_t t0 = pm_now(), ticks = (uint32_t)((uint64_t)us * PM_HZ / 1000000);

	while (pm_now() - t0 < ticks)
		;
}

static void test_pm(void)
{
	uint32_t a, b, cnt;
	int up = 1;

	a = pm_now();
	for (int i = 0; i < 100; i++) {
		b = pm_now();
		if (b - a > 0x80000000U)
			up = 0;
		a = b;
	}
	tap_ok(up, "PM timer never runs backwards");
	a = pm_now();
	pm_delay_us(1000);
	b = pm_now();
	tap_ok(b - a >= 3579, "PM timer advanced %u ticks in 1 ms", b - a);
	cnt = inw(PM1_CNT);
	tap_ok(cnt & 1, "PM1_CNT.SCI_EN reads 1 (%#x)", cnt);
	outw(PM1_EN, 0x0100);
	tap_ok(inw(PM1_EN) == 0x0100, "PM1_EN.PWRBTN_EN round trip");
	outw(PM1_EN, 0);
	tap_ok(inw(PM1_EN) == 0, "PM1_EN cleared");
	tap_ok(inw(PM1_STS) != 0xffff, "PM1_STS is decoded (%#x)", inw(PM1_STS));
}

static void test_pit2(void)
{
	uint32_t t0, t1, ticks, polls = 0;
	uint16_t latch = 11932;		/* 10 ms at 1.193182 MHz */
	uint8_t st, lo, hi, p61;
	uint16_t c1, c2;
	int seen_low;

	/* gate 2 high, speaker off (as Linux's pit_calibrate_tsc) */
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);		/* counter 2, LSB then MSB, mode 0 */
	outb(0x42, latch & 0xff);
	outb(0x43, 0xe8);		/* read-back: status of counter 2 */
	st = inb(0x42);
	tap_ok((st & 0x7f) == 0x70, "status after LSB: null count, LSB/MSB, mode 0 (%#x)",
	       st);
	t0 = pm_now();
	outb(0x42, latch >> 8);		/* counting starts here */
	seen_low = !(inb(0x61) & 0x20);
	while (!(inb(0x61) & 0x20) && polls < 10000000)
		polls++;
	t1 = pm_now();
	ticks = t1 - t0;
	tap_ok(seen_low, "OUT2 low right after the count was written");
	/* 10 ms of PM timer is 35795 ticks; it must not be early */
	tap_ok(ticks >= 35794 && ticks < 3 * 35795,
	       "OUT2 rose after %u PM ticks (10 ms = 35795), %u polls", ticks,
	       polls);
	outb(0x43, 0xe8);
	st = inb(0x42);
	tap_ok(st == 0xb0, "read-back status after terminal count: OUT, LSB/MSB, mode 0 (%#x)",
	       st);

	/* counter latch: the count goes down between two latches */
	outb(0x43, 0xb0);
	outb(0x42, 0xff);
	outb(0x42, 0xff);
	outb(0x43, 0x80);		/* latch counter 2 */
	lo = inb(0x42);
	hi = inb(0x42);
	c1 = lo | hi << 8;
	pm_delay_us(500);
	outb(0x43, 0x80);
	lo = inb(0x42);
	hi = inb(0x42);
	c2 = lo | hi << 8;
	tap_ok(c2 < c1 && c1 - c2 >= 590, "latched count went down from %u to %u in 500 us",
	       c1, c2);

	p61 = inb(0x61);
	tap_ok((p61 & 0x10) != (inb(0x61) & 0x10), "port 0x61 refresh bit toggles");
	tap_ok((p61 & 0x03) == 0x01, "port 0x61 keeps gate 2 / speaker bits (%#x)", p61);
	outb(0x61, p61 & ~0x03);
}

static void pic_init(void)
{
	outb(0x20, 0x11);	/* ICW1: edge, cascade, ICW4 */
	outb(0x21, 0x30);	/* ICW2: vectors 0x30-0x37 */
	outb(0x21, 0x04);	/* ICW3: slave on IR2 */
	outb(0x21, 0x01);	/* ICW4: 8086 mode */
	outb(0xa0, 0x11);
	outb(0xa1, 0x38);
	outb(0xa1, 0x02);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static uint8_t rtc_read(uint8_t idx)
{
	outb(0x70, idx);
	return inb(0x71);
}

static void rtc_write(uint8_t idx, uint8_t v)
{
	outb(0x70, idx);
	outb(0x71, v);
}

/* Wait up to 1.5 s for the RTC seconds register to change; 1 if it did. */
static int rtc_wait_tick(void)
{
	uint8_t s = rtc_read(0);

	for (int i = 0; i < 1500; i++) {
		if (rtc_read(0) != s)
			return 1;
		pm_delay_us(1000);
	}
	return 0;
}

static void test_pic(void)
{
	uint8_t v, irr;

	pic_init();
	tap_ok(inb(0x21) == 0xff && inb(0xa1) == 0xff, "IMRs read back 0xff");
	outb(0x21, 0xfb);
	tap_ok(inb(0x21) == 0xfb, "master IMR round trip");
	outb(0x21, 0xff);
	outb(0x4d0, 0xff);
	outb(0x4d1, 0xff);
	v = inb(0x4d0);
	tap_ok(v == 0xf8, "ELCR1 keeps IRQ 0-2 edge (%#x)", v);
	v = inb(0x4d1);
	tap_ok(v == 0xde, "ELCR2 keeps IRQ 8, 13 edge (%#x)", v);
	outb(0x4d0, 0);
	outb(0x4d1, 0);

	/* PIT counter 0 at 1 kHz: IRQ 0 edges latch in IRR even when masked */
	outb(0x43, 0x34);
	outb(0x40, 1193 & 0xff);
	outb(0x40, 1193 >> 8);
	pm_delay_us(5000);
	outb(0x20, 0x0a);		/* OCW3: read IRR */
	irr = inb(0x20);
	tap_ok(irr & 0x01, "IRQ 0 from PIT counter 0 latched in IRR (%#x)", irr);
	outb(0x43, 0x30);		/* counter 0: mode 0, waits for a count */

	/* poll command: INTA by reading; IR0 goes in service */
	outb(0x21, 0xfe);
	outb(0x20, 0x0c);
	v = inb(0x20);
	outb(0x21, 0xff);
	tap_ok(v == 0x80, "poll returns 0x80 | IR0 (%#x)", v);
	outb(0x20, 0x0b);		/* read ISR */
	v = inb(0x20);
	tap_ok(v == 0x01, "ISR0 set after the poll (%#x)", v);
	outb(0x20, 0x20);		/* non-specific EOI */
	v = inb(0x20);
	tap_ok(v == 0x00, "EOI clears ISR (%#x)", v);
	outb(0x20, 0x0a);

	/* cascade: RTC update-ended interrupt on IRQ 8 through master IR2 */
	rtc_read(0x0c);
	outb(0xa1, 0xfe);		/* slave: only IR0 (IRQ 8) */
	rtc_write(0x0b, rtc_read(0x0b) | 0x10);	/* UIE */
	rtc_wait_tick();
	/*
	 * The update interrupt comes from the VMM's timer for that second:
	 * on a loaded host it may lag the seconds register by more than a
	 * few ms, so wait up to 200 ms for it.
	 */
	for (int i = 0; i < 200; i++) {
		pm_delay_us(1000);
		outb(0xa0, 0x0a);
		if (inb(0xa0) & 0x01)
			break;
	}
	outb(0xa0, 0x0a);
	v = inb(0xa0);
	irr = inb(0x20);
	tap_ok((v & 0x01) && (irr & 0x04),
	       "RTC update interrupt: slave IRR %#x, master IRR %#x", v, irr);
	v = rtc_read(0x0c);
	tap_ok((v & 0x90) == 0x90, "RTC register C: IRQF and UF (%#x)", v);
	rtc_write(0x0b, rtc_read(0x0b) & ~0x10);
	v = rtc_read(0x0c);
	tap_ok(!(v & 0x80), "register C read cleared IRQF (%#x)", v);
	/* an edge request stays in IRR; masking it drops the slave's INT */
	outb(0xa1, 0xff);
	outb(0xa0, 0x0a);
	v = inb(0xa0);
	irr = inb(0x20);
	tap_ok((v & 0x01) && !(irr & 0x04),
	       "slave masked: IRR8 latched (%#x), master IR2 dropped (%#x)", v, irr);
}

static int bcd_ok(uint8_t v, int max)
{
	return (v & 0x0f) < 10 && (v >> 4) < 10 &&
	       (v >> 4) * 10 + (v & 0x0f) <= max;
}

static void test_rtc(struct multiboot_info *mbi)
{
	uint8_t sec, min, hour, mday, mon, year, cent, b, v, v2;
	uint32_t ext, ext2, above16;

	tap_ok(rtc_read(0x0d) == 0x80, "register D: valid RAM and time");
	b = rtc_read(0x0b);
	tap_ok((b & 0x06) == 0x02, "register B: BCD, 24-hour (%#x)", b);
	sec = rtc_read(0);
	min = rtc_read(2);
	hour = rtc_read(4);
	mday = rtc_read(7);
	mon = rtc_read(8);
	year = rtc_read(9);
	cent = rtc_read(0x32);
	tap_ok(bcd_ok(sec, 59) && bcd_ok(min, 59) && bcd_ok(hour, 23) &&
	       bcd_ok(mday, 31) && mday && bcd_ok(mon, 12) && mon &&
	       bcd_ok(year, 99) && cent == 0x20,
	       "time %02x%02x-%02x-%02x %02x:%02x:%02x is valid BCD", cent, year,
	       mon, mday, hour, min, sec);
	/* one update cycle shows both the seconds advancing and UF latched
	 * in register C, which the read before cleared (each wait is up to a
	 * second of polling: minutes on Bochs) */
	rtc_read(0x0c);
	tap_ok(rtc_wait_tick(), "seconds advance");
	v = rtc_read(0x0c);
	tap_ok((v & 0x10) && !(v & 0x80), "UF set without IRQF when UIE is off (%#x)", v);

	/* binary mode */
	rtc_write(0x0b, b | 0x04);
	v = rtc_read(0);
	rtc_write(0x0b, b);
	tap_ok(v < 60, "binary seconds %u", v);

	/* SET: registers hold what is written, even February 31 */
	mday = rtc_read(7);
	mon = rtc_read(8);
	year = rtc_read(9);
	rtc_write(0x0b, b | 0x80);
	rtc_write(8, 0x02);
	rtc_write(7, 0x31);
	rtc_write(9, 0x37);
	v = rtc_read(7);
	v2 = rtc_read(8);
	tap_ok(v == 0x31 && v2 == 0x02 && rtc_read(9) == 0x37,
	       "with SET the date reads back as written (%02x-%02x)", v2, v);
	rtc_write(7, mday);
	rtc_write(8, mon);
	rtc_write(9, year);
	rtc_write(0x0b, b);
	tap_ok(rtc_read(9) == year && rtc_read(8) == mon,
	       "date restored after SET cleared");

	rtc_write(0x40, 0x5a);
	tap_ok(rtc_read(0x40) == 0x5a, "CMOS RAM byte round trip");
	v = rtc_read(0x15);
	v2 = rtc_read(0x16);
	tap_ok(v == 0x80 && v2 == 0x02, "CMOS base memory 640 KiB");
	ext = rtc_read(0x17) | rtc_read(0x18) << 8;
	ext2 = rtc_read(0x30) | rtc_read(0x31) << 8;
	above16 = rtc_read(0x34) | rtc_read(0x35) << 8;
	/* 0x17/0x30: KiB above 1 MiB, at most 65535; 0x34: 64 KiB units
	 * above 16 MiB; both cover what Multiboot reports as mem_upper */
	tap_ok(ext == ext2 &&
	       (mbi->mem_upper >= 65535 ? ext == 65535 : ext >= mbi->mem_upper) &&
	       above16 * 64 + 15 * 1024 >= mbi->mem_upper &&
	       above16 * 64 + 15 * 1024 < mbi->mem_upper + 4096,
	       "CMOS extended memory %u KiB, above 16 MiB %u x 64 KiB (mem_upper %u)",
	       ext, above16, mbi->mem_upper);
}

static uint32_t pci_read(uint32_t bdf, uint8_t reg)
{
	outl(0xcf8, 0x80000000U | bdf << 8 | reg);
	return inl(0xcfc);
}

static void test_pci(void)
{
	uint32_t v;

	v = pci_read(0, 0);
	tap_ok(v == 0x12378086, "00:00.0 vendor/device %#x", v);
	v = pci_read(0, 8);
	tap_ok(v >> 8 == 0x060000, "00:00.0 class %#x", v >> 8);
	tap_ok(inl(0xcf8) == 0x80000008, "CONFIG_ADDRESS reads back");
	outl(0xcf8, 0x80000000U);
	tap_ok(inb(0xcfe) == 0x37 && inw(0xcfe) == 0x1237,
	       "byte and word reads at an offset in CONFIG_DATA");
	v = pci_read(1 << 3, 0);
	tap_ok(v == 0xffffffff, "00:01.0 absent (%#x)", v);
	v = pci_read(1 << 8, 0);
	tap_ok(v == 0xffffffff, "01:00.0 absent (%#x)", v);
	outl(0xcf8, 0);
	tap_ok(inl(0xcfc) == 0xffffffff, "CONFIG_DATA with enable clear reads all-ones");
	tap_ok(inb(0xcf9) != 0xff, "reset control register decoded");
}

static int kbc_wait_out(void)
{
	for (int i = 0; i < 1000; i++)
		if (inb(0x64) & 0x01)
			return 1;
	return 0;
}

static void test_i8042(void)
{
	uint8_t st, v, ctr;

	st = inb(0x64);
	tap_ok(st != 0xff && (st & 0x04) && !(st & 0x02),
	       "8042 status: system flag, input buffer empty (%#x)", st);
	outb(0x64, 0xaa);
	v = kbc_wait_out() ? inb(0x60) : 0;
	tap_ok(v == 0x55, "8042 self test answers 0x55 (%#x)", v);
	outb(0x64, 0x20);
	ctr = kbc_wait_out() ? inb(0x60) : 0xff;
	outb(0x64, 0x60);
	outb(0x60, ctr ^ 0x20);
	outb(0x64, 0x20);
	v = kbc_wait_out() ? inb(0x60) : 0xff;
	tap_ok(v == (ctr ^ 0x20), "command byte round trip (%#x -> %#x)", ctr, v);
	outb(0x64, 0x60);
	outb(0x60, ctr);
	outb(0x64, 0xd3);		/* write the aux output buffer */
	outb(0x60, 0x5a);
	st = inb(0x64);
	v = inb(0x60);
	tap_ok((st & 0x21) == 0x21 && v == 0x5a, "aux loopback (status %#x, data %#x)",
	       st, v);
	outb(0x60, 0xf2);		/* keyboard "get ID": no keyboard */
	st = inb(0x64);
	v = inb(0x60);
	tap_ok((st & 0x41) == 0x41 && v == 0xfe, "no keyboard: time-out, 0xfe (status %#x, %#x)",
	       st, v);
	tap_ok(!(inb(0x64) & 0x01), "output buffer empty after reading");
}

#define IOAPIC	((volatile uint32_t *)0xfec00000)

static uint32_t ioapic_read(uint32_t reg)
{
	IOAPIC[0] = reg;
	return IOAPIC[4];
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	IOAPIC[0] = reg;
	IOAPIC[4] = v;
}

static void test_ioapic(void)
{
	uint32_t v;
	int masked = 1;

	v = ioapic_read(1);
	tap_ok(v == 0x00170020, "IOAPIC version %#x", v);
	v = ioapic_read(0);
	tap_ok(v == 0x0f000000, "IOAPIC ID %#x", v);
	for (int i = 0; i < 24; i++)
		if (ioapic_read(0x10 + 2 * i) != 0x00010000)
			masked = 0;
	tap_ok(masked, "all 24 redirection entries masked after reset");
	ioapic_write(0x10 + 2 * 5, 0x0001f0f1 | 0x4000 | 0x1000);
	ioapic_write(0x11 + 2 * 5, 0x03000000);
	v = ioapic_read(0x10 + 2 * 5);
	tap_ok(v == 0x0001a0f1, "entry 5 low: writable bits only (%#x)", v);
	v = ioapic_read(0x11 + 2 * 5);
	tap_ok(v == 0x03000000, "entry 5 high: destination (%#x)", v);
	ioapic_write(0x10 + 2 * 5, 0x00010000);
	ioapic_write(0x11 + 2 * 5, 0);
}

/*
 * Leave PIT counter 0 (1 kHz) and the RTC periodic interrupt (1024 Hz)
 * running and the master's INT asserted (IR0 unmasked, IF still 0) when
 * the guest exits: the VMM must tear the VM down with its timers live.
 */
static void test_teardown(void)
{
	uint8_t irr;

	pic_init();			/* ICW1 drops latched edge requests */
	outb(0x21, 0xfe);
	outb(0x43, 0x34);
	outb(0x40, 1193 & 0xff);
	outb(0x40, 1193 >> 8);
	rtc_write(0x0b, rtc_read(0x0b) | 0x40);	/* PIE, rate 1024 Hz */
	pm_delay_us(5000);
	outb(0x20, 0x0a);
	irr = inb(0x20);
	tap_ok(irr & 0x01, "IRQ 0 pending with IF=0 at exit (IRR %#x)", irr);
}

int guest_main(uint32_t magic, struct multiboot_info *mbi)
{
	test_pm();
	test_pit2();
	test_rtc(mbi);
	test_pic();
	test_pci();
	test_i8042();
	test_ioapic();
	test_teardown();
	return tap_done();
}
