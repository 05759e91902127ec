/* Matrix code: 96x96 integer matrix products, each round multiplying by the last result:
 * nested loops, multiply-accumulate, strided loads. */
#include "rt.h"

const char bench_name[] = "matmul";
const uint32_t bench_default_scale = 160;

#define N 96
static uint32_t a[N][N], b[N][N], c[N][N];

uint32_t bench_run(uint32_t scale) {
  uint32_t seed = 2024;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) a[i][j] = xorshift32(&seed) & 0xff, b[i][j] = xorshift32(&seed) & 0xff;
  uint32_t h = MIX_INIT;
  for (uint32_t r = 0; r < scale; r++) {
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) {
        uint32_t s = 0;
        for (int k = 0; k < N; k++) s += a[i][k] * b[k][j];
        c[i][j] = s;
      }
    for (int i = 0; i < N; i++) {
      h = mix(h, c[i][(i * 7 + r) % N]);
      for (int j = 0; j < N; j++) a[i][j] = (c[i][j] >> 8) & 0xff;
    }
  }
  return h;
}
