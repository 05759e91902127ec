#include "devices/ide.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace devices {
namespace {

constexpr uint32_t kSector = IdeController::kSector;

void put_string(uint16_t* w, std::string_view s, size_t nwords) {
  for (size_t i = 0; i < nwords; i++) {
    const char a = 2 * i < s.size() ? s[2 * i] : ' ', b = 2 * i + 1 < s.size() ? s[2 * i + 1] : ' ';
    w[i] = uint16_t(uint8_t(a) << 8 | uint8_t(b));
  }
}

// The usual translation of a size into CHS: 16 heads, 63 sectors, at most 16383 cylinders.
IdeController::Chs default_chs(uint64_t sectors) {
  if (sectors >= 16 * 63) return {uint16_t(std::min<uint64_t>(sectors / (16 * 63), 16383)), 16, 63};
  if (sectors >= 63) return {1, uint8_t(sectors / 63), 63};
  return {1, 1, uint8_t(sectors)};
}

bool is_lba48(uint8_t cmd) {
  switch (cmd) {
    case 0x24: case 0x25: case 0x29: case 0x34: case 0x35: case 0x39: case 0x42: case 0xea: return true;
    default: return false;
  }
}

}  // namespace

IdeController::IdeController(machine::Clock& clock, IrqSink& irq, mmu::PhysMemory& mem)
    : clock_(clock), irq_(irq), mem_(mem) {
  for (unsigned ch = 0; ch < 2; ch++) timer_[ch] = clock_.add_timer([this, ch] { on_timer(ch); });
  reset();
}

void IdeController::attach_disk(unsigned ch, unsigned unit, std::unique_ptr<DiskImage> img) {
  Drive& d = drives_[ch & 1][unit & 1];
  d.kind = Kind::Disk;
  d.sectors = img ? img->size() / kSector : 0;
  d.chs = default_chs(d.sectors);
  d.img = std::move(img);
  d.serial = "GH86HD" + std::to_string(ch * 2 + unit);
  reset();
}

void IdeController::attach_cdrom(unsigned ch, unsigned unit, std::unique_ptr<DiskImage> img) {
  Drive& d = drives_[ch & 1][unit & 1];
  d.kind = Kind::Cdrom;
  d.sectors = img ? img->size() / atapi::kBlock : 0;
  d.chs = {};
  d.img = std::move(img);
  d.serial = "GH86CD" + std::to_string(ch * 2 + unit);
  reset();
}

void IdeController::reset() {
  bm_.reset();
  for (unsigned ch = 0; ch < 2; ch++) {
    clock_.cancel(timer_[ch]);
    ch_[ch] = Channel{};
    for (unsigned u = 0; u < 2; u++) {
      DriveState& ds = ch_[ch].drive[u];
      const Chs& c = drives_[ch][u].chs;
      ds.cyls = c.cylinders, ds.heads = c.heads, ds.spt = c.sectors;
      set_signature(ch, u);
    }
    irq_level_[ch] = false;
    irq_.set_irq(kIrq[ch], false);
  }
}

void IdeController::set_signature(unsigned ch, unsigned unit) {
  DriveState& d = ch_[ch].drive[unit];
  const Kind k = drives_[ch][unit].kind;
  d.tf.nsect = d.tf.lbal = 1;
  d.tf.lbam = k == Kind::Cdrom ? 0x14 : 0;
  d.tf.lbah = k == Kind::Cdrom ? 0xeb : 0;
  d.error = 0x01;  // diagnostics passed
  // A packet device keeps DRDY clear until it is spoken to.
  d.status = k == Kind::Disk ? kDrdy | kDsc : 0;
}

// ---- Registers ----

uint32_t IdeController::port_read(uint16_t port, unsigned size) {
  for (unsigned ch = 0; ch < 2; ch++) {
    const bool empty = drives_[ch][0].kind == Kind::None && drives_[ch][1].kind == Kind::None;
    const uint32_t ones = size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    if (port == kCtlPort[ch]) {
      if (empty) return ones;
      return sel_drive(ch).kind == Kind::None ? 0 : sel(ch).status;  // alternate status
    }
    if (port >= kCmdBase[ch] && port < kCmdBase[ch] + 8) {
      if (empty) return ones;  // nothing drives the bus
      const unsigned reg = port - kCmdBase[ch];
      if (reg == 0) return read_data(ch, size);
      return read_reg(ch, reg);
    }
  }
  return 0xffffffffu;
}

void IdeController::port_write(uint16_t port, unsigned size, uint32_t value) {
  for (unsigned ch = 0; ch < 2; ch++) {
    if (port == kCtlPort[ch]) return write_control(ch, uint8_t(value));
    if (port >= kCmdBase[ch] && port < kCmdBase[ch] + 8) {
      const unsigned reg = port - kCmdBase[ch];
      if (reg == 0) return write_data(ch, size, value);
      return write_reg(ch, reg, uint8_t(value));
    }
  }
}

uint8_t IdeController::read_reg(unsigned ch, unsigned reg) {
  Channel& c = ch_[ch];
  // Device 0 answers for an absent device 1 with zeros, so probes find nothing there.
  if (sel_drive(ch).kind == Kind::None) return 0;
  DriveState& d = sel(ch);
  const bool hob = c.control & kCtlHob;
  switch (reg) {
    case 1: return d.error;
    case 2: return hob ? d.tf.hob_nsect : d.tf.nsect;
    case 3: return hob ? d.tf.hob_lbal : d.tf.lbal;
    case 4: return hob ? d.tf.hob_lbam : d.tf.lbam;
    case 5: return hob ? d.tf.hob_lbah : d.tf.lbah;
    case 6: return c.device;
    case 7:  // reading status acknowledges the interrupt
      c.intrq = false;
      update_irq(ch);
      return d.status;
    default: return 0;
  }
}

void IdeController::write_reg(unsigned ch, unsigned reg, uint8_t v) {
  Channel& c = ch_[ch];
  c.control &= uint8_t(~kCtlHob);
  if (reg == 7) return command(ch, v);
  if (reg == 6) {
    c.device = v;
    return;
  }
  for (DriveState& d : c.drive) {
    Taskfile& t = d.tf;
    auto shift = [v](uint8_t& cur, uint8_t& hob) { hob = cur, cur = v; };
    switch (reg) {
      case 1: shift(t.feature, t.hob_feature); break;
      case 2: shift(t.nsect, t.hob_nsect); break;
      case 3: shift(t.lbal, t.hob_lbal); break;
      case 4: shift(t.lbam, t.hob_lbam); break;
      case 5: shift(t.lbah, t.hob_lbah); break;
      default: break;
    }
  }
}

void IdeController::write_control(unsigned ch, uint8_t v) {
  Channel& c = ch_[ch];
  const bool was_reset = c.control & kCtlSrst;
  c.control = v;
  if ((v & kCtlSrst) && !was_reset) {
    // Reset asserted: both devices go busy and drop what they were doing.
    clock_.cancel(timer_[ch]);
    c.phase = kIdle, c.step = kNone, c.intrq = false;
    for (unsigned u = 0; u < 2; u++)
      if (drives_[ch][u].kind != Kind::None) c.drive[u].status = kBsy;
  } else if (!(v & kCtlSrst) && was_reset) {
    soft_reset(ch);
  }
  update_irq(ch);
}

void IdeController::soft_reset(unsigned ch) {
  Channel& c = ch_[ch];
  c.device = 0;
  for (unsigned u = 0; u < 2; u++) {
    DriveState& d = c.drive[u];
    d.multiple = 0;
    d.standby = false;
    d.atapi = {};
    set_signature(ch, u);
  }
}

uint32_t IdeController::read_data(unsigned ch, unsigned size) {
  Channel& c = ch_[ch];
  if (c.phase != kPioIn || c.unit != ((c.device >> 4) & 1)) return 0xffffffffu >> (32 - 8 * std::min(size, 4u));
  uint32_t v = 0;
  for (unsigned i = 0; i < size && c.pos < c.len; i++) v |= uint32_t(c.buf[c.pos++]) << (8 * i);
  if (c.pos >= c.len) block_done(ch);
  return v;
}

void IdeController::write_data(unsigned ch, unsigned size, uint32_t v) {
  Channel& c = ch_[ch];
  if ((c.phase != kPioOut && c.phase != kPacket) || c.unit != ((c.device >> 4) & 1)) return;
  for (unsigned i = 0; i < size && c.pos < c.len; i++) c.buf[c.pos++] = uint8_t(v >> (8 * i));
  if (c.pos >= c.len) block_done(ch);
}

// A DRQ block has been moved through the data port.
void IdeController::block_done(unsigned ch) {
  Channel& c = ch_[ch];
  DriveState& d = c.drive[c.unit];
  d.status = uint8_t((d.status | kBsy) & ~kDrq);
  switch (c.phase) {
    case kPacket: return schedule(ch, kExecPacket);
    case kPioOut: return schedule(ch, kStoreOut);
    case kPioIn:
      if (c.remaining) return schedule(ch, kLoadIn);
      if (c.atapi_cmd) return schedule(ch, kAtapiStatus);
      // The last block of a PIO read ends the command without another interrupt.
      c.phase = kIdle;
      d.status = kDrdy | kDsc;
      return;
    default: return;
  }
}

// ---- Interrupts ----

void IdeController::raise_irq(unsigned ch) {
  ch_[ch].intrq = true;
  bm_.regs(ch).status |= IdeBusMaster::kStIrq;
  update_irq(ch);
}

void IdeController::update_irq(unsigned ch) {
  const bool level = ch_[ch].intrq && !(ch_[ch].control & kCtlNien);
  if (level != irq_level_[ch]) {
    irq_level_[ch] = level;
    irq_.set_irq(kIrq[ch], level);
  }
}

// ---- Command scheduling ----

void IdeController::schedule(unsigned ch, Step step) {
  ch_[ch].step = step;
  clock_.arm(timer_[ch], clock_.now_ns() + kCommandNs);
}

void IdeController::finish(unsigned ch, uint8_t status, uint8_t error) {
  Channel& c = ch_[ch];
  c.fin_status = uint8_t(status | kDrdy | (status & kErr ? 0 : kDsc));
  c.fin_error = error;
  c.phase = kIdle;
  c.drive[c.unit].status = kBsy;
  schedule(ch, kFinish);
}

void IdeController::on_timer(unsigned ch) {
  Channel& c = ch_[ch];
  const Step step = c.step;
  c.step = kNone;
  DriveState& d = c.drive[c.unit];
  switch (step) {
    case kLoadIn: return load_in(ch);
    case kStoreOut: return store_out(ch);
    case kExecPacket: return exec_packet(ch);
    case kDmaGo: return run_dma(ch);
    case kFinish:
      d.status = c.fin_status;
      d.error = c.fin_error;
      if (c.atapi_cmd) d.tf.nsect = 3;  // I/O and C/D: status phase
      raise_irq(ch);
      return;
    case kAtapiStatus:
      c.phase = kIdle;
      d.status = kDrdy | kDsc;
      d.tf.nsect = 3;
      raise_irq(ch);
      return;
    case kNone: return;
  }
}

// Next data bytes of the command: from the image, or from the packet command's response.
bool IdeController::load(unsigned ch, uint8_t* dst, uint32_t n) {
  Channel& c = ch_[ch];
  Drive& drv = drives_[ch][c.unit];
  bool ok;
  if (c.from_media) {
    ok = drv.img && drv.img->read(c.media_pos, dst, n);
  } else {
    ok = c.media_pos <= c.resp.size() && n <= c.resp.size() - c.media_pos;
    if (ok) std::memcpy(dst, c.resp.data() + c.media_pos, n);
  }
  c.media_pos += n;
  return ok;
}

void IdeController::load_in(unsigned ch) {
  Channel& c = ch_[ch];
  DriveState& d = c.drive[c.unit];
  uint32_t n;
  if (c.atapi_cmd) {
    // The host's byte count limit bounds each block; whole 2048-byte blocks when it allows.
    uint32_t limit = c.byte_limit ? c.byte_limit & ~1u : 0xfffe;
    if (c.from_media && limit >= atapi::kBlock && c.remaining > limit) limit -= limit % atapi::kBlock;
    n = uint32_t(std::min<uint64_t>(c.remaining, limit));
    d.tf.lbam = uint8_t(n), d.tf.lbah = uint8_t(n >> 8);
    d.tf.nsect = 2;  // I/O: data to the host
  } else {
    n = uint32_t(std::min<uint64_t>(c.remaining, c.block));
  }
  if (!load(ch, c.buf.data(), n)) {
    if (c.atapi_cmd) {
      d.atapi.sense_key = 3, d.atapi.asc = 0x1100;  // medium error, unrecovered read error
      return finish(ch, kErr, uint8_t(3 << 4));
    }
    return finish(ch, kErr, kUnc);
  }
  c.remaining -= n;
  c.pos = 0, c.len = n;
  c.phase = kPioIn;
  d.status = kDrdy | kDsc | kDrq;
  raise_irq(ch);
}

void IdeController::store_out(unsigned ch) {
  Channel& c = ch_[ch];
  DriveState& d = c.drive[c.unit];
  Drive& drv = drives_[ch][c.unit];
  if (!drv.img || !drv.img->write(c.media_pos, c.buf.data(), c.len)) return finish(ch, kErr, kAbrt);
  c.media_pos += c.len;
  c.remaining -= std::min<uint64_t>(c.remaining, c.len);
  if (!c.remaining) return finish(ch, 0);
  c.pos = 0;
  c.len = uint32_t(std::min<uint64_t>(c.remaining, c.block));
  d.status = kDrdy | kDsc | kDrq;
  raise_irq(ch);
}

void IdeController::start_pio_in(unsigned ch, uint64_t bytes, uint32_t block, bool from_media) {
  Channel& c = ch_[ch];
  c.from_media = from_media;
  c.remaining = bytes;
  c.block = block;
  c.drive[c.unit].status = kBsy;
  schedule(ch, kLoadIn);
}

void IdeController::start_pio_out(unsigned ch, uint64_t bytes, uint32_t block) {
  Channel& c = ch_[ch];
  c.from_media = true;
  c.remaining = bytes;
  c.block = block;
  c.pos = 0;
  c.len = uint32_t(std::min<uint64_t>(bytes, block));
  c.phase = kPioOut;
  // The first block is requested without an interrupt.
  c.drive[c.unit].status = kDrdy | kDsc | kDrq;
}

void IdeController::start_dma(unsigned ch, uint64_t bytes, bool write, bool from_media) {
  Channel& c = ch_[ch];
  c.write = write;
  c.from_media = from_media;
  c.remaining = bytes;
  c.phase = kDma;
  c.drive[c.unit].status = kBsy | kDrdy;
  if (bm_.started(ch)) schedule(ch, kDmaGo);
}

void IdeController::BmPorts::port_write(uint16_t port, unsigned size, uint32_t value) {
  const int ch = c_.bm_.write(port & 15, size, value);
  if (ch >= 0 && c_.ch_[ch].phase == kDma && c_.ch_[ch].step == kNone) c_.schedule(unsigned(ch), kDmaGo);
}

void IdeController::run_dma(unsigned ch) {
  Channel& c = ch_[ch];
  if (c.phase != kDma || !bm_.started(ch) || !bm_enabled_()) return;  // wait for the host
  Drive& drv = drives_[ch][c.unit];
  auto chunk = [&](uint8_t* data, uint32_t len) {
    if (!c.write) return load(ch, data, len);
    const bool ok = drv.img && drv.img->write(c.media_pos, data, len);
    c.media_pos += len;
    return ok;
  };
  const IdeBusMaster::Result r = bm_.transfer(ch, mem_, !c.write, c.remaining, chunk);
  IdeBusMaster::Regs& bm = bm_.regs(ch);
  c.remaining -= r.moved;
  if (!r.table_left || c.remaining) bm.status &= uint8_t(~IdeBusMaster::kStActive);
  if (r.bad_address || (c.remaining && !r.device_failed)) {
    // A master abort, or a table shorter than the transfer: the engine stops with its error
    // bit, and the device fails the command rather than waiting forever.
    bm.status |= IdeBusMaster::kStError;
    return finish(ch, kErr, kAbrt);
  }
  if (r.device_failed) return finish(ch, kErr, c.write ? kAbrt : kUnc);
  finish(ch, 0);
}

// ---- Commands ----

void IdeController::command(unsigned ch, uint8_t cmd) {
  Channel& c = ch_[ch];
  const unsigned unit = (c.device >> 4) & 1;
  if (cmd == 0x90) {  // EXECUTE DEVICE DIAGNOSTIC: device 0 reports for both devices
    if ((c.drive[unit].status & kBsy) && drives_[ch][unit].kind != Kind::None) return;
    clock_.cancel(timer_[ch]);
    for (unsigned u = 0; u < 2; u++) set_signature(ch, u);
    c.unit = drives_[ch][unit].kind != Kind::None ? uint8_t(unit) : 0;
    c.atapi_cmd = false;
    c.phase = kIdle;
    c.fin_status = c.drive[c.unit].status;
    c.fin_error = 0x01;
    c.drive[c.unit].status = kBsy;
    return schedule(ch, kFinish);
  }
  Drive& drv = drives_[ch][unit];
  DriveState& d = c.drive[unit];
  if (drv.kind == Kind::None) return;
  if ((d.status & kBsy) && !(cmd == 0x08 && drv.kind == Kind::Cdrom)) return;  // busy: ignored
  clock_.cancel(timer_[ch]);
  c.unit = uint8_t(unit);
  c.phase = kIdle;
  c.step = kNone;
  c.atapi_cmd = false;
  c.intrq = false;
  update_irq(ch);
  if (common_command(ch, cmd)) return;
  if (drv.kind == Kind::Disk ? ata_command(ch, cmd) : false) return;
  if (drv.kind == Kind::Cdrom && cmd == 0xec) {
    // A packet device refuses IDENTIFY DEVICE and shows its signature instead.
    set_signature(ch, unit);
    return finish(ch, kErr, kAbrt);
  }
  abort(ch);
}

// Commands both kinds of device accept.
bool IdeController::common_command(unsigned ch, uint8_t cmd) {
  Channel& c = ch_[ch];
  DriveState& d = c.drive[c.unit];
  Drive& drv = drives_[ch][c.unit];
  const bool cd = drv.kind == Kind::Cdrom;
  switch (cmd) {
    case 0xa1:  // IDENTIFY PACKET DEVICE
      if (!cd) return false;
      identify(ch);
      return true;
    case 0xec:  // IDENTIFY DEVICE
      if (cd) return false;
      identify(ch);
      return true;
    case 0x08:  // DEVICE RESET: the packet device's own reset, without an interrupt
      if (!cd) return false;
      d.atapi = {};
      set_signature(ch, c.unit);
      return true;
    case 0xa0: {  // PACKET
      if (!cd || (d.tf.feature & 2)) return false;  // no overlap
      c.atapi_cmd = true;
      c.write = false;
      c.byte_limit = uint16_t(d.tf.lbam | d.tf.lbah << 8);
      c.from_media = d.tf.feature & 1;  // remembered until the packet arrives: DMA requested
      c.pos = 0, c.len = atapi::kCdbBytes;
      c.phase = kPacket;
      d.tf.nsect = 1;  // C/D: the device wants the command packet
      d.status = kDrdy | kDrq;
      return true;
    }
    case 0xef: {  // SET FEATURES
      const uint8_t mode = d.tf.nsect;
      switch (d.tf.feature) {
        case 0x03:  // transfer mode: PIO default/0-4, multiword DMA 0-2, Ultra DMA 0-5
          if (mode > 1 && !((mode & 0xf8) == 0x08 && (mode & 7) <= 4) && !((mode & 0xf8) == 0x20 && (mode & 7) <= 2) &&
              !((mode & 0xf8) == 0x40 && (mode & 7) <= 5))
            return abort(ch), true;
          d.xfer_mode = mode;
          break;
        case 0x02: d.write_cache = true; break;
        case 0x82: d.write_cache = false; break;
        case 0xaa: case 0x55: case 0x66: case 0xcc: break;  // read look-ahead, defaults: accepted
        default: return abort(ch), true;
      }
      finish(ch, 0);
      return true;
    }
    case 0xe0: case 0xe2: case 0xe6:  // STANDBY IMMEDIATE, STANDBY, SLEEP
      d.standby = true;
      finish(ch, 0);
      return true;
    case 0xe1: case 0xe3:  // IDLE IMMEDIATE, IDLE
      d.standby = false;
      finish(ch, 0);
      return true;
    case 0xe5:  // CHECK POWER MODE
      d.tf.nsect = d.standby ? 0x00 : 0xff;
      finish(ch, 0);
      return true;
    default: return false;
  }
}

bool IdeController::ata_command(unsigned ch, uint8_t cmd) {
  Channel& c = ch_[ch];
  DriveState& d = c.drive[c.unit];
  Drive& drv = drives_[ch][c.unit];
  switch (cmd) {
    case 0xc6:  // SET MULTIPLE MODE: a power of two up to the maximum, or 0 to disable
      if (d.tf.nsect > kMaxMultiple || (d.tf.nsect & (d.tf.nsect - 1))) return abort(ch), true;
      d.multiple = d.tf.nsect;
      finish(ch, 0);
      return true;
    case 0x91: {  // INITIALIZE DEVICE PARAMETERS: the CHS translation CHS commands use
      if (d.tf.nsect == 0) return abort(ch), true;
      d.heads = uint16_t((c.device & 0x0f) + 1);
      d.spt = d.tf.nsect;
      d.cyls = uint16_t(std::min<uint64_t>(drv.sectors / (d.heads * d.spt), 65535));
      finish(ch, 0);
      return true;
    }
    case 0xe7: case 0xea:  // FLUSH CACHE (EXT)
      if (drv.img) drv.img->flush();
      finish(ch, 0);
      return true;
    default:
      if ((cmd & 0xf0) == 0x10) {  // RECALIBRATE
        finish(ch, 0);
        return true;
      }
      return transfer_command(ch, cmd);
  }
}

// Commands that address sectors.
bool IdeController::transfer_command(unsigned ch, uint8_t cmd) {
  Channel& c = ch_[ch];
  DriveState& d = c.drive[c.unit];
  Drive& drv = drives_[ch][c.unit];
  const Taskfile& t = d.tf;
  enum { kRead, kWrite, kVerify, kSeek } kind;
  bool dma = false, multiple = false;
  switch (cmd) {
    case 0x20: case 0x21: case 0x24: kind = kRead; break;
    case 0x30: case 0x31: case 0x34: kind = kWrite; break;
    case 0xc4: case 0x29: kind = kRead, multiple = true; break;
    case 0xc5: case 0x39: kind = kWrite, multiple = true; break;
    case 0xc8: case 0xc9: case 0x25: kind = kRead, dma = true; break;
    case 0xca: case 0xcb: case 0x35: kind = kWrite, dma = true; break;
    case 0x40: case 0x41: case 0x42: kind = kVerify; break;
    default:
      if ((cmd & 0xf0) != 0x70) return false;
      kind = kSeek;
      break;
  }
  if (multiple && !d.multiple) return abort(ch), true;
  const bool ext = is_lba48(cmd);
  uint64_t lba;
  uint32_t count;
  if (ext) {
    lba = uint64_t(t.hob_lbah) << 40 | uint64_t(t.hob_lbam) << 32 | uint64_t(t.hob_lbal) << 24 |
          uint64_t(t.lbah) << 16 | uint64_t(t.lbam) << 8 | t.lbal;
    count = uint32_t(t.hob_nsect << 8 | t.nsect);
    if (!count) count = 0x10000;
  } else {
    count = t.nsect ? t.nsect : 256;
    if (c.device & 0x40) {
      lba = uint64_t(c.device & 0x0f) << 24 | uint64_t(t.lbah) << 16 | uint64_t(t.lbam) << 8 | t.lbal;
    } else {
      const uint32_t cyl = t.lbam | t.lbah << 8, head = c.device & 0x0f, sec = t.lbal;
      if (!sec || sec > d.spt || head >= d.heads || cyl >= d.cyls) return finish(ch, kErr, kIdnf), true;
      lba = (uint64_t(cyl) * d.heads + head) * d.spt + sec - 1;
    }
  }
  if (kind == kSeek) count = 1;
  if (lba >= drv.sectors || count > drv.sectors - lba) return finish(ch, kErr, kIdnf), true;
  d.standby = false;
  if (kind == kWrite && (!drv.img || !drv.img->writable())) return abort(ch), true;
  const uint64_t bytes = uint64_t(count) * kSector;
  c.media_pos = lba * kSector;
  if (kind == kVerify || kind == kSeek) {
    finish(ch, 0);
  } else if (dma) {
    start_dma(ch, bytes, kind == kWrite, true);
  } else {
    const uint32_t block = (multiple ? d.multiple : 1) * kSector;
    if (kind == kRead)
      start_pio_in(ch, bytes, block, true);
    else
      start_pio_out(ch, bytes, block);
  }
  return true;
}

void IdeController::identify(unsigned ch) {
  Channel& c = ch_[ch];
  DriveState& d = c.drive[c.unit];
  Drive& drv = drives_[ch][c.unit];
  std::array<uint16_t, 256> w{};
  const uint8_t mode = d.xfer_mode;
  if (drv.kind == Kind::Cdrom) {
    w = atapi::identify(drv.serial, "GHOST86 ATAPI CD-ROM");
  } else {
    const uint64_t n = drv.sectors;
    const uint32_t n28 = uint32_t(std::min<uint64_t>(n, kMax28));
    w[0] = 0x0040;  // fixed, non-removable
    w[1] = drv.chs.cylinders, w[3] = drv.chs.heads, w[6] = drv.chs.sectors;
    put_string(&w[10], drv.serial, 10);
    put_string(&w[23], "1.0", 4);
    put_string(&w[27], "GHOST86 HARDDISK", 20);
    w[47] = 0x8000 | kMaxMultiple;
    w[49] = 0x0f00;  // IORDY, LBA, DMA
    w[50] = 0x4000;
    w[51] = 0x0200;
    w[53] = 0x0007;  // words 54-58, 64-70 and 88 valid
    w[54] = d.cyls, w[55] = d.heads, w[56] = d.spt;
    const uint32_t cur = uint32_t(std::min<uint64_t>(uint64_t(d.cyls) * d.heads * d.spt, n28));
    w[57] = uint16_t(cur), w[58] = uint16_t(cur >> 16);
    w[59] = d.multiple ? uint16_t(0x0100 | d.multiple) : 0;
    w[60] = uint16_t(n28), w[61] = uint16_t(n28 >> 16);
    w[63] = 0x0007;  // multiword DMA 0-2
    w[64] = 0x0003;  // PIO 3-4
    w[65] = w[66] = w[67] = w[68] = 120;
    w[80] = 0x007e;  // ATA-1..6
    w[82] = 0x4028;  // NOP, write cache, power management
    w[83] = 0x7400;  // FLUSH CACHE EXT, FLUSH CACHE, 48-bit addresses
    w[84] = 0x4000;
    w[85] = uint16_t(0x4008 | (d.write_cache ? 0x0020 : 0));
    w[86] = 0x3400;
    w[87] = 0x4000;
    w[88] = 0x003f;  // Ultra DMA 0-5
    w[93] = 0x600b;  // device 0 by jumper, diagnostics passed, 80-conductor cable
    for (unsigned i = 0; i < 4; i++) w[100 + i] = uint16_t(n >> (16 * i));
  }
  // Selected DMA mode, as SET FEATURES chose it.
  if ((mode & 0xf8) == 0x20) w[63] |= uint16_t(0x100 << (mode & 7));
  if ((mode & 0xf8) == 0x40) w[88] |= uint16_t(0x100 << (mode & 7));
  // Integrity word: signature A5h and a checksum that makes all 512 bytes sum to zero.
  w[255] = 0x00a5;
  uint8_t sum = 0;
  for (unsigned i = 0; i < 255; i++) sum = uint8_t(sum + (w[i] & 0xff) + (w[i] >> 8));
  sum = uint8_t(sum + 0xa5);
  w[255] |= uint16_t(uint8_t(-sum) << 8);
  for (unsigned i = 0; i < 256; i++) c.buf[2 * i] = uint8_t(w[i]), c.buf[2 * i + 1] = uint8_t(w[i] >> 8);
  // One block, shown with DRQ and an interrupt after the command latency.
  c.remaining = 0;
  c.pos = 0, c.len = kSector;
  c.fin_status = kDrdy | kDsc | kDrq;
  c.fin_error = 0;
  c.phase = kPioIn;
  d.status = kBsy;
  schedule(ch, kFinish);
}

void IdeController::exec_packet(unsigned ch) {
  Channel& c = ch_[ch];
  DriveState& d = c.drive[c.unit];
  Drive& drv = drives_[ch][c.unit];
  uint8_t cdb[atapi::kCdbBytes];
  std::memcpy(cdb, c.buf.data(), sizeof cdb);
  const bool dma = c.from_media;  // the PACKET command's DMA bit, parked here
  const atapi::Result r = atapi::execute(cdb, d.atapi, drv.img.get(), c.resp);
  if (r.check) return finish(ch, kErr, uint8_t(d.atapi.sense_key << 4));
  c.from_media = r.media_bytes != 0;
  c.media_pos = c.from_media ? r.media_offset : 0;
  const uint64_t bytes = c.from_media ? r.media_bytes : r.len;
  if (!bytes) return finish(ch, 0);
  if (dma) return start_dma(ch, bytes, false, c.from_media);
  c.remaining = bytes;
  load_in(ch);
}

// ---- Snapshots ----

void IdeController::serialize(Serializer& s) {
  bm_.serialize(s);
  for (unsigned ch = 0; ch < 2; ch++) {
    Channel& c = ch_[ch];
    for (DriveState& d : c.drive) {
      s.bytes(&d.tf, sizeof d.tf);
      s.io(d.status), s.io(d.error), s.io(d.multiple);
      s.io(d.cyls), s.io(d.heads), s.io(d.spt);
      s.io(d.xfer_mode), s.io(d.standby), s.io(d.write_cache);
      d.atapi.serialize(s);
    }
    s.io(c.device), s.io(c.control), s.io(c.intrq), s.io(c.unit);
    s.io(c.phase), s.io(c.step);
    s.io(c.write), s.io(c.atapi_cmd), s.io(c.from_media);
    s.io(c.fin_status), s.io(c.fin_error), s.io(c.byte_limit), s.io(c.block);
    s.io(c.media_pos), s.io(c.remaining), s.io(c.pos), s.io(c.len);
    s.bytes(c.resp.data(), c.resp.size());
    uint32_t n = std::min<uint32_t>(c.len, kBufBytes);
    s.io(n);
    if (n > kBufBytes) throw std::runtime_error("ide: bad buffer length in snapshot");
    s.bytes(c.buf.data(), n);
    if (s.loading()) {
      if (c.phase > kDma || c.step > kAtapiStatus || c.unit > 1 || c.len > kBufBytes || c.pos > c.len ||
          c.block > kBufBytes)
        throw std::runtime_error("ide: bad channel state in snapshot");
      for (DriveState& d : c.drive) d.multiple = std::min<uint8_t>(d.multiple, kMaxMultiple);
      irq_level_[ch] = c.intrq && !(c.control & kCtlNien);
      irq_.set_irq(kIrq[ch], irq_level_[ch]);
    }
  }
}

}  // namespace devices
