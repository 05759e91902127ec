/* The benchmark runtime shared by every C workload. A workload defines bench_name,
 * bench_default_scale and bench_run(); the same source is built twice: as a Multiboot kernel
 * (rt_guest.c, start.S: output on port E9h, exit through isa-debug-exit) and as a host program
 * (rt_host.c), whose output is the independent reference for the guest's checksum. */
#ifndef GHOST86_BENCH_RT_H
#define GHOST86_BENCH_RT_H

#include <stddef.h>
#include <stdint.h>

extern const char bench_name[];
/* The work size of a benchmark run; the tests pass a small one ("scale=N" on the command line). */
extern const uint32_t bench_default_scale;
/* Runs the workload `scale` times over and returns its checksum. */
uint32_t bench_run(uint32_t scale);

static inline uint32_t xorshift32(uint32_t* s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

/* FNV-1a step over a 32-bit value: how workloads fold results into a checksum. */
static inline uint32_t mix(uint32_t h, uint32_t v) {
  for (int i = 0; i < 4; i++) h = (h ^ ((v >> (8 * i)) & 0xff)) * 0x01000193u;
  return h;
}
#define MIX_INIT 0x811c9dc5u

#endif
