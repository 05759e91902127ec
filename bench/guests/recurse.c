/* Calls and returns: naive recursive Fibonacci and the Takeuchi function, both deep call
 * trees of small frames. */
#include "rt.h"

const char bench_name[] = "recurse";
const uint32_t bench_default_scale = 240;

__attribute__((noinline)) static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__attribute__((noinline)) static int tak(int x, int y, int z) {
  return y < x ? tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y)) : z;
}

uint32_t bench_run(uint32_t scale) {
  uint32_t h = MIX_INIT;
  for (uint32_t r = 0; r < scale; r++) {
    h = mix(h, fib(24 + r % 3));
    h = mix(h, (uint32_t)tak(18, 12, 6 + (int)(r % 2)));
  }
  return h;
}
