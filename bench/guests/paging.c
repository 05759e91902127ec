/* Paging: two address spaces map a 4 MiB window (1024 pages) onto the same 1024 physical
 * frames in different orders. Random word accesses through the window miss any TLB, CR3 is
 * reloaded (flushing the TLB) every 8 accesses, and each round swaps two mappings with INVLPG.
 * The checksum depends on every translation: a wrong one reads or writes the wrong frame.
 *
 * The host build (BENCH_HOST) keeps the same mappings in arrays and indexes frames itself. */
#include "rt.h"

const char bench_name[] = "paging";
const uint32_t bench_default_scale = 60;

#define PAGES 1024
#define WORDS 1024  /* per 4 KiB page */
#define STEPS 65536 /* accesses per round */

static uint32_t frame_of[2][PAGES]; /* space, virtual page -> frame index */
static int space;

#ifdef BENCH_HOST
static uint32_t frames[PAGES * WORDS];

static void platform_init(void) {}
static void load_space(int s) { space = s; }
static void remapped(int s, uint32_t vpage) { (void)s, (void)vpage; }
static volatile uint32_t* word(uint32_t vpage, uint32_t idx) { return &frames[frame_of[space][vpage] * WORDS + idx]; }
#else
#define WINDOW 0x40000000u
#define FRAMES 0x01000000u /* physical 16 MiB; 0..16 MiB stay identity-mapped with 4 MiB pages */
static uint32_t pd[2][1024] __attribute__((aligned(4096)));
static uint32_t pt[2][1024] __attribute__((aligned(4096)));

static void set_pte(int s, uint32_t vpage) { pt[s][vpage] = (FRAMES + frame_of[s][vpage] * 4096u) | 3; }

static void platform_init(void) {
  for (int s = 0; s < 2; s++) {
    for (uint32_t i = 0; i < 4; i++) pd[s][i] = (i << 22) | 0x83; /* present, writable, 4 MiB */
    pd[s][WINDOW >> 22] = (uint32_t)(uintptr_t)pt[s] | 3;
    for (uint32_t v = 0; v < PAGES; v++) set_pte(s, v);
  }
  uint32_t cr;
  __asm__ volatile("mov %0, %%cr3" : : "r"(pd[0]) : "memory");
  __asm__ volatile("mov %%cr4, %0" : "=r"(cr));
  __asm__ volatile("mov %0, %%cr4" : : "r"(cr | 0x10)); /* PSE */
  __asm__ volatile("mov %%cr0, %0" : "=r"(cr));
  __asm__ volatile("mov %0, %%cr0" : : "r"(cr | 0x80000000u) : "memory"); /* PG */
}

static void load_space(int s) {
  space = s;
  __asm__ volatile("mov %0, %%cr3" : : "r"(pd[s]) : "memory");
}

static void remapped(int s, uint32_t vpage) {
  set_pte(s, vpage);
  if (s == space) __asm__ volatile("invlpg (%0)" : : "r"(WINDOW + vpage * 4096u) : "memory");
}

static volatile uint32_t* word(uint32_t vpage, uint32_t idx) {
  return (volatile uint32_t*)(uintptr_t)(WINDOW + vpage * 4096u + idx * 4u);
}
#endif

uint32_t bench_run(uint32_t scale) {
  /* Space 0 maps page v to frame v; space 1 to a shuffled frame. */
  uint32_t seed = 4242;
  for (uint32_t v = 0; v < PAGES; v++) frame_of[0][v] = frame_of[1][v] = v;
  for (uint32_t v = PAGES - 1; v > 0; v--) {
    const uint32_t j = xorshift32(&seed) % (v + 1), t = frame_of[1][v];
    frame_of[1][v] = frame_of[1][j];
    frame_of[1][j] = t;
  }
  platform_init();
  load_space(0);
  for (uint32_t v = 0; v < PAGES; v++)
    for (uint32_t i = 0; i < WORDS; i++) *word(v, i) = v * WORDS + i;
  uint32_t h = MIX_INIT, sum = 0;
  for (uint32_t r = 0; r < scale; r++) {
    for (uint32_t s = 0; s < STEPS; s++) {
      if ((s & 7) == 0) load_space((int)((s >> 3) & 1));
      const uint32_t x = xorshift32(&seed);
      volatile uint32_t* w = word(x & (PAGES - 1), (x >> 10) & (WORDS - 1));
      const uint32_t v = *w;
      *w = v * 3 + s;
      sum += v;
    }
    h = mix(h, sum);
    const uint32_t a = xorshift32(&seed) & (PAGES - 1), b = xorshift32(&seed) & (PAGES - 1);
    const uint32_t t = frame_of[1][a];
    frame_of[1][a] = frame_of[1][b];
    frame_of[1][b] = t;
    remapped(1, a);
    remapped(1, b);
  }
  load_space(0);
  for (uint32_t v = 0; v < PAGES; v += 7) h = mix(h, *word(v, v));
  return h;
}
