/* String and memory copying: REP MOVSB/MOVSD forwards, REP MOVSB backwards (DF = 1),
 * overlapping copies, REP STOSD fills, and plain byte-loop copies, over 256 KiB buffers. */
#include "rt.h"

const char bench_name[] = "memcopy";
const uint32_t bench_default_scale = 360;

#define LEN (256 * 1024)
static uint8_t src[LEN], dst[LEN + 64];

static void rep_movsb(void* d, const void* s, size_t n) {
  __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

static void rep_movsd(void* d, const void* s, size_t n) {
  __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

/* Copies n bytes ending at d + n - 1 from s + n - 1 downwards. */
static void rep_movsb_down(void* d, const void* s, size_t n) {
  uint8_t* dl = (uint8_t*)d + n - 1;
  const uint8_t* sl = (const uint8_t*)s + n - 1;
  __asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(dl), "+S"(sl), "+c"(n) : : "memory", "cc");
}

static void rep_stosd(void* d, uint32_t v, size_t n) {
  __asm__ volatile("rep stosl" : "+D"(d), "+c"(n) : "a"(v) : "memory");
}

static void byte_copy(volatile uint8_t* d, const volatile uint8_t* s, size_t n) {
  for (size_t i = 0; i < n; i++) d[i] = s[i];
}

static uint32_t sample(uint32_t h, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i += 509) h = mix(h, p[i]);
  return h;
}

uint32_t bench_run(uint32_t scale) {
  uint32_t seed = 77, h = MIX_INIT;
  for (size_t i = 0; i < LEN; i++) src[i] = (uint8_t)xorshift32(&seed);
  for (uint32_t r = 0; r < scale; r++) {
    const size_t off = r % 61;  /* misaligned destinations too */
    rep_movsb(dst + off, src, LEN - 64);
    h = sample(h, dst, LEN);
    rep_movsd(dst, src + (r & 3), LEN / 4 - 16);
    h = sample(h, dst, LEN);
    rep_movsb_down(dst + 3, src, LEN - 64);
    h = sample(h, dst, LEN);
    /* Overlapping forwards by 1 byte replicates the first byte (the REP MOVSB pattern fill). */
    rep_movsb(dst + 1, dst, 4096);
    h = sample(h, dst, 8192);
    rep_stosd(dst, 0x01010101u * (r & 0xff), LEN / 4);
    h = sample(h, dst, LEN);
    if (r % 8 == 0) {
      byte_copy(dst, src + r, LEN / 4);
      h = sample(h, dst, LEN / 4);
    }
    src[r % LEN] ^= (uint8_t)h;
  }
  return h;
}
