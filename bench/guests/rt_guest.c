/* The guest side of the benchmark runtime: Multiboot command line, port E9h output, exit
 * through isa-debug-exit (port F4h), and the memory functions gcc may call. */
#include "rt.h"

struct multiboot_info {
  uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }

static void puts_e9(const char* s) {
  while (*s) outb(0xe9, (uint8_t)*s++);
}

static void put_hex(uint32_t v) {
  for (int i = 28; i >= 0; i -= 4) outb(0xe9, (uint8_t)"0123456789abcdef"[(v >> i) & 15]);
}

/* "scale=N" anywhere in the command line (QEMU and ghost86 pass "path -append"). */
static uint32_t scale_from(const char* cmdline) {
  for (const char* p = cmdline; p && *p; p++) {
    if (p[0] == 's' && p[1] == 'c' && p[2] == 'a' && p[3] == 'l' && p[4] == 'e' && p[5] == '=') {
      uint32_t n = 0;
      for (p += 6; *p >= '0' && *p <= '9'; p++) n = n * 10 + (uint32_t)(*p - '0');
      return n;
    }
  }
  return bench_default_scale;
}

void bench_entry(const struct multiboot_info* mbi) {
  const char* cmdline = (mbi->flags & 4) ? (const char*)(uintptr_t)mbi->cmdline : 0;
  const uint32_t sum = bench_run(scale_from(cmdline));
  puts_e9(bench_name);
  puts_e9(" checksum=");
  put_hex(sum);
  puts_e9("\n");
  outb(0xf4, 0); /* exit status (0 << 1) | 1 */
}

/* Plain loops: the workloads decide where string instructions are used. */
void* memcpy(void* d, const void* s, size_t n) {
  uint8_t* dp = d;
  const uint8_t* sp = s;
  while (n--) *dp++ = *sp++;
  return d;
}

void* memset(void* d, int c, size_t n) {
  uint8_t* dp = d;
  while (n--) *dp++ = (uint8_t)c;
  return d;
}
