/* The checksum of loops.asm computed natively: the same three loops written in C.
 * Usage: loops_host ALU_ITERS MEM_PASSES FIB_N */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: loops_host ALU_ITERS MEM_PASSES FIB_N\n");
    return 1;
  }
  const uint32_t iters = (uint32_t)strtoul(argv[1], NULL, 0), passes = (uint32_t)strtoul(argv[2], NULL, 0);
  uint32_t a = 0, b = 0x12345678u;
  for (uint32_t c = iters; c != 0; c--) {
    a += b;
    b ^= a;
    a <<= 1;
    b -= c;
  }
  uint32_t result = a + b;
  static uint32_t words[16384];
  for (uint32_t i = 0; i < 16384; i++) words[i] = i + 1;
  uint32_t sum = 0;
  for (uint32_t p = 0; p < passes; p++)
    for (uint32_t i = 0; i < 16384; i++) sum += words[i], words[i] += (words[i] >> 8) & 0xff;
  result = sum + result * 31;
  result = fib((uint32_t)strtoul(argv[3], NULL, 0)) + result * 31;
  printf("loops checksum=%08x\n", (unsigned)result);
  return 0;
}
