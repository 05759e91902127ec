/* Pointer chasing: walks a single random cycle through 1 Mi 32-bit links (4 MiB, far more
 * than any cache or software TLB covers), so every step is a dependent load. */
#include "rt.h"

const char bench_name[] = "chase";
const uint32_t bench_default_scale = 12;

#define N (1u << 20)
static uint32_t next[N];

uint32_t bench_run(uint32_t scale) {
  /* Sattolo's shuffle: a random permutation that is one cycle of length N. */
  uint32_t seed = 31337;
  for (uint32_t i = 0; i < N; i++) next[i] = i;
  for (uint32_t i = N - 1; i > 0; i--) {
    const uint32_t j = xorshift32(&seed) % i;
    const uint32_t t = next[i];
    next[i] = next[j];
    next[j] = t;
  }
  uint32_t h = MIX_INIT, p = 0, sum = 0;
  for (uint32_t r = 0; r < scale; r++) {
    for (uint32_t s = 0; s < N; s++) {
      p = next[p];
      sum += p ^ s;
    }
    h = mix(mix(h, p), sum);
  }
  return h;
}
