#include "devices/atapi.h"

#include <algorithm>
#include <cstring>

namespace devices::atapi {
namespace {

uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }
void put16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v >> 8), p[1] = uint8_t(v); }
void put32(uint8_t* p, uint32_t v) { put16(p, uint16_t(v >> 16)), put16(p + 2, uint16_t(v)); }

void pad_copy(uint8_t* dst, std::string_view s, size_t n) {
  std::memset(dst, ' ', n);
  std::memcpy(dst, s.data(), std::min(n, s.size()));
}

// ATA strings hold two characters per word, the first in the high byte.
void put_ata_string(uint16_t* words, std::string_view s, size_t nwords) {
  for (size_t i = 0; i < nwords; i++) {
    const char a = 2 * i < s.size() ? s[2 * i] : ' ', b = 2 * i + 1 < s.size() ? s[2 * i + 1] : ' ';
    words[i] = uint16_t(uint8_t(a) << 8 | uint8_t(b));
  }
}

// A TOC address, as LBA or as minute/second/frame with the 2-second lead-in (150 frames).
void put_address(uint8_t* p, uint32_t lba, bool msf) {
  if (!msf) return put32(p, lba);
  const uint32_t f = lba + 150;
  p[0] = 0;
  p[1] = uint8_t(std::min<uint32_t>(f / (60 * 75), 255));
  p[2] = uint8_t(f / 75 % 60);
  p[3] = uint8_t(f % 75);
}

struct Ctx {
  State& st;
  DiskImage* medium;
  uint8_t* out;
  Result fail(uint8_t key, uint16_t asc) {
    st.sense_key = key;
    st.asc = asc;
    return Result{.check = true};
  }
  uint32_t blocks() const { return uint32_t(std::min<uint64_t>(medium->size() / kBlock, 0xffffffffu)); }
};

Result done(uint32_t len, uint32_t alloc) { return Result{.len = std::min(len, alloc)}; }

Result read_toc(Ctx& c, const uint8_t* cdb) {
  const bool msf = cdb[1] & 2;
  // MMC puts the format in byte 2; SFF-8020i drivers may still use byte 9 bits 7-6.
  const unsigned format = (cdb[2] & 0x0f) ? (cdb[2] & 0x0f) : (cdb[9] >> 6);
  const uint8_t start = cdb[6];
  uint8_t* o = c.out;
  uint32_t n = 4;
  if (format == 0) {
    if (start > 1 && start != 0xaa) return c.fail(kIllegalRequest, kAscInvalidField);
    auto track = [&](uint8_t number, uint32_t lba) {
      uint8_t* d = o + n;
      d[0] = 0;
      d[1] = 0x14;  // ADR 1 (current position), control 4 (data track)
      d[2] = number;
      d[3] = 0;
      put_address(d + 4, lba, msf);
      n += 8;
    };
    if (start <= 1) track(1, 0);
    track(0xaa, c.blocks());  // the lead-out starts after the last block
  } else if (format == 1) {  // session information: one complete session
    o[n] = 0, o[n + 1] = 0x14, o[n + 2] = 1, o[n + 3] = 0;
    put_address(o + n + 4, 0, msf);
    n += 8;
  } else {
    return c.fail(kIllegalRequest, kAscInvalidField);
  }
  put16(o, uint16_t(n - 2));
  o[2] = 1, o[3] = 1;  // first and last track (or session)
  return done(n, be16(cdb + 7));
}

Result mode_sense(Ctx& c, const uint8_t* cdb) {
  const unsigned page = cdb[2] & 0x3f, control = cdb[2] >> 6;
  if (control == 3) return c.fail(kIllegalRequest, 0x3900);  // saving parameters not supported
  uint8_t* o = c.out;
  std::memset(o, 0, 8);
  uint32_t n = 8;
  const bool changeable = control == 1;
  if (page == 0x01 || page == 0x3f) {  // read error recovery: defaults, nothing changeable
    uint8_t* p = o + n;
    std::memset(p, 0, 8);
    p[0] = 0x01, p[1] = 6;
    if (!changeable) p[3] = 5;  // read retry count
    n += 8;
  }
  if (page == 0x2a || page == 0x3f) {  // CD capabilities and mechanical status
    uint8_t* p = o + n;
    std::memset(p, 0, 20);
    p[0] = 0x2a, p[1] = 18;
    if (!changeable) {
      p[2] = 0x01;  // reads CD-R
      p[4] = 0x71;  // audio play, composite, digital ports, multi-session
      p[5] = 0x03;  // CD-DA commands, accurate streaming
      p[6] = uint8_t(0x20 | 0x08 | 0x01 | (c.st.locked ? 0x02 : 0));  // tray, eject, lock (+state)
      put16(p + 8, 706 * 4);  // maximum speed, kB/s (16x)
      put16(p + 10, 256);      // volume levels
      put16(p + 12, 512);      // buffer, KiB
      put16(p + 14, 706 * 4);  // current speed
    }
    n += 20;
  }
  if (n == 8) return c.fail(kIllegalRequest, kAscInvalidField);
  put16(o, uint16_t(n - 2));
  o[2] = c.medium ? 0x01 : 0x70;  // 120 mm data disc / no disc
  return done(n, be16(cdb + 7));
}

Result get_configuration(Ctx& c, const uint8_t* cdb) {
  const unsigned rt = cdb[1] & 3;
  const uint16_t first = be16(cdb + 2);
  uint8_t* o = c.out;
  std::memset(o, 0, 16);
  uint32_t n = 8;
  put16(o + 6, c.medium ? 0x0008 : 0);  // current profile: CD-ROM
  if (first == 0 && rt != 3) {  // feature 0, the profile list, with the one profile we have
    put16(o + n, 0);
    o[n + 2] = 0x03;  // persistent, current
    o[n + 3] = 4;
    put16(o + n + 4, 0x0008);
    o[n + 6] = c.medium ? 1 : 0;
    n += 8;
  }
  put32(o, n - 4);
  return done(n, be16(cdb + 7));
}

}  // namespace

Result execute(const uint8_t (&cdb)[kCdbBytes], State& st, DiskImage* medium, std::span<uint8_t, kMaxResponse> out) {
  Ctx c{st, medium, out.data()};
  uint8_t* o = out.data();
  const uint8_t op = cdb[0];
  if (op == 0x03) {  // REQUEST SENSE: report, then forget, the last error (fixed format)
    std::memset(o, 0, 18);
    o[0] = 0x70;
    o[2] = st.sense_key;
    o[7] = 10;
    o[12] = uint8_t(st.asc >> 8);
    o[13] = uint8_t(st.asc);
    st.sense_key = kNoSense;
    st.asc = 0;
    return done(18, cdb[4]);
  }
  st.sense_key = kNoSense;
  st.asc = 0;
  switch (op) {
    case 0x00:  // TEST UNIT READY
    case 0x25:  // READ CAPACITY
    case 0x28:  // READ(10)
    case 0xa8:  // READ(12)
    case 0x43:  // READ TOC
      if (!medium) return c.fail(kNotReady, kAscNoMedium);
      break;
    default: break;
  }
  switch (op) {
    case 0x00: return {};
    case 0x12: {  // INQUIRY (standard data only)
      if (cdb[1] & 1) return c.fail(kIllegalRequest, kAscInvalidField);
      std::memset(o, 0, 36);
      o[0] = 0x05;  // CD/DVD device
      o[1] = 0x80;  // removable
      o[3] = 0x21;  // ATAPI transport version 2, response format 1
      o[4] = 31;
      pad_copy(o + 8, "GHOST86", 8);
      pad_copy(o + 16, "CD-ROM", 16);
      pad_copy(o + 32, "1.0", 4);
      return done(36, cdb[4]);
    }
    case 0x25: {
      const uint32_t blocks = c.blocks();
      put32(o, blocks ? blocks - 1 : 0);
      put32(o + 4, kBlock);
      return done(8, 8);
    }
    case 0x28:
    case 0xa8: {
      const uint64_t lba = be32(cdb + 2);
      const uint64_t count = op == 0x28 ? be16(cdb + 7) : be32(cdb + 6);
      if (lba + count > c.blocks()) return c.fail(kIllegalRequest, kAscLbaOutOfRange);
      return Result{.media_offset = lba * kBlock, .media_bytes = count * kBlock};
    }
    case 0x43: return read_toc(c, cdb);
    case 0x5a: return mode_sense(c, cdb);
    case 0x46: return get_configuration(c, cdb);
    case 0x1b:  // START STOP UNIT: the tray stays shut, but a locked drive refuses to eject
      if ((cdb[4] & 3) == 2 && st.locked) return c.fail(kIllegalRequest, kAscRemovalPrevented);
      return {};
    case 0x1e:  // PREVENT ALLOW MEDIUM REMOVAL
      st.locked = cdb[4] & 1;
      return {};
    default: return c.fail(kIllegalRequest, kAscInvalidOpcode);
  }
}

std::array<uint16_t, 256> identify(std::string_view serial, std::string_view model) {
  std::array<uint16_t, 256> w{};
  w[0] = 0x8000 | 5 << 8 | 0x80;  // ATAPI, CD-ROM, removable, DRQ within 3 ms, 12-byte packets
  put_ata_string(&w[10], serial, 10);
  put_ata_string(&w[23], "1.0", 4);
  put_ata_string(&w[27], model, 20);
  w[49] = 0x0300;  // LBA and DMA
  w[53] = 0x0006;  // words 64-70 and 88 valid
  w[63] = 0x0007;  // multiword DMA 0-2
  w[64] = 0x0003;  // PIO 3-4
  w[65] = w[66] = w[67] = w[68] = 120;
  w[71] = 30, w[72] = 30;  // release and service times
  w[80] = 0x001e;  // ATA/ATAPI-1..4
  w[82] = 0x4214;  // NOP, PACKET, removable media, power management
  w[83] = 0x4000;
  w[84] = 0x4000;
  w[85] = 0x4214;
  w[86] = 0x0000;
  w[87] = 0x4000;
  w[88] = 0x003f;  // UDMA 0-5 supported
  w[93] = 0x6000 | 0x0001;  // 80-conductor cable, valid
  return w;
}

}  // namespace devices::atapi
