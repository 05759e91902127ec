/* Integer sorting: quicksort (median of three, insertion sort for short runs) of 64 Ki
 * pseudo-random words per round: compare-and-branch, swaps, recursion. */
#include "rt.h"

const char bench_name[] = "sort";
const uint32_t bench_default_scale = 72;

#define N 65536
static uint32_t a[N];

static void swap(uint32_t* x, uint32_t* y) {
  const uint32_t t = *x;
  *x = *y;
  *y = t;
}

static void insertion(uint32_t* v, int n) {
  for (int i = 1; i < n; i++) {
    const uint32_t x = v[i];
    int j = i - 1;
    while (j >= 0 && v[j] > x) v[j + 1] = v[j], j--;
    v[j + 1] = x;
  }
}

static void quicksort(uint32_t* v, int n) {
  while (n > 16) {
    const int m = n / 2;
    if (v[m] < v[0]) swap(&v[m], &v[0]);
    if (v[n - 1] < v[0]) swap(&v[n - 1], &v[0]);
    if (v[n - 1] < v[m]) swap(&v[n - 1], &v[m]);
    const uint32_t pivot = v[m];
    int i = 0, j = n - 1;
    for (;;) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i >= j) break;
      swap(&v[i], &v[j]);
      i++, j--;
    }
    /* Recurse into the smaller side, loop on the larger. */
    if (j + 1 < n - j - 1) {
      quicksort(v, j + 1);
      v += j + 1, n -= j + 1;
    } else {
      quicksort(v + j + 1, n - j - 1);
      n = j + 1;
    }
  }
  insertion(v, n);
}

uint32_t bench_run(uint32_t scale) {
  uint32_t h = MIX_INIT, seed = 0x9e3779b9u;
  for (uint32_t r = 0; r < scale; r++) {
    for (int i = 0; i < N; i++) a[i] = xorshift32(&seed) % 1000003u;
    quicksort(a, N);
    uint32_t unsorted = 0;
    for (int i = 1; i < N; i++) unsorted += a[i - 1] > a[i];
    h = mix(h, unsorted);
    for (int i = 0; i < N; i += 97) h = mix(h, a[i]);
  }
  return h;
}
