/* Hashing: table-driven CRC-32 and a multiply-rotate hash (MurmurHash3-style mixing) over a
 * 64 KiB buffer per round: byte loads, table lookups, shifts, multiplies. */
#include "rt.h"

const char bench_name[] = "hash";
const uint32_t bench_default_scale = 2400;

#define LEN 65536
static uint8_t buf[LEN];
static uint32_t crc_table[256];

static uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static uint32_t crc32(const uint8_t* p, uint32_t n, uint32_t crc) {
  crc = ~crc;
  while (n--) crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static uint32_t murmur(const uint8_t* p, uint32_t n, uint32_t h) {
  for (uint32_t i = 0; i + 4 <= n; i += 4) {
    uint32_t k = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
    k *= 0xcc9e2d51u;
    k = rotl(k, 15) * 0x1b873593u;
    h = rotl(h ^ k, 13) * 5 + 0xe6546b64u;
  }
  h ^= n;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

uint32_t bench_run(uint32_t scale) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
  uint32_t seed = 12345, h = MIX_INIT, crc = 0;
  for (uint32_t i = 0; i < LEN; i++) buf[i] = (uint8_t)xorshift32(&seed);
  for (uint32_t r = 0; r < scale; r++) {
    crc = crc32(buf, LEN, crc);
    h = mix(h, murmur(buf, LEN, r));
    buf[r % LEN] ^= (uint8_t)crc;  /* each round hashes different data */
  }
  return mix(h, crc);
}
