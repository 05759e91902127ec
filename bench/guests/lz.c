/* Compression: a greedy LZ77 coder with a hash table of recent positions, and its decoder,
 * over 64 KiB of word-like text per round; the round trip is verified. Byte-granular loads and
 * stores, hashing, data-dependent branches. */
#include "rt.h"

const char bench_name[] = "lz";
const uint32_t bench_default_scale = 480;

#define LEN 65536
#define HBITS 12
static uint8_t text[LEN], packed[LEN + LEN / 8 + 16], unpacked[LEN];
static uint32_t table[1u << HBITS];

static const char* const words[] = {"the ",  "quick ", "brown ", "fox ",    "jumps ", "over ",  "lazy ",
                                    "dog ",  "pack ",  "my ",    "box ",    "with ",  "five ",  "dozen ",
                                    "jugs ", "of ",    "liquor ", "ghost ", "eighty ", "six "};

static void make_text(uint32_t seed) {
  uint32_t n = 0;
  while (n < LEN) {
    const char* w = words[xorshift32(&seed) % 20];
    while (*w && n < LEN) text[n++] = (uint8_t)*w++;
    if ((xorshift32(&seed) & 15) == 0 && n < LEN) text[n++] = (uint8_t)('0' + seed % 10);
  }
}

/* Tokens: a flag byte for each 8 items; a literal is one byte, a match is 2 bytes
 * (12-bit distance - 1, 4-bit length - 3). */
static uint32_t compress(const uint8_t* in, uint32_t n, uint8_t* out) {
  for (uint32_t i = 0; i < (1u << HBITS); i++) table[i] = 0xffffffffu;
  uint32_t o = 0, i = 0, flag_at = 0, items = 8;
  while (i < n) {
    if (items == 8) flag_at = o++, out[flag_at] = 0, items = 0;
    uint32_t len = 0, dist = 0;
    if (i + 3 <= n) {
      const uint32_t key = ((uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2]) * 2654435761u >> (32 - HBITS);
      const uint32_t cand = table[key];
      table[key] = i;
      if (cand != 0xffffffffu && i - cand <= 4096) {
        while (len < 18 && i + len < n && in[cand + len] == in[i + len]) len++;
        dist = i - cand;
      }
    }
    if (len >= 3) {
      out[flag_at] |= (uint8_t)(1u << items);
      out[o++] = (uint8_t)((dist - 1) >> 4);
      out[o++] = (uint8_t)(((dist - 1) & 15) << 4 | (len - 3));
      i += len;
    } else {
      out[o++] = in[i++];
    }
    items++;
  }
  return o;
}

static uint32_t decompress(const uint8_t* in, uint32_t n, uint8_t* out) {
  uint32_t i = 0, o = 0;
  while (i < n) {
    const uint8_t flags = in[i++];
    for (int k = 0; k < 8 && i < n; k++) {
      if (flags & (1u << k)) {
        const uint32_t dist = ((uint32_t)in[i] << 4 | in[i + 1] >> 4) + 1, len = (in[i + 1] & 15u) + 3;
        i += 2;
        for (uint32_t j = 0; j < len; j++, o++) out[o] = out[o - dist];
      } else {
        out[o++] = in[i++];
      }
    }
  }
  return o;
}

uint32_t bench_run(uint32_t scale) {
  uint32_t h = MIX_INIT;
  for (uint32_t r = 0; r < scale; r++) {
    make_text(r * 7919u + 1);
    const uint32_t size = compress(text, LEN, packed);
    const uint32_t back = decompress(packed, size, unpacked);
    uint32_t bad = back != LEN;
    for (uint32_t i = 0; i < LEN; i++) bad += unpacked[i] != text[i];
    h = mix(mix(h, size), bad);
    for (uint32_t i = 0; i < size; i += 61) h = mix(h, packed[i]);
  }
  return h;
}
